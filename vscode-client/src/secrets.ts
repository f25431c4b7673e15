/**
 * API keys live in VS Code's SecretStorage and reach the server only through its process environment.
 * They are never written to settings.json, initializationOptions or the log.
 */
import * as vscode from 'vscode';

export interface SecretSpec {
    /** SecretStorage key. */
    key: string;
    /** Environment variable the server reads. */
    env: string;
    title: string;
    placeholder: string;
}

export const PROJECT_API_KEY: SecretSpec = {
    key: 'posthog.projectApiKey',
    env: 'POSTHOG_PROJECT_TOKEN',
    title: 'PostHog project API key',
    placeholder: 'phc_… (Project settings → Project API key)',
};

export const ANTHROPIC_API_KEY: SecretSpec = {
    key: 'posthog.anthropicApiKey',
    env: 'ANTHROPIC_API_KEY',
    title: 'Anthropic API key',
    placeholder: 'sk-ant-… (used by Integrate PostHog when posthog.agent is auto or on)',
};

export const SECRETS: readonly SecretSpec[] = [PROJECT_API_KEY, ANTHROPIC_API_KEY];

/** The server's environment: the extension host's, plus the stored keys (a stored key wins). */
export function serverEnvironment(
    base: NodeJS.ProcessEnv,
    stored: Readonly<Record<string, string | undefined>>,
): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...base };
    for (const spec of SECRETS) {
        const value = stored[spec.key];
        if (value) {
            env[spec.env] = value;
        }
    }
    return env;
}

export async function readSecrets(storage: vscode.SecretStorage): Promise<Record<string, string | undefined>> {
    const values: Record<string, string | undefined> = {};
    for (const spec of SECRETS) {
        values[spec.key] = await storage.get(spec.key);
    }
    return values;
}

/** Asks for a key (masked input); an empty answer removes it. Returns whether anything changed. */
export async function promptForSecret(storage: vscode.SecretStorage, spec: SecretSpec): Promise<boolean> {
    const existing = await storage.get(spec.key);
    const value = await vscode.window.showInputBox({
        title: `PostHog: ${spec.title}`,
        prompt: existing ? `A key is stored. Enter a new one, or leave empty to remove it.` : `Stored in VS Code's secret storage.`,
        placeHolder: spec.placeholder,
        password: true,
        ignoreFocusOut: true,
    });
    if (value === undefined) {
        return false; // cancelled
    }
    const trimmed = value.trim();
    if (trimmed === '') {
        if (!existing) {
            return false;
        }
        await storage.delete(spec.key);
        vscode.window.showInformationMessage(`PostHog: ${spec.title} removed.`);
        return true;
    }
    await storage.store(spec.key, trimmed);
    vscode.window.showInformationMessage(`PostHog: ${spec.title} saved in secret storage.`);
    return true;
}
