/**
 * Which Python runs the language server, and whether it can (pure and process-level logic, no `vscode`).
 *
 * Order: the `posthog.interpreter` setting, then the Python extension's active environment, then `python3`
 * on PATH. An interpreter without the `lsp_server` package falls back to the private environment the user
 * created from the notification, if there is one.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export type InterpreterSource = 'setting' | 'python-extension' | 'path' | 'private-env';

export interface Interpreter {
    /** argv prefix: the executable and any arguments before `-m lsp_server`. */
    argv: string[];
    source: InterpreterSource;
}

export const SOURCE_LABEL: Record<InterpreterSource, string> = {
    setting: 'the posthog.interpreter setting',
    'python-extension': "the Python extension's active environment",
    path: 'PATH',
    'private-env': "PostHog's private environment",
};

/** The interpreter to try first: setting → Python extension → `python3` (`python` on Windows) on PATH. */
export function chooseInterpreter(
    setting: readonly string[],
    pythonExtensionPath: string | undefined,
    platform: NodeJS.Platform = process.platform,
): Interpreter {
    if (setting.length > 0 && setting[0].trim() !== '') {
        return { argv: [...setting], source: 'setting' };
    }
    if (pythonExtensionPath && pythonExtensionPath.trim() !== '') {
        return { argv: [pythonExtensionPath], source: 'python-extension' };
    }
    return { argv: [platform === 'win32' ? 'python' : 'python3'], source: 'path' };
}

/** The command line that starts the language server on stdio. */
export function serverCommand(interpreter: Interpreter): { command: string; args: string[] } {
    return { command: interpreter.argv[0], args: [...interpreter.argv.slice(1), '-m', 'lsp_server'] };
}

export type ProbeResult =
    | { ok: true; version: string }
    | { ok: false; problem: 'not-found' | 'too-old' | 'missing-package' | 'broken'; detail: string };

/** Exit codes of PROBE_SCRIPT, so the user learns what exactly is wrong. */
const TOO_OLD = 3;
const MISSING = 4;
const PROBE_SCRIPT = [
    'import sys',
    `if sys.version_info < (3, 11): print(sys.version.split()[0]); sys.exit(${TOO_OLD})`,
    'try:\n import lsp_server\nexcept ImportError as e:\n print(e); sys.exit(' + MISSING + ')',
    'print(sys.version.split()[0])',
].join('\n');

/**
 * Runs the interpreter once to check it is Python ≥ 3.11 and can `import lsp_server`. `cwd` must be the
 * server's working directory: `-c` and `-m` both put it on sys.path.
 */
export function probe(interpreter: Interpreter, cwd?: string, timeoutMs = 30000): Promise<ProbeResult> {
    const [command, ...prefix] = interpreter.argv;
    return new Promise((resolve) => {
        execFile(command, [...prefix, '-c', PROBE_SCRIPT], { timeout: timeoutMs, cwd }, (error, stdout, stderr) => {
            const out = `${stdout}`.trim();
            if (!error) {
                resolve({ ok: true, version: out });
                return;
            }
            const code = (error as { code?: string | number }).code;
            if (code === 'ENOENT' || code === 'EACCES') {
                resolve({ ok: false, problem: 'not-found', detail: `${command} was not found` });
            } else if (code === TOO_OLD) {
                resolve({ ok: false, problem: 'too-old', detail: `${command} is Python ${out}; PostHog needs 3.11 or newer` });
            } else if (code === MISSING) {
                resolve({ ok: false, problem: 'missing-package', detail: `${command} does not have the posthog-lsp package` });
            } else {
                const why = `${stderr}`.trim().split('\n').pop() || error.message;
                resolve({ ok: false, problem: 'broken', detail: `${command} failed: ${why}` });
            }
        });
    });
}

export type Resolution =
    | { interpreter: Interpreter; version: string; fallbackFrom?: ProbeResult }
    | { interpreter: undefined; problem: Extract<ProbeResult, { ok: false }>; tried: Interpreter };

/**
 * The interpreter that will run the server: the chosen one if it works, else the private environment if that
 * works, else the chosen one's problem (for the notification).
 */
export async function resolveInterpreter(
    chosen: Interpreter,
    privateEnv: Interpreter,
    check: (interpreter: Interpreter) => Promise<ProbeResult>,
): Promise<Resolution> {
    const result = await check(chosen);
    if (result.ok) {
        return { interpreter: chosen, version: result.version };
    }
    const fallback = await check(privateEnv);
    if (fallback.ok) {
        return { interpreter: privateEnv, version: fallback.version, fallbackFrom: result };
    }
    return { interpreter: undefined, problem: result, tried: chosen };
}

/** The private environment lives in the extension's global storage, one per machine. */
export function privateEnvPython(storageDir: string, platform: NodeJS.Platform = process.platform): string {
    return platform === 'win32'
        ? path.join(storageDir, 'venv', 'Scripts', 'python.exe')
        : path.join(storageDir, 'venv', 'bin', 'python');
}

/** The wheel shipped inside the .vsix (`bundled/posthog_lsp-*.whl`), newest name last. */
export function bundledWheel(bundledDir: string): string | undefined {
    let names: string[] = [];
    try {
        names = fs.readdirSync(bundledDir).filter((name) => name.endsWith('.whl')).sort();
    } catch {
        return undefined;
    }
    return names.length > 0 ? path.join(bundledDir, names[names.length - 1]) : undefined;
}

export type Runner = (command: string, args: string[]) => Promise<void>;

/**
 * Creates `<storage>/venv` with the given base interpreter and installs the bundled wheel into it.
 * Dependencies come from the package index pip is configured for. Returns the new interpreter.
 */
export async function createPrivateEnv(
    base: Interpreter,
    storageDir: string,
    wheel: string,
    run: Runner,
): Promise<Interpreter> {
    const venvDir = path.join(storageDir, 'venv');
    fs.mkdirSync(storageDir, { recursive: true });
    const [command, ...prefix] = base.argv;
    await run(command, [...prefix, '-m', 'venv', '--clear', venvDir]);
    const python = privateEnvPython(storageDir);
    await run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--upgrade', wheel]);
    return { argv: [python], source: 'private-env' };
}
