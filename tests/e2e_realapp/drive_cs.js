// Plays a user on a real app in a real VS Code (code-server) with playwright-core and Debian's chromium: for each
// step, quick-open the file, wait for PostHog's warnings, go to the step's line, open the light bulb (Ctrl+.),
// click the fix whose title matches, "File: Save All", and check the file on disk and the squiggle count.
// Usage: node drive_cs.js URL WORKSPACE SHOT_DIR RESULT_JSON; E2E_STEPS = JSON [{ file, line, fix, expect }]
// (fix and expect are regular-expression sources; line is 1-based). NODE_PATH must resolve playwright-core.
'use strict';
const { execSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const [url, workspace, shotDir, resultPath] = process.argv.slice(2);
const STEPS = JSON.parse(process.env.E2E_STEPS || '[]');
const CHROMIUM = process.env.CHROMIUM_PATH || execSync('command -v chromium').toString().trim();
const t0 = Date.now();
const ms = () => Date.now() - t0;
const result = { timings: {}, steps: [], ok: false };
const mark = (name) => {
    result.timings[name] = ms();
    console.log(`${String(ms()).padStart(6)} ms  ${name}`);
};

async function main() {
    const browser = await chromium.launch({
        executablePath: CHROMIUM, headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
            '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const shot = (name) => page.screenshot({ path: path.join(shotDir, `${name}.png`) });
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
    try {
        await page.goto(url, { waitUntil: 'domcontentloaded' });
        await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
        mark('workbench visible');
        await page.locator('.statusbar-item', { hasText: 'PostHog' }).first().waitFor({ timeout: 60000 });
        mark('PostHog extension active');
        for (const [i, step] of STEPS.entries()) {
            const record = { ...step, ok: false };
            result.steps.push(record);
            const name = `step${i + 1}`;
            await palette('', step.file, path.basename(step.file));
            const editor = page.locator('.editor-group-container.active .monaco-editor').first();
            await editor.locator('.view-lines').waitFor({ timeout: 20000 });
            const opened = ms();
            const squiggle = editor.locator('.squiggly-warning, .squiggly-info, .squiggly-hint');  // untracked-flow is a hint
            await squiggle.first().waitFor({ timeout: 45000 });
            await page.waitForTimeout(1000);  // let every warning of the file render
            record.msToDiagnostics = ms() - opened;
            record.squigglesBefore = await squiggle.count();
            const hints = editor.locator('.squiggly-hint');  // untracked-flow; a fix may add another kind of warning
            record.hintsBefore = await hints.count();
            mark(`${name}: ${record.squigglesBefore} warnings in ${step.file} after ${record.msToDiagnostics} ms`);
            await shot(`${name}-1-diagnostics`);
            await palette('>', 'Go to Line/Column...', 'Go to Line');
            await page.keyboard.type(String(step.line));
            await page.keyboard.press('Enter');
            await page.keyboard.press('End');
            const fix = page.locator('.action-widget .monaco-list-row', { hasText: new RegExp(step.fix) });
            const asked = ms();
            for (let k = 0; k < 5 && await fix.count() === 0; k++) {
                await page.keyboard.press('Control+.');
                await page.waitForTimeout(800);
                if (await fix.count() === 0) await page.keyboard.press('Escape');
            }
            await fix.first().waitFor({ timeout: 15000 });
            record.msToActions = ms() - asked;
            record.actions = (await page.locator('.action-widget .monaco-list-row').allInnerTexts()).map((t) => t.trim());
            record.applied = (await fix.first().innerText()).trim();
            await shot(`${name}-2-quickfix`);
            await fix.first().click();
            mark(`${name}: applied "${record.applied}"`);
            await page.waitForTimeout(500);
            await palette('>', 'File: Save All', 'File: Save All');
            await page.waitForTimeout(2500);  // the re-check after the edit
            record.squigglesAfter = await squiggle.count();
            record.hintsAfter = await hints.count();
            record.dirtyTabs = await page.locator('.tab.dirty').count();
            await shot(`${name}-3-after`);
            const text = fs.readFileSync(path.join(workspace, step.file), 'utf8');
            if (!new RegExp(step.expect).test(text)) throw new Error(`${step.file} on disk does not match ${step.expect}`);
            if (record.squigglesAfter >= record.squigglesBefore && record.hintsAfter >= record.hintsBefore) {
                throw new Error(`${name}: the warning did not go away`);
            }
            if (record.dirtyTabs) throw new Error(`${name}: ${record.dirtyTabs} unsaved editor(s) after Save All`);
            mark(`${name}: saved, ${record.squigglesAfter} squiggles left (${record.hintsAfter} hints)`);
            record.ok = true;
        }
        result.ok = true;
    } finally {
        if (!result.ok) await shot('failure').catch(() => undefined);
        result.timings.total = ms();
        fs.writeFileSync(resultPath, JSON.stringify(result, null, 2));
        await browser.close();
    }
}

main().catch((error) => {
    console.error('FAIL', error.message);
    process.exit(1);
});
