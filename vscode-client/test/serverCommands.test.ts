import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as vscode from 'vscode';
import { BaseLanguageClient } from 'vscode-languageclient/node';
import { describeIntegration, describeResult, resultError } from '../src/commands';
import { ServerCommandsFeature } from '../src/serverCommands';

const registry = (vscode as unknown as { __commands: Map<string, (...args: unknown[]) => unknown> }).__commands;

function fakeClient(sent: unknown[]) {
    return {
        sendRequest: (_type: unknown, params: unknown) => {
            sent.push(params);
            return Promise.resolve({ applied: true });
        },
        handleFailedRequest: () => undefined,
    } as unknown as BaseLanguageClient;
}

test('server commands the client owns do not clash with the client command of the same id', async () => {
    const own = vscode.commands.registerCommand('posthog.integrate', () => 'client');
    const sent: unknown[] = [];
    const feature = new ServerCommandsFeature(fakeClient(sent), new Set(['posthog.integrate']));
    feature.initialize({ executeCommandProvider: { commands: ['posthog.integrate', 'posthog.trackFlow'] } });

    assert.equal(feature.supports('posthog.integrate'), true);
    assert.equal(feature.supports('posthog.somethingElse'), false);
    assert.equal(await vscode.commands.executeCommand('posthog.integrate'), 'client');
    // A lens command is forwarded to the server with its arguments.
    await vscode.commands.executeCommand('posthog.trackFlow', 'file:///a.ts', 3, 'login', 7);
    assert.deepEqual(sent, [{ command: 'posthog.trackFlow', arguments: ['file:///a.ts', 3, 'login', 7] }]);

    feature.clear();
    assert.equal(registry.has('posthog.trackFlow'), false);
    assert.equal(feature.supports('posthog.integrate'), false);
    own.dispose();
});

test('a server without the command is told apart from one that has it', () => {
    const feature = new ServerCommandsFeature(fakeClient([]), new Set());
    feature.initialize({});
    assert.equal(feature.supports('posthog.integrate'), false);
});

test('command results are summarised for the user', () => {
    assert.equal(describeResult('3 files changed', 'done'), '3 files changed');
    assert.equal(describeResult({ message: 'Added identify to login' }, 'done'), 'Added identify to login');
    assert.equal(
        describeResult({ version: 1, flows: [{}], summary: '1 package(s), 1 flow(s) (0 untracked)' }, 'Workspace scanned'),
        'Workspace scanned: 1 package(s), 1 flow(s) (0 untracked)',
    );
    assert.equal(describeResult({ version: 1 }, 'workspace scanned'), 'workspace scanned');
    assert.equal(describeResult(null, 'done'), 'done');
    assert.equal(describeResult({ version: 1, flows: [{}, {}], findings: [{}] }, 'Workspace scanned'), 'Workspace scanned: 2 flows, 1 finding');
    assert.equal(resultError({ version: 1, error: 'no workspace folder is open' }), 'no workspace folder is open');
    assert.equal(resultError({ version: 1, flows: [] }), undefined);
});

test('after Integrate PostHog the user is told what changed, which variable to set, or why nothing changed', () => {
    const done = describeIntegration({
        applied: true,
        files: ['app/login/actions.ts', '.posthog-events.json'],
        events: ['user_logged_in'],
        set_variables: ['NEXT_PUBLIC_POSTHOG_KEY'],
        env: ['`NEXT_PUBLIC_POSTHOG_KEY` set in `.env.local` (empty: set it to your project token)'],
        notes: [],
    });
    assert.deepEqual(done, {
        text: 'integrated 1 event in 2 files (user_logged_in); set NEXT_PUBLIC_POSTHOG_KEY to your project token',
        warning: false,
    });
    assert.deepEqual(describeIntegration({ applied: false, reason: 'save these files first: app/login/actions.ts' }), {
        text: 'Integrate PostHog: save these files first: app/login/actions.ts',
        warning: true,
    });
    assert.equal(describeIntegration({ applied: false, reason: 'already integrated: nothing to add', events: 0 })?.warning, false);
    assert.match(describeIntegration({ applied: true, files: ['a.ts'], events: [], notes: ['a.ts:3: TODO x'] })!.text, /1 TODO to review: a\.ts:3/);
    assert.equal(describeIntegration({ version: 1, flows: [] }), undefined);
});
