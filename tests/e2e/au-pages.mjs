#!/usr/bin/env node
// Every AU page in preview mode at 1280 px and 390 px wide (issue 20 §7):
//   - axe-core finds no WCAG 2.x A/AA violation on each page, after submit (result and
//     review) and with the tabs, flip cards and accordions opened;
//   - nothing is wider than the viewport;
//   - the focus ring shows for the keyboard only: after a click on Next the focused heading
//     has no outline, after Enter on Next it has one;
//   - pass and fail results look different (icon and words, not colour alone).
//
//   node tests/e2e/au-pages.mjs [DIR...]     (default: packages)

import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { serveStatic } from './static-server.mjs';

const CHROMIUM = process.env.BB_CHROMIUM || '/usr/bin/chromium';
const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

function pagesIn(dirs) {
  const out = [];
  for (const dir of dirs) {
    for (const course of readdirSync(dir).sort()) {
      if (course.startsWith('_') || !existsSync(join(dir, course, 'cmi5.xml'))) continue;
      for (const f of readdirSync(join(dir, course)).sort()) if (f.endsWith('.html')) out.push(`${course}/${f}`);
    }
  }
  return out;
}

async function axe(page, where, problems) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ content: axeSource });
  const found = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
    .then((r) => r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)));
  found.forEach((v) => problems.push(`${where}: axe ${v}`));
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (wide > 0) problems.push(`${where}: the page is ${wide} px wider than the viewport`);
}

/** Opens every tab, flip card and accordion on the showing page. */
async function openDisclosures(page) {
  const section = page.locator('section[data-bb-page]:visible');
  for (const b of await section.locator('.bb-flip-btn').all()) await b.click();
  for (const d of await section.locator('details > summary').all()) await d.click();
  const tabs = await section.getByRole('tab').all();
  if (tabs.length) await tabs[tabs.length - 1].click();
}

async function checkAu(page, url, name, width, problems) {
  await page.setViewportSize({ width, height: 900 });
  await page.goto(url);
  await page.locator('.bb-count').filter({ hasText: /^Page 1 of \d+$/ }).waitFor({ timeout: 15000 });
  const total = Number((await page.locator('.bb-count').textContent()).split(' of ')[1]);
  const nav = page.getByRole('navigation', { name: 'Module pages' });
  for (let n = 1; n <= total; n++) {
    await axe(page, `${name} @${width} page ${n}`, problems);
    await openDisclosures(page);
    await axe(page, `${name} @${width} page ${n} (disclosures open)`, problems);
    // Answer by the first option so submit is possible (the score does not matter here).
    await page.evaluate(() => {
      for (const fs of document.querySelectorAll('section[data-bb-page]:not([hidden]) fieldset[data-bb-question]:not([hidden])')) {
        const i = fs.querySelector('input'); if (i) { i.checked = true; i.dispatchEvent(new Event('change', { bubbles: true })); }
        fs.querySelectorAll('select').forEach((s) => { s.selectedIndex = 1; s.dispatchEvent(new Event('change', { bubbles: true })); });
      }
      for (const sc of document.querySelectorAll('section[data-bb-page]:not([hidden]) [data-bb-scenario]')) {
        for (let g = 0; g < 10; g++) {
          const st = Array.from(sc.querySelectorAll('[data-bb-step]')).find((s) => !s.hidden && s.querySelector('input:not([disabled])'));
          if (!st) break;
          st.querySelector('input').checked = true;
          Array.from(st.querySelectorAll('button')).find((b) => b.textContent.trim() === 'Continue').click();
        }
      }
    });
    if (n === total) break;
    const next = nav.getByRole('button', { name: 'Next', exact: true });
    if (n === 1) {
      // Mouse: the heading gets focus but no ring. Keyboard: the ring shows.
      await next.click();
      const mouse = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      if (!/^H[1-3]$/.test(await page.evaluate(() => document.activeElement.tagName))) problems.push(`${name} @${width}: focus did not move to the heading`);
      if (mouse !== 'none') problems.push(`${name} @${width}: the heading focused after a click shows an outline (${mouse})`);
      await nav.getByRole('button', { name: 'Previous', exact: true }).click();
      await next.focus();
      await page.keyboard.press('Enter');
      const key = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      if (key === 'none') problems.push(`${name} @${width}: the heading focused by keyboard shows no focus ring`);
    } else {
      await next.click();
    }
  }
  const submit = nav.getByRole('button', { name: /^(Submit answers|Finish)$/ });
  await submit.click();
  const result = page.getByRole('region', { name: 'Your result' });
  await result.waitFor({ state: 'visible', timeout: 10000 });
  await axe(page, `${name} @${width} result`, problems);
  const box = result.locator('.bb-verdict-box');
  if (await box.count()) {
    const look = await box.evaluate((el) => ({ cls: el.className, text: el.innerText, border: getComputedStyle(el).borderStyle, color: getComputedStyle(el).color }));
    return look;
  }
  return null;
}

async function main() {
  const dirs = process.argv.slice(2).length ? process.argv.slice(2) : [join(ROOT, 'packages')];
  const { server, base } = await serveStatic(join(ROOT, 'packages/_runtime'), dirs);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const problems = [];
  const looks = { pass: null, fail: null };
  let count = 0;
  try {
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    for (const p of pagesIn(dirs)) {
      for (const width of [1280, 390]) {
        const look = await checkAu(page, `${base}/content/${p}`, p, width, problems);
        if (look) looks[/bb-pass/.test(look.cls) ? 'pass' : 'fail'] = look;
        count++;
      }
    }
  } finally {
    await browser.close().catch(() => {});
    server.close();
  }
  if (looks.fail) {
    if (!/✗/.test(looks.fail.text) || !/Not passed/.test(looks.fail.text)) problems.push(`the fail verdict lacks its icon or words: ${looks.fail.text}`);
    if (looks.pass && (looks.pass.border === looks.fail.border || looks.pass.color === looks.fail.color)) problems.push('pass and fail verdicts share border style or colour');
  }
  if (problems.length) {
    console.error(`au-pages: ${problems.length} problems:`);
    problems.forEach((p) => console.error(`  ${p}`));
    process.exitCode = 1;
  } else {
    console.log(`au-pages: ${count} AU × width runs, no axe-core violation, nothing too wide, keyboard-only focus ring`);
  }
}

main().catch((e) => { console.error(`FAIL: ${e.stack || e}`); process.exitCode = 1; });
