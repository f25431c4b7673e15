/**
 * The PostHog commands in the palette and the status bar menu.
 */
import * as vscode from 'vscode';
import { chooseIntegrationTarget } from './packagePick';
import { ANTHROPIC_API_KEY, PROJECT_API_KEY, promptForSecret } from './secrets';
import { PosthogServer } from './server';

export const EVENT_PLAN_FILE = '.posthog-events.json';

/** One line for the user from whatever a server command returned. */
export function describeResult(result: unknown, fallback: string): string {
    if (typeof result === 'string' && result.trim()) {
        return result.trim();
    }
    if (result && typeof result === 'object') {
        const fields = result as Record<string, unknown>;
        if (typeof fields.message === 'string' && fields.message.trim()) {
            return fields.message.trim();
        }
        // A summary is what was found ("1 flow(s) ... in 6 file(s)"): say which command found it.
        if (typeof fields.summary === 'string' && fields.summary.trim()) {
            return `${fallback}: ${fields.summary.trim()}`;
        }
        // A scan result (JSON v1): count what it found.
        const counts = ['files', 'flows', 'findings']
            .filter((key) => Array.isArray(fields[key]))
            .map((key) => {
                const count = (fields[key] as unknown[]).length;
                return `${count} ${count === 1 ? key.slice(0, -1) : key}`;
            });
        if (counts.length > 0) {
            return `${fallback}: ${counts.join(', ')}`;
        }
    }
    return fallback;
}

/** The error a server command reported in its result (`{"error": "..."}`), if any. */
export function resultError(result: unknown): string | undefined {
    const error = result && typeof result === 'object' ? (result as Record<string, unknown>).error : undefined;
    return typeof error === 'string' && error.trim() ? error.trim() : undefined;
}

/** What the user is told after "Integrate PostHog"; undefined when the result is not an integration result. */
export function describeIntegration(result: unknown): { text: string; warning: boolean } | undefined {
    if (!result || typeof result !== 'object' || typeof (result as Record<string, unknown>).applied !== 'boolean') {
        return undefined;
    }
    const fields = result as Record<string, unknown>;
    const list = (key: string) => (Array.isArray(fields[key]) ? (fields[key] as unknown[]).map(String) : []);
    const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
    if (!fields.applied) {
        const reason = typeof fields.reason === 'string' && fields.reason.trim() ? fields.reason.trim() : 'nothing was changed';
        const quiet = /^(already integrated|cancelled)/.test(reason);
        return { text: `Integrate PostHog: ${reason}`, warning: !quiet };
    }
    const events = list('events');
    const parts = [`integrated ${plural(events.length, 'event')} in ${plural(list('files').length, 'file')}`];
    if (events.length > 0) {
        parts[0] += ` (${events.join(', ')})`;
    }
    const unset = list('set_variables');
    if (unset.length > 0) {
        parts.push(`set ${unset.join(', ')} to your project token`);
    }
    const notes = list('notes');
    if (notes.length > 0) {
        parts.push(`${plural(notes.length, 'TODO')} to review: ${notes.join(' ')}`);
    }
    return { text: parts.join('; '), warning: false };
}

/** Runs a server command with progress, or says clearly why it cannot run. */
async function runServerCommand(
    server: PosthogServer,
    command: string,
    title: string,
    done: string,
    args: unknown[] = [],
): Promise<void> {
    if (!server.running) {
        const choice = await vscode.window.showWarningMessage(
            `PostHog: the language server is not running, so “${title}” cannot run.`,
            'Restart server',
            'Show output',
        );
        if (choice === 'Restart server') {
            await vscode.commands.executeCommand('posthog.restart');
        } else if (choice === 'Show output') {
            await vscode.commands.executeCommand('posthog.showOutput');
        }
        return;
    }
    try {
        const outcome = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: `PostHog: ${title}…` },
            () => server.executeCommand(command, args),
        );
        if (!outcome.supported) {
            vscode.window.showInformationMessage(
                `PostHog: “${title}” is not supported by this version of the PostHog language server yet.`,
            );
            return;
        }
        const integration = describeIntegration(outcome.result);
        const error = resultError(outcome.result);
        if (integration) {
            const text = `PostHog: ${integration.text}`;
            if (integration.warning) {
                vscode.window.showWarningMessage(text);
            } else {
                vscode.window.showInformationMessage(text);
            }
        } else if (error) {
            vscode.window.showWarningMessage(`PostHog: “${title}”: ${error}`);
        } else {
            vscode.window.showInformationMessage(`PostHog: ${describeResult(outcome.result, done)}`);
        }
    } catch (error) {
        vscode.window.showErrorMessage(`PostHog: “${title}” failed: ${error instanceof Error ? error.message : error}`);
    }
}

