import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as vscode from 'vscode';
import { registerCommands } from '../src/commands';
import { chooseIntegrationTarget, DetectedPackage, PackagePickItem, packagePickItems } from '../src/packagePick';
import { PosthogServer } from '../src/server';

const registry = (vscode as unknown as { __commands: Map<string, (...args: unknown[]) => unknown> }).__commands;

function pkg(folderName: string, path: string, framework: string, posthogInstalled = false): DetectedPackage {
    const folder = `file:///work/${folderName}`;
    return { folder, folderName, path, framework, posthogInstalled, argument: { folder, path } };
}

const MONOREPO = { packages: [pkg('mono', 'api', 'fastapi', true), pkg('mono', 'web', 'nextjs-app-router')], folders: 1 };

function fakeServer(listing: unknown, sent: Array<[string, unknown[]]>) {
    return async (command: string, args: unknown[] = []) => {
        sent.push([command, args]);
        return command === 'posthog.listPackages' ? { supported: listing !== undefined, result: listing } : { supported: true };
    };
}

test('a monorepo shows "All packages" and each package with its framework and PostHog status', async () => {
    const shown: PackagePickItem[][] = [];
    const sent: Array<[string, unknown[]]> = [];
    const args = await chooseIntegrationTarget(fakeServer(MONOREPO, sent), async (items) => {
        shown.push(items);
        return items[2];
    });
    const [items] = shown;
    assert.deepEqual(
        items.map((i) => [i.label, i.description, i.detail]),
        [
            ['$(layers) All packages', '2 packages', undefined],
            ['api', 'fastapi', 'PostHog SDK installed'],
            ['web', 'nextjs-app-router', 'PostHog not installed yet'],
        ],
    );
    // The picked package's argument goes to posthog.integrate as is.
    assert.deepEqual(args, [{ folder: 'file:///work/mono', path: 'web' }]);
});

test('picking "All packages" integrates everything and dismissing the pick integrates nothing', async () => {
    const all = await chooseIntegrationTarget(fakeServer(MONOREPO, []), async (items) => items[0]);
    assert.deepEqual(all, []);
    const dismissed = await chooseIntegrationTarget(fakeServer(MONOREPO, []), async () => undefined);
    assert.equal(dismissed, undefined);
});

test('a single package, or a server without posthog.listPackages, integrates without asking', async () => {
    const never = async (): Promise<PackagePickItem | undefined> => assert.fail('no quick pick expected');
    const single = { packages: [pkg('shop', '.', 'flask')], folders: 1 };
    assert.deepEqual(await chooseIntegrationTarget(fakeServer(single, []), never), []);
    assert.deepEqual(await chooseIntegrationTarget(fakeServer(undefined, []), never), []);
    const failing = async () => Promise.reject(new Error('server busy'));
    assert.deepEqual(await chooseIntegrationTarget(failing, never), []);
});

test('in a multi-root workspace each package is labelled with its folder', () => {
    const items = packagePickItems([pkg('shop', '.', 'flask'), pkg('store', 'apps/web', 'react-spa')], 2);
    assert.deepEqual(items.slice(1).map((i) => i.label), ['shop', 'store/apps/web']);
    assert.deepEqual(items[2].args, [{ folder: 'file:///work/store', path: 'apps/web' }]);
});

test('the Integrate PostHog command asks first, then runs the server command with the picked package', async () => {
    const sent: Array<[string, unknown[]]> = [];
    const run = fakeServer(MONOREPO, sent);
    const server = { running: true, executeCommand: run } as unknown as PosthogServer;
    const window = vscode.window as unknown as { showQuickPick: unknown };
    const original = window.showQuickPick;
    window.showQuickPick = async (items: PackagePickItem[]) => items.find((i) => i.label === 'api');
    const context = { subscriptions: [] as vscode.Disposable[], secrets: {} } as unknown as vscode.ExtensionContext;
    try {
        registerCommands(context, server, {} as vscode.LogOutputChannel);
        await registry.get('posthog.integrate')?.();
    } finally {
        window.showQuickPick = original;
        context.subscriptions.forEach((d) => d.dispose());
    }
    assert.deepEqual(sent, [
        ['posthog.listPackages', []],
        ['posthog.integrate', [{ folder: 'file:///work/mono', path: 'api' }]],
    ]);
});
