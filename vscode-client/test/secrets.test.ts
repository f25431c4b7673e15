import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANTHROPIC_API_KEY, PROJECT_API_KEY, serverEnvironment } from '../src/secrets';

test('stored API keys reach the server as environment variables', () => {
    const env = serverEnvironment(
        { PATH: '/usr/bin' },
        { [PROJECT_API_KEY.key]: 'phc_stored', [ANTHROPIC_API_KEY.key]: 'sk-ant-stored' },
    );
    assert.equal(env.POSTHOG_PROJECT_TOKEN, 'phc_stored');
    assert.equal(env.ANTHROPIC_API_KEY, 'sk-ant-stored');
    assert.equal(env.PATH, '/usr/bin');
});

test('without a stored key the inherited environment is kept as it is', () => {
    const base = { ANTHROPIC_API_KEY: 'sk-from-shell' };
    const env = serverEnvironment(base, { [PROJECT_API_KEY.key]: undefined });
    assert.equal(env.ANTHROPIC_API_KEY, 'sk-from-shell');
    assert.equal('POSTHOG_PROJECT_TOKEN' in env, false);
    assert.notEqual(env, base);
});
