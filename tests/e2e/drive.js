// Drives a real VS Code workbench (code-server) with playwright-core and Debian's chromium, as a user would:
// for each scenario, open the file, wait for the PostHog warning, apply the quick fix, save, and check the file
// on disk. Then open the status bar menu and run "PostHog: Scan workspace". Screenshots go to SHOT_DIR.
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
        action: async (page, shot) => {
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
};

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
                await scenario.action(page, shot);
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

        // Integrate: the server runs it, or the client says clearly that this server cannot yet.
        await palette('>', 'Notifications: Clear All Notifications');
        await palette('>', 'PostHog: Integrate PostHog');
        const answer = page.locator('.notifications-toasts .notification-toast', { hasText: /PostHog: (?!Integrate PostHog…)/ });
        await answer.first().waitFor({ timeout: 120000 });
        result.integrateMessage = (await answer.first().innerText()).trim();
        mark(`integrate answered: ${result.integrateMessage.split('\n')[0]}`);
        await shot('integrate');

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
        result.timings.total = ms();
        fs.writeFileSync(resultPath, JSON.stringify(result, null, 2));
        await browser.close();
    }
}

main().catch((error) => {
    console.error('FAIL', error.message);
    process.exit(1);
});