async function showEventPlan(): Promise<void> {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
        const uri = vscode.Uri.joinPath(folder.uri, EVENT_PLAN_FILE);
        try {
            await vscode.workspace.fs.stat(uri);
        } catch {
            continue;
        }
        await vscode.window.showTextDocument(uri);
        return;
    }
    const integrate = 'Integrate PostHog';
    const choice = await vscode.window.showInformationMessage(
        `PostHog: there is no event plan (${EVENT_PLAN_FILE}) yet. “Integrate PostHog” writes one.`,
        integrate,
    );
    if (choice === integrate) {
        await vscode.commands.executeCommand('posthog.integrate');
    }
}

interface MenuItem extends vscode.QuickPickItem {
    command: string;
}

const MENU: MenuItem[] = [
    { label: '$(sparkle) Integrate PostHog', command: 'posthog.integrate' },
    { label: '$(search) Scan workspace', command: 'posthog.scanWorkspace' },
    { label: '$(list-unordered) Show event plan', command: 'posthog.showEventPlan' },
    { label: '$(key) Set project API key', command: 'posthog.setProjectApiKey' },
    { label: '$(key) Set Anthropic API key', command: 'posthog.setAnthropicApiKey' },
    { label: '$(debug-restart) Restart server', command: 'posthog.restart' },
    { label: '$(output) Show output', command: 'posthog.showOutput' },
];

export function registerCommands(
    context: vscode.ExtensionContext,
    server: PosthogServer,
    log: vscode.LogOutputChannel,
): void {
    const register = (id: string, handler: () => unknown) =>
        context.subscriptions.push(vscode.commands.registerCommand(id, handler));
    register('posthog.integrate', async () => {
        // In a monorepo or multi-root workspace the user picks the package (or all of them) first.
        const args = server.running
            ? await chooseIntegrationTarget(
                  (command, commandArgs) => server.executeCommand(command, commandArgs),
                  (items, options) => vscode.window.showQuickPick(items, options),
              )
            : [];
        if (args !== undefined) {
            await runServerCommand(server, 'posthog.integrate', 'Integrate PostHog', 'Integration finished', args);
        }
    });
    register('posthog.scanWorkspace', () =>
        runServerCommand(server, 'posthog.scanWorkspace', 'Scan workspace', 'Workspace scanned'),
    );
    register('posthog.showEventPlan', showEventPlan);
    // A new key reaches the server through its environment, so the server restarts.
    register('posthog.setProjectApiKey', async () => {
        if (await promptForSecret(context.secrets, PROJECT_API_KEY)) {
            server.scheduleRestart('project API key changed', 0);
        }
    });
    register('posthog.setAnthropicApiKey', async () => {
        if (await promptForSecret(context.secrets, ANTHROPIC_API_KEY)) {
            server.scheduleRestart('Anthropic API key changed', 0);
        }
    });
    register('posthog.restart', () => server.restart('restart requested'));
    register('posthog.showOutput', () => log.show());
    register('posthog.showMenu', async () => {
        const pick = await vscode.window.showQuickPick(MENU, { title: 'PostHog', placeHolder: 'Choose a PostHog command' });
        if (pick) {
            await vscode.commands.executeCommand(pick.command);
        }
    });
}
