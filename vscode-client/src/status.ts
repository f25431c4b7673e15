/**
 * The status bar item: shows whether the PostHog server runs; a click opens the PostHog menu.
 */
import * as vscode from 'vscode';

export type ServerState = 'starting' | 'running' | 'stopped' | 'needs-setup' | 'failed';

const LOOK: Record<ServerState, { icon: string; label: string; background?: string }> = {
    starting: { icon: '$(sync~spin)', label: 'starting…' },
    running: { icon: '$(graph-line)', label: 'running' },
    stopped: { icon: '$(circle-slash)', label: 'stopped' },
    'needs-setup': { icon: '$(warning)', label: 'needs setup', background: 'statusBarItem.warningBackground' },
    failed: { icon: '$(error)', label: 'failed', background: 'statusBarItem.errorBackground' },
};

export class StatusBar implements vscode.Disposable {
    private readonly item = vscode.window.createStatusBarItem('posthog.status', vscode.StatusBarAlignment.Left, 0);
    state: ServerState = 'stopped';

    constructor() {
        this.item.name = 'PostHog';
        this.item.command = 'posthog.showMenu';
        this.set('starting');
        this.item.show();
    }

    /** `detail` (e.g. which Python runs the server) appears in the tooltip. */
    set(state: ServerState, detail?: string): void {
        const look = LOOK[state];
        this.state = state;
        this.item.text = `${look.icon} PostHog`;
        this.item.tooltip = `PostHog language server: ${look.label}${detail ? `\n${detail}` : ''}\nClick for PostHog commands`;
        this.item.backgroundColor = look.background ? new vscode.ThemeColor(look.background) : undefined;
    }

    dispose(): void {
        this.item.dispose();
    }
}
