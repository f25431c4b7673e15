/**
 * Starts, restarts and stops the PostHog language server (`<python> -m lsp_server` over stdio).
 *
 * Restarts are serialised and debounced; settings the server can take live are sent as
 * workspace/didChangeConfiguration instead. When no usable Python is found the user gets a notification
 * with a way out (a private environment from the bundled wheel, or picking an interpreter), never silence.
 */
import { spawn } from 'child_process';
import * as os from 'os';
import * as vscode from 'vscode';
import {
    DidChangeConfigurationNotification,
    ExecuteCommandRequest,
    LanguageClient,
    LanguageClientOptions,
    ServerOptions,
    State,
    StaticFeature,
    DynamicFeature,
    TransportKind,
} from 'vscode-languageclient/node';
import {
    bundledWheel,
    chooseInterpreter,
    createPrivateEnv,
    Interpreter,
    privateEnvPython,
    probe,
    ProbeResult,
    resolveInterpreter,
    serverCommand,
    SOURCE_LABEL,
} from './interpreter';
import { activeEnvironmentPython, hasPythonExtension } from './python';
import { readSecrets, serverEnvironment } from './secrets';
import { PosthogSettings, readSettings, SECTION, toInitializationOptions } from './settings';
import { ServerCommandsFeature } from './serverCommands';
import { StatusBar } from './status';

/** Commands the client registers itself; the server's commands with these ids are reached through them. */
export const CLIENT_COMMANDS: ReadonlySet<string> = new Set([
    'posthog.integrate',
    'posthog.scanWorkspace',
    'posthog.showEventPlan',
    'posthog.setProjectApiKey',
    'posthog.setAnthropicApiKey',
    'posthog.restart',
    'posthog.showOutput',
    'posthog.showMenu',
]);

// svelte / vue: the server analyses their <script> blocks
// (also by file name: without a Svelte/Vue extension VS Code opens them as plain text, and the server reads the
// language from the extension then)
const DOCUMENT_SELECTOR: ({ scheme: string; language: string } | { scheme: string; pattern: string })[] = [
    ...['python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'svelte', 'vue'].map(
        (language) => ({ scheme: 'file', language }),
    ),
    { scheme: 'file', pattern: '**/*.{svelte,vue}' },
];

export function currentSettings(): PosthogSettings {
    const config = vscode.workspace.getConfiguration(SECTION);
    return readSettings((key) => config.get(key));
}

/** languageclient's client, with the executeCommand feature replaced (see serverCommands.ts). */
class PosthogLanguageClient extends LanguageClient {
    declare serverCommands?: ServerCommandsFeature; // `declare`: no field initialiser to overwrite it

    override registerFeature(feature: StaticFeature | DynamicFeature<unknown>): void {
        const dynamic = feature as DynamicFeature<unknown>;
        if (dynamic.registrationType?.method === ExecuteCommandRequest.method) {
            // Runs inside the base constructor, before subclass fields are initialised.
            const replacement = new ServerCommandsFeature(this, CLIENT_COMMANDS);
            this.serverCommands = replacement;
            super.registerFeature(replacement);
            return;
        }
        super.registerFeature(feature);
    }
}

export type CommandOutcome = { supported: false } | { supported: true; result: unknown };

export class PosthogServer implements vscode.Disposable {
    private client: PosthogLanguageClient | undefined;
    private queue: Promise<void> = Promise.resolve();
    private restartTimer: NodeJS.Timeout | undefined;
    private notifyTimer: NodeJS.Timeout | undefined;
    private interpreter: Interpreter | undefined;
    private firstDiagnostics = false;
    private setupOffered = false;
    private disposed = false;

    constructor(
        private readonly context: vscode.ExtensionContext,
        private readonly log: vscode.LogOutputChannel,
        private readonly status: StatusBar,
        private readonly activatedAt: number,
    ) {}

    get running(): boolean {
        return this.client?.state === State.Running;
    }

    /** Restarts now (serialised with any restart in flight). */
    restart(reason: string): Promise<void> {
        clearTimeout(this.restartTimer);
        this.queue = this.queue.then(() => this.start(reason)).catch((error) => this.fail(error));
        return this.queue;
    }

    /** Restarts once things settle (settings edits, secret changes, interpreter switches come in bursts). */
    scheduleRestart(reason: string, delayMs = 500): void {
        clearTimeout(this.restartTimer);
        this.restartTimer = setTimeout(() => void this.restart(reason), delayMs);
    }

