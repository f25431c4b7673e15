// A stand-in for the `vscode` module in unit tests (bundled in by esbuild's --alias:vscode=...).
// Records registered commands and shown messages; anything else vscode-languageclient touches at load
// time resolves to an inert class.
'use strict';
const commands = new Map();
const messages = [];
const configuration = {};
class Inert { constructor(...args) { this.args = args; } }
class Disposable {
    constructor(fn) { this.fn = fn; }
    dispose() { if (this.fn) { this.fn(); this.fn = undefined; } }
    static from(...items) { return new Disposable(() => items.forEach((d) => d.dispose())); }
}
class EventEmitter {
    constructor() { this.listeners = []; this.event = (l) => { this.listeners.push(l); return new Disposable(() => {}); }; }
    fire(value) { this.listeners.forEach((l) => l(value)); }
    dispose() {}
}
const api = {
    version: '1.91.0',
    Disposable,
    EventEmitter,
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    ThemeColor: class ThemeColor { constructor(id) { this.id = id; } },
    Uri: {
        file: (p) => ({ fsPath: p, path: p, scheme: 'file', toString: () => `file://${p}` }),
        joinPath: (base, ...parts) => api.Uri.file([base.fsPath, ...parts].join('/')),
    },
    commands: {
        registerCommand(id, handler) {
            if (commands.has(id)) { throw new Error(`command '${id}' already exists`); }
            commands.set(id, handler);
            return new Disposable(() => commands.delete(id));
        },
        executeCommand(id, ...args) { const h = commands.get(id); return Promise.resolve(h ? h(...args) : undefined); },
    },
    window: {
        showInformationMessage(message) { messages.push(['info', message]); return Promise.resolve(undefined); },
        showWarningMessage(message) { messages.push(['warning', message]); return Promise.resolve(undefined); },
        showErrorMessage(message) { messages.push(['error', message]); return Promise.resolve(undefined); },
        withProgress(_options, task) { return task({ report() {} }, { isCancellationRequested: false }); },
    },
    workspace: {
        workspaceFolders: undefined,
        getConfiguration() { return { get: (key, fallback) => (key in configuration ? configuration[key] : fallback) }; },
    },
    extensions: { getExtension() { return undefined; } },
    // test hooks
    __commands: commands,
    __messages: messages,
    __configuration: configuration,
};
module.exports = new Proxy(api, { get: (target, name) => (name in target ? target[name] : Inert) });
