// The API explorer at /docs: it draws every operation under its Content-Security-Policy
// (which allows its inline scripts by hash), axe-core finds no WCAG 2.x A/AA violation
// in it, and it works from the keyboard alone. A change to the page, the explorer or the
// policy shows here.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { E2EError, check } from './browser.mjs';

const CHROMIUM = process.env.BB_CHROMIUM || '/usr/bin/chromium';
const base = process.env.BB_URL;
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function open(browser, options, errors) {
  const page = await (await browser.newContext(options)).newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const response = await page.goto(`${base}/docs`);
  // RapiDoc draws one navigation entry per operation once it has read /openapi.json.
  await page.locator('.nav-bar-path').first().waitFor({ state: 'visible', timeout: 20000 });
  return { page, response };
}

async function axeViolations(page) {
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'],
  }));
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id} ${JSON.stringify(n.target)}: ${v.help}`));
}

// Opens a section as a click on its navigation entry does, and lets RapiDoc draw it.
async function show(page, id) {
  await page.evaluate((i) => document.querySelector('rapi-doc').shadowRoot.getElementById(`link-${i}`).click(), id);
  await page.waitForTimeout(300);
}

// The element that has focus, looking through RapiDoc's shadow roots.
function focused(page) {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body) return null;
    const nav = el.closest('.nav-scroll');
    return {
      cls: String(el.className).trim().split(/\s+/)[0] || el.tagName.toLowerCase(),
      role: el.getAttribute('role'),
      id: el.id,
      contentId: el.dataset.contentId || null,
      expanded: el.getAttribute('aria-expanded'),
      current: el.getAttribute('aria-current'),
      inNav: Boolean(nav),
      text: (el.getAttribute('aria-label') || el.textContent).trim().replace(/\s+/g, ' ').slice(0, 50),
    };
  });
}

// With the keyboard only: Tab reaches the navigation, Enter folds and unfolds a group
// and opens an operation, focus moves to the operation, and Tab goes on inside it.
async function keyboard(page) {
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  const stops = [];
  let tagDone = false;
  let path = null;
  for (let i = 0; i < 12 && !path; i += 1) {
    await page.keyboard.press('Tab');
    const at = await focused(page);
    check(at !== null, `docs keyboard: Tab ${i + 1} left the page (after ${stops.join(' → ')})`);
    stops.push(`${at.cls}${at.text ? ` "${at.text}"` : ''}`);
    if (at.cls === 'nav-bar-tag' && !tagDone) {
      check(at.role === 'button' && at.expanded === 'true', `docs keyboard: group ${JSON.stringify(at)}`);
      await page.keyboard.press('Enter');
      await page.waitForTimeout(100);
      const folded = await focused(page);
      check(folded.expanded === 'false', `docs keyboard: Enter did not fold the group: ${JSON.stringify(folded)}`);
      await page.keyboard.press(' ');
      await page.waitForTimeout(100);
      const unfolded = await focused(page);
      check(unfolded.expanded === 'true', `docs keyboard: Space did not unfold the group: ${JSON.stringify(unfolded)}`);
      tagDone = true;
    }
    if (at.cls === 'nav-bar-path') path = at;
  }
  check(tagDone && path, `docs keyboard: no operation reached in 12 Tabs: ${stops.join(' → ')}`);
  check(path.role === 'link' && path.inNav, `docs keyboard: operation entry ${JSON.stringify(path)}`);
  await page.keyboard.press('Enter');
  let opened = null;
  for (let i = 0; i < 40; i += 1) {
    await page.waitForTimeout(50);
    opened = await focused(page);
    if (opened && opened.id === path.contentId) break;
  }
  check(opened && opened.id === path.contentId,
    `docs keyboard: Enter on ${path.contentId} did not move focus to it: ${JSON.stringify(opened)}`);
  const current = await page.evaluate((id) => document.querySelector('rapi-doc').shadowRoot
    .getElementById(`link-${id}`).getAttribute('aria-current'), path.contentId);
  check(current === 'location', `docs keyboard: the opened entry is not marked current (${current})`);
  await page.keyboard.press('Tab');
  const inside = await focused(page);
  check(inside && !inside.inNav, `docs keyboard: Tab after opening went to ${JSON.stringify(inside)}`);
  console.log(`docs keyboard: ${stops.join(' → ')}; Enter opened ${path.contentId}, focus moved to it, then to ${inside.cls} "${inside.text}"`);
}

async function main() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const errors = [];
    const { page, response } = await open(browser, {}, errors);
    const policy = response.headers()['content-security-policy'] || '';
    check(/script-src 'sha256-/.test(policy), `docs: no hash-based script-src in ${JSON.stringify(policy)}`);
    const operations = await page.locator('.nav-bar-path').count();
    check(operations > 30, `docs: only ${operations} operations drawn`);
    // The bundle names a web font on a font CDN; the policy refuses it (nothing is fetched
    // from elsewhere) and system fonts are used. Any other refusal is a broken page.
    const violations = errors.filter((e) => /Content Security Policy/.test(e) && !/Loading the font/.test(e));
    check(violations.length === 0, `docs: CSP violations:\n  ${violations.join('\n  ')}`);

    // axe-core is injected as a script, which the policy rightly forbids: a second page
    // without it, the same markup.
    const { page: open2 } = await open(browser, { bypassCSP: true }, []);
    await open2.addScriptTag({ content: axeSource });
    const found = await axeViolations(open2);
    check(found.length === 0, `docs: axe-core WCAG A/AA violations:\n  ${found.join('\n  ')}`);
    // Each section RapiDoc draws when its navigation entry is chosen (every operation,
    // group, overview), and an answer shown after "Try".
    const sections = await open2.evaluate(() => [...document.querySelector('rapi-doc').shadowRoot
      .querySelectorAll('.nav-scroll [data-content-id]')].map((e) => e.dataset.contentId));
    const inSections = new Map();
    for (const id of sections) {
      await show(open2, id);
      for (const v of await axeViolations(open2)) inSections.set(v, [...(inSections.get(v) || []), id]);
    }
    await show(open2, 'get-/xapi/about');
    await open2.evaluate(() => document.querySelector('rapi-doc').shadowRoot.querySelector('api-request')
      .shadowRoot.querySelector('button[part~="btn-try"]').click());
    let answer = '';
    for (let i = 0; i < 50 && !/:\d{3}/.test(answer); i += 1) {
      await open2.waitForTimeout(100);
      answer = await open2.evaluate(() => (document.querySelector('rapi-doc').shadowRoot.querySelector('api-request')
        .shadowRoot.querySelector('.response-message') || {}).textContent || '');
    }
    check(/:200\b/.test(answer), `docs: "Try" on GET /xapi/about answered ${JSON.stringify(answer.trim())}`);
    for (const v of await axeViolations(open2)) inSections.set(v, [...(inSections.get(v) || []), 'get-/xapi/about, tried']);
    const listed = [...inSections].map(([v, ids]) => `${v} (in ${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''})`);
    check(listed.length === 0, `docs: axe-core WCAG A/AA violations in sections:\n  ${listed.join('\n  ')}`);
    console.log(`docs: ${operations} operations drawn, no CSP violation, no axe-core WCAG A/AA violation `
      + `on the page, in its ${sections.length} sections or in a tried answer`);

    await keyboard(page);
    console.log('docs: 1 passed, 0 failed');
  } catch (e) {
    console.error(`FAIL: ${e instanceof E2EError ? e.message : e && e.stack ? e.stack : e}`);
    process.exitCode = 1;
  } finally {
    await browser.close().catch(() => {});
  }
}

await main();