    /** The Python extension switched environments: restart if that changes which Python runs the server. */
    async pythonEnvironmentChanged(): Promise<void> {
        if (currentSettings().interpreter.length > 0) {
            return; // posthog.interpreter wins over the Python extension
        }
        const python = await activeEnvironmentPython(vscode.workspace.workspaceFolders?.[0]?.uri);
        if (this.running && python !== undefined && this.interpreter?.argv[0] === python) {
            return;
        }
        this.scheduleRestart('Python interpreter changed');
    }

    /** Sends the current settings to the running server (debounced). */
    scheduleConfigurationChange(delayMs = 300): void {
        clearTimeout(this.notifyTimer);
        this.notifyTimer = setTimeout(() => {
            const client = this.client;
            if (client?.state !== State.Running) {
                return;
            }
            const settings = toInitializationOptions(currentSettings());
            this.log.info('settings changed; sending workspace/didChangeConfiguration');
            client.sendNotification(DidChangeConfigurationNotification.type, { settings }).catch((error) =>
                this.log.error(`didChangeConfiguration failed: ${error}`),
            );
        }, delayMs);
    }

    /** Runs a server command if the server advertises it. */
    async executeCommand(command: string, args: unknown[] = []): Promise<CommandOutcome> {
        const client = this.client;
        if (!client || client.state !== State.Running || !client.serverCommands?.supports(command)) {
            return { supported: false };
        }
        const result = await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
        return { supported: true, result };
    }

    async stop(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        if (client) {
            try {
                await client.stop(5000);
            } catch (error) {
                this.log.warn(`stopping the server: ${error}`);
            }
            await client.dispose().catch(() => undefined);
        }
    }

    dispose(): void {
        this.disposed = true;
        clearTimeout(this.restartTimer);
        clearTimeout(this.notifyTimer);
        void this.stop();
    }

    private async start(reason: string): Promise<void> {
        if (this.disposed) {
            return;
        }
        this.log.info(`starting the server (${reason})`);
        this.status.set('starting');
        await this.stop();
        const settings = currentSettings();
        // The server's working directory is on its sys.path (`-m`): the workspace, never the editor's cwd.
        const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.tmpdir();
        const interpreter = await this.findInterpreter(settings, cwd);
        if (!interpreter) {
            return;
        }
        const { command, args } = serverCommand(interpreter);
        const env = serverEnvironment(process.env, await this.storedSecrets());
        const serverOptions: ServerOptions = { command, args, transport: TransportKind.stdio, options: { env, cwd } };
        const client = new PosthogLanguageClient('posthog', 'PostHog', serverOptions, this.clientOptions());
        client.onDidChangeState((event) => {
            if (this.client === client) {
                const detail = `Python: ${interpreter.argv.join(' ')} (from ${SOURCE_LABEL[interpreter.source]})`;
                this.status.set(event.newState === State.Running ? 'running' : event.newState === State.Starting ? 'starting' : 'stopped', detail);
            }
        });
        this.client = client;
        this.interpreter = interpreter;
        this.log.info(`launching: ${command} ${args.join(' ')} (python from ${SOURCE_LABEL[interpreter.source]})`);
        const startedAt = Date.now();
        await client.start();
        this.log.info(`server running after ${Date.now() - startedAt} ms (${Date.now() - this.activatedAt} ms after activation)`);
    }

    private clientOptions(): LanguageClientOptions {
        return {
            documentSelector: DOCUMENT_SELECTOR,
            outputChannel: this.log,
            traceOutputChannel: this.log,
            initializationOptions: () => toInitializationOptions(currentSettings()),
            middleware: {
                // Timing for the log: pushed (publishDiagnostics) or pulled (textDocument/diagnostic).
                handleDiagnostics: (uri, diagnostics, next) => {
                    this.noteDiagnostics(uri, diagnostics.length);
                    next(uri, diagnostics);
                },
                provideDiagnostics: async (document, previousResultId, token, next) => {
                    const report = await next(document, previousResultId, token);
                    const uri = document instanceof vscode.Uri ? document : document.uri;
                    this.noteDiagnostics(uri, report && 'items' in report ? report.items.length : 0);
                    return report;
                },
                workspace: {
                    // The server may pull `posthog` settings: answer in the same shape as initializationOptions.
                    configuration: (params, token, next) => {
                        if (params.items.some((item) => item.section === SECTION)) {
                            const options = toInitializationOptions(currentSettings());
                            return params.items.map((item) => (item.section === SECTION ? options : null));
                        }
                        return next(params, token);
                    },
                },
            },
        };
    }

    /** Stored API keys; a secret storage that does not answer (a web client gone) must not block the start. */
    private async storedSecrets(timeoutMs = 5000): Promise<Record<string, string | undefined>> {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
        const values = await Promise.race([readSecrets(this.context.secrets), timeout]);
        clearTimeout(timer);
        if (values === undefined) {
            this.log.warn('secret storage did not answer: starting the server without the stored API keys');
            return {};
        }
        return values;
    }

