// Drives a real VS Code workbench (code-server) with playwright-core and Debian's chromium, as a user would:
// for each scenario, open the file, wait for the PostHog warning, apply the quick fix, save, and check the file
// on disk. Then open the status bar menu, run "PostHog: Scan workspace" and set the project API key (E2E_COMMON=0
// skips these). The "integrate" scenario runs "PostHog: Integrate PostHog" through the Refactor Preview and checks
// the files on disk. Screenshots go to SHOT_DIR.
//
// Usage: node drive.js URL WORKSPACE SHOT_DIR RESULT_JSON
// Env: CHROMIUM_PATH (default: `command -v chromium`), E2E_SCENARIOS (names from SCENARIOS, space separated;
// default: the diagnostic scenarios), E2E_DIAGNOSTICS_TIMEOUT (ms to wait for a warning, default 45000).
// playwright-core must be resolvable (NODE_PATH=<.e2e/pw>/node_modules).
'use strict';
const { execSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

/** What a user does and sees, per diagnostic. `expect` is checked on the saved file. */
const SCENARIOS = {
    // The configured Python lacks the server: the notification offers a private environment; accept it.
    'private-env': {
        action: async ({ page, shot }) => {
            const button = page.locator('.notifications-toasts .monaco-button', { hasText: 'Create a private environment' });
            await button.first().waitFor({ timeout: 60000 });
            await shot('private-env-1-notification');
            await button.first().click();
        },
    },
    'hardcoded-key': {
        file: 'lib/posthog-server.ts',
        fix: /Read the PostHog key from/,
        expect: /new PostHog\(process\.env\.[A-Z_]+/,
        gone: /phc_9fYk2L/,
    },
    'missing-identify': {
        file: 'app/login/actions.ts',
        fix: /identify/i,
        expect: /posthog\.identify\(/,
    },
    // "PostHog: Integrate PostHog" on the untouched app: refused while a file is unsaved, then one edit shown
    // in the Refactor Preview, applied, saved; the files and the env file are checked on disk. It changes
    // files, so it runs last (its own session in run.sh).
    integrate: { action: integrate },
    // A multi-root workspace (web = the sample app, api = second-app): the Problems panel lists the hard-coded key
    // of api/server.js without opening it (workspace diagnostics over both folders), and "Integrate PostHog" asks
    // which package first; dismissing the quick pick changes nothing. Its own session in run.sh.
    'multi-root': { action: multiRoot },
};

/** The second folder's problem without opening the file, then the Integrate quick pick (dismissed). */
async function multiRoot({ page, shot, palette, mark, workspace, record }) {
    await page.keyboard.press('Control+Shift+M');  // View: Toggle Problems
    const problems = page.locator('.markers-panel');
    if (!await problems.first().isVisible().catch(() => false)) {
        await palette('>', 'View: Focus on Problems View', 'Focus on Problems View');
    }
    const row = problems.locator('.monaco-list-row', { hasText: 'server.js' });
    await row.first().waitFor({ timeout: DIAGNOSTICS_TIMEOUT });
    const key = problems.locator('.monaco-list-row', { hasText: 'posthog/hardcoded-key' });
    await key.first().waitFor({ timeout: 10000 });
    record.problems = (await problems.locator('.monaco-list-row').allInnerTexts()).map((t) => t.trim().split('\n').join(' '));
    mark(`multi-root: Problems lists the unopened api/server.js (${record.problems.length} rows)`);
    await shot('multi-root-1-problems');

    const before = fs.readFileSync(path.join(workspace, 'api', 'package.json'), 'utf8');
    await palette('>', 'PostHog: Integrate PostHog');
    const options = page.locator('.quick-input-list .monaco-list-row');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'All packages' }).first().waitFor({ timeout: 30000 });
    record.pick = (await options.allInnerTexts()).map((t) => t.trim().split('\n').join(' '));
    mark(`multi-root: Integrate asks which package: ${record.pick.join(' | ')}`);
    await shot('multi-root-2-package-pick');
    for (const expected of [/All packages/, /^web.*nextjs/, /^api.*node-express/]) {
        if (!record.pick.some((text) => expected.test(text))) {
            throw new Error(`multi-root: the package pick has no entry matching ${expected}: ${record.pick.join(' | ')}`);
        }
    }
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1500);
    if (await page.locator('.bulk-edit-panel .monaco-list-row').count() > 0) {
        throw new Error('multi-root: dismissing the package pick still showed a refactor preview');
    }
    if (fs.readFileSync(path.join(workspace, 'api', 'package.json'), 'utf8') !== before) {
        throw new Error('multi-root: dismissing the package pick changed files');
    }
}

