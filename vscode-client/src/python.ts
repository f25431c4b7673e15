/**
 * The Python extension's active environment, when ms-python.python is installed (it is optional).
 */
import * as vscode from 'vscode';

/** The slice of the Python extension's API this client uses. */
interface PythonExtensionApi {
    environment: {
        getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
        resolveEnvironment(env: { id: string; path: string } | string): Promise<
            { executable: { uri: vscode.Uri | undefined } } | undefined
        >;
        readonly onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
    };
}

const PYTHON_EXTENSION = 'ms-python.python';

async function pythonApi(): Promise<PythonExtensionApi | undefined> {
    const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION);
    if (!extension) {
        return undefined;
    }
    try {
        const api = extension.isActive ? extension.exports : await extension.activate();
        return api?.environment ? api : undefined;
    } catch {
        return undefined;
    }
}

/** The interpreter selected in the Python extension for `resource`, or undefined. */
export async function activeEnvironmentPython(resource?: vscode.Uri): Promise<string | undefined> {
    const api = await pythonApi();
    if (!api) {
        return undefined;
    }
    try {
        const env = await api.environment.resolveEnvironment(api.environment.getActiveEnvironmentPath(resource));
        return env?.executable.uri?.fsPath;
    } catch {
        return undefined;
    }
}

/** Calls `listener` when the user picks another interpreter in the Python extension. */
export async function onActiveEnvironmentChange(listener: () => void): Promise<vscode.Disposable | undefined> {
    const api = await pythonApi();
    return api?.environment.onDidChangeActiveEnvironmentPath(() => listener());
}

export function hasPythonExtension(): boolean {
    return vscode.extensions.getExtension(PYTHON_EXTENSION) !== undefined;
}