    private noteDiagnostics(uri: vscode.Uri, count: number): void {
        if (!this.firstDiagnostics && count > 0) {
            this.firstDiagnostics = true;
            this.log.info(`first diagnostics ${Date.now() - this.activatedAt} ms after activation (${uri.fsPath})`);
        }
    }

    /** A Python that can run the server, or undefined after telling the user what to do. */
    private async findInterpreter(settings: PosthogSettings, cwd: string): Promise<Interpreter | undefined> {
        const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
        const chosen = chooseInterpreter(settings.interpreter, await activeEnvironmentPython(resource));
        const privateEnv: Interpreter = { argv: [privateEnvPython(this.storageDir())], source: 'private-env' };
        const found = await resolveInterpreter(chosen, privateEnv, (candidate) => probe(candidate, cwd));
        if (found.interpreter === undefined) {
            this.log.warn(found.problem.detail);
            this.status.set('needs-setup', found.problem.detail);
            void this.offerSetup(found.tried, found.problem);
            return undefined;
        }
        if (found.fallbackFrom && !found.fallbackFrom.ok) {
            this.log.warn(`${found.fallbackFrom.detail}: using PostHog's private environment instead`);
        }
        const { interpreter, version } = found;
        this.log.info(`python ${version}: ${interpreter.argv.join(' ')} (from ${SOURCE_LABEL[interpreter.source]})`);
        return interpreter;
    }

    private storageDir(): string {
        return this.context.globalStorageUri.fsPath;
    }

    /** The notification with a way out: a private environment or another interpreter. */
    private async offerSetup(chosen: Interpreter, problem: Extract<ProbeResult, { ok: false }>): Promise<void> {
        if (this.setupOffered) {
            return; // one notification at a time; the status bar keeps showing the state
        }
        this.setupOffered = true;
        const create = 'Create a private environment';
        const select = 'Select interpreter';
        const output = 'Show output';
        const wheel = bundledWheel(this.context.asAbsolutePath('bundled'));
        const canCreate = problem.problem === 'missing-package' && wheel !== undefined;
        const actions = canCreate ? [create, select, output] : [select, output];
        const message = canCreate
            ? `PostHog: ${problem.detail}. Create a private environment for the language server, or select another interpreter.`
            : `PostHog: ${problem.detail}. The language server needs Python 3.11+ with posthog-lsp: select an interpreter.`;
        try {
            const choice = await vscode.window.showWarningMessage(message, ...actions);
            if (choice === create && wheel) {
                await this.createEnvironment(chosen, wheel);
            } else if (choice === select) {
                await selectInterpreter();
            } else if (choice === output) {
                this.log.show();
            }
        } finally {
            this.setupOffered = false;
        }
    }

    private async createEnvironment(base: Interpreter, wheel: string): Promise<void> {
        const storage = this.storageDir();
        try {
            await vscode.window.withProgress(
                { location: vscode.ProgressLocation.Notification, title: 'PostHog: creating a private environment…' },
                () => createPrivateEnv(base, storage, wheel, (command, args) => this.run(command, args)),
            );
            this.log.info(`private environment ready: ${privateEnvPython(storage)}`);
            await this.restart('private environment created');
        } catch (error) {
            this.status.set('failed', `${error}`);
            const choice = await vscode.window.showErrorMessage(
                `PostHog: could not create the private environment: ${error}`,
                'Show output',
            );
            if (choice) {
                this.log.show();
            }
        }
    }

    /** Runs a set-up step, streaming its output into the log. */
    private run(command: string, args: string[]): Promise<void> {
        this.log.info(`$ ${command} ${args.join(' ')}`);
        return new Promise((resolve, reject) => {
            const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
            const forward = (chunk: Buffer) => `${chunk}`.split('\n').filter(Boolean).forEach((line) => this.log.info(line));
            child.stdout.on('data', forward);
            child.stderr.on('data', forward);
            child.on('error', reject);
            child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
        });
    }

    private fail(error: unknown): void {
        this.log.error(`the server did not start: ${error}`);
        this.status.set('failed', `${error}`);
        void vscode.window.showErrorMessage(`PostHog: the language server did not start: ${error}`, 'Show output').then(
            (choice) => choice && this.log.show(),
        );
    }
}

/** The Python extension's picker when it is installed, else the posthog.interpreter setting. */
export async function selectInterpreter(): Promise<void> {
    if (hasPythonExtension()) {
        await vscode.commands.executeCommand('python.setInterpreter');
    } else {
        await vscode.commands.executeCommand('workbench.action.openSettings', 'posthog.interpreter');
    }
}
