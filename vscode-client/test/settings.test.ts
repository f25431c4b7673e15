import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reactionTo, readSettings, toInitializationOptions } from '../src/settings';

const from = (values: Record<string, unknown>) => (key: string) => values[key];

test('default settings reach the server as the documented initializationOptions', () => {
    assert.deepEqual(toInitializationOptions(readSettings(from({}))), {
        enable: true,
        severity: {},
        excludes: [],
        region: 'us',
        host: '',
        mcp: { mode: 'bundled', command: [], url: '' },
        agent: 'auto',
        model: '',
    });
});

test('user settings are forwarded to the server, client-only ones are not', () => {
    const options = toInitializationOptions(
        readSettings(
            from({
                enable: false,
                severity: { 'posthog/untracked-flow': 'off', 'posthog/missing-identify': 'Error' },
                excludes: ['legacy/**'],
                region: 'eu',
                host: 'https://ph.example.com/',
                'mcp.mode': 'command',
                'mcp.command': ['posthog-lsp', 'mcp'],
                agent: 'off',
                model: 'claude-sonnet-4-5',
                interpreter: ['/opt/py/bin/python'],
                'trace.server': 'verbose',
            }),
        ),
    );
    assert.deepEqual(options, {
        enable: false,
        severity: { 'posthog/untracked-flow': 'off', 'posthog/missing-identify': 'error' },
        excludes: ['legacy/**'],
        region: 'eu',
        host: 'https://ph.example.com',
        mcp: { mode: 'command', command: ['posthog-lsp', 'mcp'], url: '' },
        agent: 'off',
        model: 'claude-sonnet-4-5',
    });
    assert.equal('interpreter' in options, false);
    assert.equal('trace' in options, false);
});

test('malformed settings fall back to defaults instead of reaching the server', () => {
    const settings = readSettings(
        from({
            severity: { 'posthog/missing-reset': 'loud', 'posthog/legacy-api': 3 },
            excludes: 'dist/**',
            region: 'mars',
            'mcp.mode': 'carrier-pigeon',
            agent: true,
            interpreter: '/usr/bin/python3.12',
        }),
    );
    assert.deepEqual(settings.severity, {});
    assert.deepEqual(settings.excludes, ['dist/**']);
    assert.equal(settings.region, 'us');
    assert.equal(settings.mcp.mode, 'bundled');
    assert.equal(settings.agent, 'auto');
    assert.deepEqual(settings.interpreter, ['/usr/bin/python3.12']);
});

test('changing the interpreter restarts the server; other server settings are sent live', () => {
    const affects = (...changed: string[]) => (section: string) =>
        changed.some((key) => key === section || key.startsWith(`${section}.`));
    assert.equal(reactionTo(affects('posthog.interpreter')), 'restart');
    assert.equal(reactionTo(affects('posthog.severity')), 'notify');
    assert.equal(reactionTo(affects('posthog.mcp.url')), 'notify');
    assert.equal(reactionTo(affects('posthog.trace.server')), 'none');
    assert.equal(reactionTo(affects('editor.fontSize')), 'none');
    assert.equal(reactionTo(affects('posthog.interpreter', 'posthog.region')), 'restart');
});