/** Runs "Integrate PostHog" as a user would and checks what lands on disk. */
async function integrate({ page, shot, palette, mark, ms, workspace, record }) {
    const toast = (text) => page.locator('.notifications-toasts .notification-toast', { hasText: text });
    const clear = () => palette('>', 'Notifications: Clear All Notifications');
    const action = 'app/login/actions.ts';

    // An unsaved change in a file the integration edits: the server refuses and names the file.
    await palette('', action, path.basename(action));
    const editor = page.locator('.editor-group-container.active .monaco-editor').first();
    await editor.locator('.squiggly-warning').first().waitFor({ timeout: DIAGNOSTICS_TIMEOUT });
    mark('integrate: diagnostics rendered in the login action');
    record.diagnosticsMs = ms();
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n// draft');
    await page.locator('.tab.active.dirty').waitFor({ timeout: 10000 });
    await palette('>', 'PostHog: Integrate PostHog');
    const refusal = toast(/save these files first: app\/login\/actions\.ts/);
    await refusal.first().waitFor({ timeout: 60000 });
    record.refusal = (await refusal.first().innerText()).trim();
    mark(`integrate: refused while unsaved: ${record.refusal.split('\n')[0]}`);
    await shot('integrate-1-refused-unsaved');
    await palette('>', 'File: Revert File');
    await page.locator('.tab.active.dirty').waitFor({ state: 'detached', timeout: 10000 });
    await clear();

    // The whole integration as one edit in the Refactor Preview; "Apply" accepts every change.
    const started = ms();
    await palette('>', 'PostHog: Integrate PostHog');
    const preview = page.locator('.bulk-edit-panel');
    await preview.locator('.monaco-list-row').first().waitFor({ timeout: 120000 });
    await page.waitForTimeout(500);  // let the tree fill in
    record.previewMs = ms() - started;
    record.previewRows = (await preview.locator('.monaco-list-row').allInnerTexts()).map((t) => t.trim());
    mark(`integrate: refactor preview shown after ${record.previewMs} ms (${record.previewRows.length} rows)`);
    await shot('integrate-2-refactor-preview');
    // VS Code starts every change marked needsConfirmation unticked: tick them all, as the user reviews them.
    const unticked = preview.locator('.edit-checkbox:not(.checked)');
    record.untickedAtFirst = await unticked.count();
    for (let i = 0; i < 40 && await unticked.count() > 0; i++) {
        await unticked.first().click();
        await page.waitForTimeout(150);
    }
    if (await unticked.count() > 0) {
        throw new Error('integrate: could not tick every change in the refactor preview');
    }
    mark(`integrate: ticked the changes (${record.untickedAtFirst} unticked at first)`);
    await shot('integrate-2b-refactor-preview-ticked');
    const applyClicked = ms();
    await preview.locator('.buttons .monaco-button', { hasText: /^Apply$/ }).first().click();
    const done = toast(/PostHog: (integrated|Integrate PostHog:)/);
    await done.first().waitFor({ timeout: 60000 });
    record.message = (await done.first().innerText()).trim();
    record.applyMs = ms() - applyClicked;
    record.commandToResultMs = ms() - started;
    mark(`integrate: answered ${record.applyMs} ms after Apply: ${record.message.split('\n')[0]}`);
    await shot('integrate-3-result');
    if (!/PostHog: integrated/.test(record.message)) {
        throw new Error(`integrate: not applied: ${record.message}`);
    }
    await palette('>', 'File: Save All');
    await page.locator('.tab.dirty').first().waitFor({ state: 'detached', timeout: 15000 }).catch(() => undefined);
    mark('integrate: saved all');
    await shot('integrate-4-saved');

    // On disk: the event plan, a capture in the login action with its client module, env names without values.
    const read = (rel) => (fs.existsSync(path.join(workspace, rel)) ? fs.readFileSync(path.join(workspace, rel), 'utf8') : null);
    const after = {};
    const deadline = Date.now() + 10000;
    for (;;) {
        for (const rel of [action, '.posthog-events.json', '.env.local', 'lib/posthog-server.ts', 'instrumentation-client.ts']) {
            after[rel] = read(rel);
        }
        if (/posthog\.capture\(/.test(after[action] || '') || Date.now() > deadline) {
            break;
        }
        await page.waitForTimeout(250);
    }
    record.after = after;
    const fail = (why) => {
        throw new Error(`integrate: ${why}`);
    };
    let events;
    try {
        events = JSON.parse(after['.posthog-events.json']);
    } catch {
        fail(`.posthog-events.json is missing or not JSON:\n${after['.posthog-events.json']}`);
    }
    if (!Array.isArray(events) || !events.some((e) => e.event_name === 'user_logged_in')) {
        fail(`.posthog-events.json has no user_logged_in event:\n${after['.posthog-events.json']}`);
    }
    if (!/posthog\.capture\(\{[\s\S]*event: 'user_logged_in'/.test(after[action] || '')) {
        fail(`${action} on disk has no capture of user_logged_in:\n${after[action]}`);
    }
    const imported = /import \{ posthog \} from '([^']+)'/.exec(after[action])?.[1];
    const clientModule = imported && (imported.startsWith('@/') ? imported.slice(2) : path.join(path.dirname(action), imported));
    if (!clientModule || !['.ts', '.js', '.tsx'].some((ext) => read(clientModule + ext) !== null)) {
        fail(`${action} imports a PostHog client module that does not exist: ${imported}`);
    }
    for (const name of ['actions.ts', '.posthog-events.json']) {
        if (!record.previewRows.some((row) => row.includes(name))) {
            fail(`the refactor preview does not list ${name}: ${record.previewRows.join(' | ')}`);
        }
    }
    const env = after['.env.local'] || '';
    for (const name of ['NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN', 'NEXT_PUBLIC_POSTHOG_HOST']) {
        if (!new RegExp(`^${name}=`, 'm').test(env)) {
            fail(`.env.local does not name ${name}:\n${env}`);
        }
    }
    if (!/^NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN=["']?["']?\s*$/m.test(env) || /phc_/.test(env)) {
        fail(`.env.local holds a key value:\n${env}`);
    }

    // A second run finds everything in place and changes nothing.
    await clear();
    await palette('>', 'PostHog: Integrate PostHog');
    const again = toast(/PostHog: (integrated|Integrate PostHog:)/);
    await again.first().waitFor({ timeout: 60000 });
    record.secondRun = (await again.first().innerText()).trim();
    mark(`integrate: second run: ${record.secondRun.split('\n')[0]}`);
    await shot('integrate-5-second-run');
    if (!/already integrated/.test(record.secondRun) || await page.locator('.bulk-edit-panel .monaco-list-row').count() > 0) {
        fail(`a second run did not say it is already integrated: ${record.secondRun}`);
    }
}

const [url, workspace, shotDir, resultPath] = process.argv.slice(2);
if (!resultPath) {
    console.error('usage: node drive.js URL WORKSPACE SHOT_DIR RESULT_JSON');
    process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM_PATH || execSync('command -v chromium').toString().trim();
const wanted = (process.env.E2E_SCENARIOS || Object.keys(SCENARIOS).filter((n) => SCENARIOS[n].file).join(' ')).split(/\s+/).filter(Boolean);
const DIAGNOSTICS_TIMEOUT = Number(process.env.E2E_DIAGNOSTICS_TIMEOUT || 45000);
const t0 = Date.now();
const ms = () => Date.now() - t0;
const result = { timings: {}, scenarios: {}, ok: false };
const mark = (name) => {
    result.timings[name] = ms();
    console.log(`${String(ms()).padStart(6)} ms  ${name}`);
};

/** Polls /proc for a `-m lsp_server` process of session `sid` whose environment has `entry`; returns its pid. */
async function serverWithEnv(sid, entry, timeoutMs = 60000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
            try {
                const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
                const session = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
                const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
                if (session !== sid || !argv.includes('lsp_server')) {
                    continue;
                }
                if (fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry)) {
                    return Number(pid);
                }
            } catch {
                // the process ended meanwhile
            }
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error('no PostHog server process with the stored API key in its environment');
}

async function main() {
    const browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
            '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const shot = (name) => page.screenshot({ path: path.join(shotDir, `${name}.png`) });
    try {
        await page.goto(url, { waitUntil: 'domcontentloaded' });
        await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
        mark('workbench visible');

        // F1 opens the palette; prefix '>' runs a command, '' quick-opens a file. Retries until the entry
        // exists (our commands appear once the extension host is up). Titles must be exact and unambiguous.
        const palette = async (prefix, text, match = text) => {
            for (let i = 0; i < 30; i++) {
                await page.keyboard.press('F1');
                const input = page.locator('.quick-input-widget input');
                await input.waitFor({ state: 'visible', timeout: 10000 });
                await input.fill(prefix + text);
                await page.waitForTimeout(400);
                const row = page.locator('.quick-input-list .monaco-list-row', { hasText: match });
                if (await row.count() > 0) {
                    await row.first().click();
                    return;
                }
                await page.keyboard.press('Escape');
                await page.waitForTimeout(1000);
            }
            throw new Error(`not in palette: ${text}`);
        };

        const status = page.locator('.statusbar-item', { hasText: 'PostHog' });
        await status.first().waitFor({ timeout: 60000 });
        mark('PostHog status bar item visible (extension activated)');

        for (const name of wanted) {
            const scenario = SCENARIOS[name];
            if (!scenario) {
                throw new Error(`unknown scenario ${name}`);
            }
            const record = { file: scenario.file, ok: false };
            result.scenarios[name] = record;
            if (scenario.action) {
                await scenario.action({ page, shot, palette, mark, ms, workspace, record });
                mark(`${name}: done`);
                record.ok = true;
                continue;
            }
            const file = path.join(workspace, scenario.file);
            await palette('', scenario.file, path.basename(scenario.file));
            const editor = page.locator('.editor-group-container.active .monaco-editor').first();
            await editor.locator('.view-lines').waitFor({ timeout: 20000 });
            mark(`${name}: editor open`);
            // PostHog reports these as warnings; TypeScript's own validation is off in the test profile.
            const squiggle = editor.locator('.squiggly-warning');
            try {
                await squiggle.first().waitFor({ timeout: DIAGNOSTICS_TIMEOUT });
            } catch (error) {
                await shot(`${name}-no-diagnostics`);
                throw new Error(`${name}: no PostHog diagnostic in ${scenario.file} after ${DIAGNOSTICS_TIMEOUT} ms`);
            }
            mark(`${name}: diagnostics rendered`);
            record.diagnosticsMs = ms();
            await shot(`${name}-1-diagnostics`);

            // Put the cursor on the squiggle and open the light bulb menu (Ctrl+. = Quick Fix...).
            const box = await squiggle.first().boundingBox();
            await page.mouse.click(box.x + Math.min(box.width / 2, 20), box.y + box.height / 2);
            await page.waitForTimeout(300);
            const fix = page.locator('.action-widget .monaco-list-row', { hasText: scenario.fix });
            for (let i = 0; i < 5 && await fix.count() === 0; i++) {
                await page.keyboard.press('Control+.');
                await page.waitForTimeout(1000);
                if (await fix.count() === 0) {
                    await page.keyboard.press('Escape');
                }
            }
            await fix.first().waitFor({ timeout: 15000 });
            record.fixTitle = (await fix.first().innerText()).trim();
            await shot(`${name}-2-quickfix`);
            await fix.first().click();
            mark(`${name}: quick fix "${record.fixTitle}" applied`);
            await page.keyboard.press('Control+s');
            await page.locator('.tab.active.dirty').waitFor({ state: 'detached', timeout: 15000 });
            mark(`${name}: saved`);
            await page.waitForTimeout(500);
            await shot(`${name}-3-after`);
            const text = fs.readFileSync(file, 'utf8');
            record.after = text;
            if (!scenario.expect.test(text)) {
                throw new Error(`${name}: ${scenario.file} on disk does not match ${scenario.expect}:\n${text}`);
            }
            if (scenario.gone && scenario.gone.test(text)) {
                throw new Error(`${name}: ${scenario.file} on disk still matches ${scenario.gone}`);
            }
            record.ok = true;
        }

        if (process.env.E2E_COMMON === '0') {
            result.ok = true;
            return;
        }
        // The status bar item opens the PostHog menu; "Scan workspace" answers with a notification.
        await status.first().click();
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Scan workspace' }).waitFor({ timeout: 10000 });
        await shot('menu');
        mark('status bar menu open');
        await page.keyboard.press('Escape');
        await palette('>', 'PostHog: Scan workspace');
        const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /PostHog: (Workspace scanned|“Scan workspace”)/ });
        await toast.first().waitFor({ timeout: 60000 });
        result.scanMessage = (await toast.first().innerText()).trim();
        mark(`scan workspace answered: ${result.scanMessage.split('\n')[0]}`);
        await shot('scan');

        // An API key goes to secret storage (masked input) and restarts the server with it in its environment.
        if (process.env.E2E_PROJECT_KEY) {
            await palette('>', 'Notifications: Clear All Notifications');
            await palette('>', 'PostHog: Set project API key');
            const input = page.locator('.quick-input-widget input[type="password"]');
            await input.waitFor({ timeout: 10000 });
            await input.fill(process.env.E2E_PROJECT_KEY);
            await shot('set-key');
            await page.keyboard.press('Enter');
            await page.locator('.notifications-toasts', { hasText: 'saved in secret storage' }).waitFor({ timeout: 10000 });
            mark('project API key saved');
            // Keep the browser open meanwhile: in code-server the secret storage lives in the page.
            result.keyServerPid = await serverWithEnv(Number(process.env.E2E_SESSION_ID), `POSTHOG_PROJECT_TOKEN=${process.env.E2E_PROJECT_KEY}`);
            mark(`restarted server (pid ${result.keyServerPid}) has the key in its environment`);
        }
        result.ok = true;
    } finally {
        if (!result.ok) {
            await shot('failure').catch(() => undefined);
        }
        result.timings.total = ms();
        fs.writeFileSync(resultPath, JSON.stringify(result, null, 2));
        await browser.close();
    }
}

main().catch((error) => {
    console.error('FAIL', error.message);
    process.exit(1);
});
