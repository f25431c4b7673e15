/**
 * PostHog for VS Code: a thin client for the posthog-lsp language server (activation and wiring only).
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { onActiveEnvironmentChange } from './python';
import { SECRETS } from './secrets';
import { PosthogServer } from './server';
import { reactionTo, SECTION } from './settings';
import { StatusBar } from './status';

let server: PosthogServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const activatedAt = Date.now();
    const log = vscode.window.createOutputChannel('PostHog', { log: true });
    const status = new StatusBar();
    server = new PosthogServer(context, log, status, activatedAt);
    context.subscriptions.push(log, status, server);
    log.info(`PostHog extension ${context.extension.packageJSON.version} activated (VS Code ${vscode.version})`);

    registerCommands(context, server, log);
    const current = server;
    context.subscriptions.push(
        vscode.workspace.onDidChangeConfiguration((event) => {
            const reaction = reactionTo((section) => event.affectsConfiguration(section));
            if (reaction === 'restart') {
                current.scheduleRestart(`${SECTION}.interpreter changed`);
            } else if (reaction === 'notify') {
                current.scheduleConfigurationChange();
            }
        }),
        context.secrets.onDidChange((event) => {
            if (SECRETS.some((spec) => spec.key === event.key)) {
                current.scheduleRestart('API key changed');
            }
        }),
    );
    // The Python extension (optional) may activate later than us; its interpreter choice restarts the server.
    void onActiveEnvironmentChange(() => void current.pythonEnvironmentChanged()).then(
        (disposable) => disposable && context.subscriptions.push(disposable),
    );
    await current.restart('activation');
}

export async function deactivate(): Promise<void> {
    await server?.stop();
    server = undefined;
}
