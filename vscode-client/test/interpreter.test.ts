import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import {
    bundledWheel,
    chooseInterpreter,
    createPrivateEnv,
    privateEnvPython,
    Interpreter,
    probe,
    ProbeResult,
    resolveInterpreter,
    serverCommand,
} from '../src/interpreter';

test('the posthog.interpreter setting wins over the Python extension and PATH', () => {
    assert.deepEqual(chooseInterpreter(['/venv/bin/python'], '/ext/python', 'linux'), {
        argv: ['/venv/bin/python'],
        source: 'setting',
    });
});

test("without a setting the Python extension's active environment is used", () => {
    assert.deepEqual(chooseInterpreter([], '/ext/python', 'linux'), { argv: ['/ext/python'], source: 'python-extension' });
});

test('without a setting or the Python extension, python3 on PATH runs the server', () => {
    assert.deepEqual(chooseInterpreter([], undefined, 'linux'), { argv: ['python3'], source: 'path' });
    assert.deepEqual(chooseInterpreter([''], '', 'win32'), { argv: ['python'], source: 'path' });
});

test('the server starts as <python> -m lsp_server, keeping interpreter arguments', () => {
    assert.deepEqual(serverCommand({ argv: ['uv', 'run', 'python'], source: 'setting' }), {
        command: 'uv',
        args: ['run', 'python', '-m', 'lsp_server'],
    });
});

const PROJECT_PYTHON = path.resolve(__dirname, '../../.venv/bin/python');

test('a python with the server package passes the check', { skip: !fs.existsSync(PROJECT_PYTHON) }, async () => {
    const result = await probe({ argv: [PROJECT_PYTHON], source: 'setting' });
    assert.equal(result.ok, true, JSON.stringify(result));
});

test('a python without the server package is reported as missing the package', { skip: !fs.existsSync(PROJECT_PYTHON) }, async () => {
    // -I -S: no site-packages and no working directory on sys.path, so lsp_server cannot be imported.
    const result = await probe({ argv: [PROJECT_PYTHON, '-I', '-S'], source: 'setting' });
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.problem, 'missing-package');
    assert.match(!result.ok ? result.detail : '', /does not have the posthog-lsp package/);
});

test('a missing interpreter is reported as not found', async () => {
    const result = await probe({ argv: ['/nonexistent/python3'], source: 'setting' });
    assert.equal(!result.ok && result.problem, 'not-found');
});

test('the bundled wheel is found next to the extension', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'posthog-bundled-'));
    assert.equal(bundledWheel(dir), undefined);
    assert.equal(bundledWheel(path.join(dir, 'missing')), undefined);
    fs.writeFileSync(path.join(dir, 'posthog_lsp-0.1.0-py3-none-any.whl'), '');
    fs.writeFileSync(path.join(dir, 'notes.txt'), '');
    assert.equal(bundledWheel(dir), path.join(dir, 'posthog_lsp-0.1.0-py3-none-any.whl'));
});

test('creating the private environment makes a venv in storage and installs the bundled wheel', async () => {
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'posthog-storage-'));
    const calls: string[][] = [];
    const result = await createPrivateEnv({ argv: ['python3'], source: 'path' }, storage, '/ext/bundled/p.whl', async (c, a) => {
        calls.push([c, ...a]);
    });
    const python = privateEnvPython(storage, process.platform);
    assert.deepEqual(calls, [
        ['python3', '-m', 'venv', '--clear', path.join(storage, 'venv')],
        [python, '-m', 'pip', 'install', '--disable-pip-version-check', '--upgrade', '/ext/bundled/p.whl'],
    ]);
    assert.deepEqual(result, { argv: [python], source: 'private-env' });
});

const chosen: Interpreter = { argv: ['/usr/bin/python3'], source: 'path' };
const privateEnv: Interpreter = { argv: ['/storage/venv/bin/python'], source: 'private-env' };
const missing: ProbeResult = { ok: false, problem: 'missing-package', detail: 'no posthog-lsp' };
const checker = (working: string[]) => async (i: Interpreter): Promise<ProbeResult> =>
    working.includes(i.argv[0]) ? { ok: true, version: '3.12.1' } : missing;

test('a chosen python that has the server runs it, even when a private environment exists', async () => {
    const found = await resolveInterpreter(chosen, privateEnv, checker(['/usr/bin/python3', '/storage/venv/bin/python']));
    assert.deepEqual(found, { interpreter: chosen, version: '3.12.1' });
});

test('a chosen python without the server falls back to the private environment created earlier', async () => {
    const found = await resolveInterpreter(chosen, privateEnv, checker(['/storage/venv/bin/python']));
    assert.equal(found.interpreter, privateEnv);
});

test('without any working python the problem of the chosen one is reported for the notification', async () => {
    const found = await resolveInterpreter(chosen, privateEnv, checker([]));
    assert.deepEqual(found, { interpreter: undefined, problem: missing, tried: chosen });
});
