/**
 * Server commands (workspace/executeCommand) as VS Code commands, without clashing with the client's own.
 *
 * vscode-languageclient registers every command the server advertises as a VS Code command; when the client
 * already owns that id (`posthog.integrate`, `posthog.scanWorkspace` wrap the server command with progress and
 * messages) the registration fails. This feature replaces the built-in one: it registers only the ids the
 * client does not own (e.g. commands behind code actions and CodeLens) and remembers all advertised ids so
 * the client can tell the user when the server does not support a command yet.
 */
import * as vscode from 'vscode';
import {
    BaseLanguageClient,
    ClientCapabilities,
    DynamicFeature,
    ExecuteCommandOptions,
    ExecuteCommandRegistrationOptions,
    ExecuteCommandRequest,
    FeatureState,
    RegistrationData,
    RegistrationType,
} from 'vscode-languageclient/node';

export class ServerCommandsFeature implements DynamicFeature<ExecuteCommandRegistrationOptions> {
    private readonly registrations = new Map<string, { commands: string[]; disposables: vscode.Disposable[] }>();

    constructor(
        private readonly client: BaseLanguageClient,
        private readonly clientOwned: ReadonlySet<string>,
    ) {}

    /** True when the running server advertises `command`. */
    supports(command: string): boolean {
        return [...this.registrations.values()].some((r) => r.commands.includes(command));
    }

    get registrationType(): RegistrationType<ExecuteCommandRegistrationOptions> {
        return ExecuteCommandRequest.type;
    }

    getState(): FeatureState {
        return { kind: 'workspace', id: this.registrationType.method, registrations: this.registrations.size > 0 };
    }

    fillClientCapabilities(capabilities: ClientCapabilities): void {
        capabilities.workspace = capabilities.workspace ?? {};
        capabilities.workspace.executeCommand = { dynamicRegistration: true };
    }

    initialize(capabilities: { executeCommandProvider?: ExecuteCommandOptions }): void {
        if (capabilities.executeCommandProvider) {
            this.register({ id: `static-${Date.now()}`, registerOptions: { ...capabilities.executeCommandProvider } });
        }
    }

    register(data: RegistrationData<ExecuteCommandRegistrationOptions>): void {
        const commands = data.registerOptions.commands ?? [];
        const disposables = commands
            .filter((command) => !this.clientOwned.has(command))
            .map((command) =>
                vscode.commands.registerCommand(command, (...args: unknown[]) =>
                    this.client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }).then(
                        (result) => result,
                        (error) => this.client.handleFailedRequest(ExecuteCommandRequest.type, undefined, error, undefined),
                    ),
                ),
            );
        this.registrations.set(data.id, { commands, disposables });
    }

    unregister(id: string): void {
        this.registrations.get(id)?.disposables.forEach((d) => d.dispose());
        this.registrations.delete(id);
    }

    clear(): void {
        for (const id of [...this.registrations.keys()]) {
            this.unregister(id);
        }
    }
}
