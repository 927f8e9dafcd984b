// The credential verification page (/verify/{id}) in headless Chromium, for a valid, a
// revoked and an expired credential: the status in words and colour, the dates, Open
// Graph tags, the belt image, the "verify it yourself" links and the LinkedIn link only
// when valid; no console error and no Content-Security-Policy violation under the
// page's own policy; axe-core finds no serious or critical WCAG 2.x A/AA violation; at
// 390 px nothing scrolls sideways. An unknown id gets the 404 page.
//
// The awards are made through the admin API: a `share` statement registers each
// learner, a manual award gives the belt, a revocation and an extension a few seconds
// into the future (then waited out) give the other two states.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { E2EError, check, sleep } from './browser.mjs';

const CHROMIUM = process.env.BB_CHROMIUM || '/usr/bin/chromium';
const base = process.env.BB_URL;
const auth = `Basic ${Buffer.from(`${process.env.BB_KEY}:${process.env.BB_SECRET}`).toString('base64')}`;
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const HOME = 'https://lms.example.com';
const BELT = process.env.BB_BELT || 'white';

async function api(method, path, body, headers = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: auth, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: response.status, json, text };
}

// A learner known to the certification engine (a statement matching a belt pattern
// registers its actor), holding the belt by a manual award: the award's id.
async function holder(name) {
  const actor = { objectType: 'Agent', name: `${name[0].toUpperCase()}${name.slice(1)} Example`, account: { homePage: HOME, name } };
  const statement = await api('POST', '/xapi/statements', {
    actor,
    verb: { id: 'http://activitystrea.ms/schema/1.0/share', display: { en: 'shared' } },
    object: { objectType: 'Activity', id: `https://social.example.com/posts/${name}` },
  }, { 'X-Experience-API-Version': '1.0.3' });
  check(statement.status === 200, `badge page: statement for ${name}: ${statement.status} ${statement.text}`);
  const learner = `account:${HOME}|${name}`;
  const award = await api('POST', '/api/certification/awards', { learner, belt: BELT, reason: 'e2e badge page' });
  check(award.status === 201, `badge page: award to ${name}: ${award.status} ${award.text}`);
  return { learner, award: award.json.id };
}

async function credentialOf(learner) {
  const list = await api('GET', `/api/badges/credentials?learner=${encodeURIComponent(learner)}`);
  check(list.status === 200 && list.json.credentials.length === 1, `badge page: credentials of ${learner}: ${list.text}`);
  return list.json.credentials[0];
}

async function axeSerious(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'],
  }));
  const all = result.violations.flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id} ${JSON.stringify(n.target)}: ${v.help}`));
  return {
    serious: result.violations.filter((v) => ['serious', 'critical'].includes(v.impact))
      .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id} ${JSON.stringify(n.target)}: ${v.help}`)),
    all,
  };
}

// One credential's page: what it must say, and that the browser finds nothing wrong.
async function checkPage(browser, summary, expect) {
  const url = `${base}/verify/${summary.id}`;
  const errors = [];
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  const response = await page.goto(url);
  check(response.status() === 200, `badge page ${expect.word}: HTTP ${response.status()}`);
  const policy = response.headers()['content-security-policy'] || '';
  check(/style-src 'sha256-/.test(policy) && !/script-src/.test(policy), `badge page: policy ${policy}`);
  const status = page.locator('[role="status"]');
  const text = ((await status.textContent()) || '').trim();
  check(text.startsWith(`${expect.symbol} ${expect.word}`), `badge page ${expect.word}: status says ${JSON.stringify(text)}`);
  check(expect.words.test(text), `badge page ${expect.word}: status words ${JSON.stringify(text)}`);
  const colour = await status.evaluate((el) => getComputedStyle(el).backgroundColor);
  check(colour === expect.colour, `badge page ${expect.word}: status colour ${colour}, expected ${expect.colour}`);
  const og = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('meta[property^="og:"]')]
    .map((m) => [m.getAttribute('property'), m.getAttribute('content')])));
  for (const name of ['og:title', 'og:description', 'og:image', 'og:url']) {
    check(og[name], `badge page ${expect.word}: no ${name} (${JSON.stringify(og)})`);
  }
  check(og['og:url'] === url, `badge page: og:url ${og['og:url']}`);
  check(og['og:image'].endsWith(`/ob/achievements/${summary.program}/${summary.belt}/image.svg`), `badge page: og:image ${og['og:image']}`);
  const image = await page.locator('.badge img').evaluate((img) => ({ w: img.naturalWidth, alt: img.alt }));
  check(image.w > 0 && /badge$/.test(image.alt), `badge page ${expect.word}: belt image not drawn (${JSON.stringify(image)})`);
  const links = await page.evaluate(() => [...document.querySelectorAll('main a')].map((a) => a.href));
  for (const part of ['/ob/credentials/', '?format=jwt', '/badge.svg', '/ob/issuer', '/ob/jwks.json', '/ob/status/']) {
    check(links.some((l) => l.includes(part)), `badge page ${expect.word}: no link with ${part}`);
  }
  const linkedin = links.filter((l) => l.startsWith('https://www.linkedin.com/profile/add?'));
  check(linkedin.length === (expect.linkedin ? 1 : 0), `badge page ${expect.word}: LinkedIn links ${JSON.stringify(linkedin)}`);
  if (expect.linkedin) {
    const params = new URL(linkedin[0]).searchParams;
    check(params.get('startTask') === 'CERTIFICATION_NAME' && params.get('certId') === summary.id
      && params.get('certUrl') === url && /^\d{4}$/.test(params.get('issueYear'))
      && Number(params.get('issueMonth')) >= 1 && Number(params.get('issueMonth')) <= 12,
    `badge page: LinkedIn link ${linkedin[0]}`);
  }
  // Every link the page gives for checking the credential answers.
  const own = links.filter((l) => l.startsWith(base) && l.includes('/ob/'));
  for (const link of own) {
    const answer = await fetch(link);
    check(answer.status === 200, `badge page ${expect.word}: ${link} answered ${answer.status}`);
  }
  await page.setViewportSize({ width: 390, height: 800 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 390, `badge page ${expect.word}: ${wide} px wide at 390 px`);
  check(errors.length === 0, `badge page ${expect.word}: console errors:\n  ${errors.join('\n  ')}`);
  await context.close();

  // axe-core is a script, which the page's policy rightly refuses: the same page without it.
  const open = await browser.newContext({ bypassCSP: true });
  const axePage = await open.newPage();
  await axePage.goto(url);
  const found = await axeSerious(axePage);
  check(found.serious.length === 0, `badge page ${expect.word}: axe-core serious/critical:\n  ${found.serious.join('\n  ')}`);
  await open.close();
  console.log(`badge page ${expect.word}: "${text.split('\n')[0].slice(0, 60)}…", ${own.length} verification links answer, `
    + `no console error, axe-core: ${found.all.length} minor, 0 serious/critical`);
}

async function main() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const valid = await holder('ada');
    const revoked = await holder('bob');
    const expired = await holder('cy');
    const revoke = await api('POST', `/api/certification/awards/${revoked.award}/revoke`, { reason: 'e2e revoked' });
    check(revoke.status === 200, `badge page: revoke ${revoke.status} ${revoke.text}`);
    const until = new Date(Date.now() + 3000).toISOString().replace(/\.\d+Z$/, 'Z');
    const extend = await api('POST', `/api/certification/awards/${expired.award}/extend`, { valid_until: until, reason: 'e2e expiry' });
    check(extend.status === 200, `badge page: extend ${extend.status} ${extend.text}`);
    const credentials = {
      valid: await credentialOf(valid.learner),
      revoked: await credentialOf(revoked.learner),
      expired: await credentialOf(expired.learner),
    };
    await sleep(Math.max(0, Date.parse(until) - Date.now()) + 1200);
    await checkPage(browser, credentials.valid, {
      word: 'Valid', symbol: '✓', words: /is valid/, colour: 'rgb(220, 252, 231)', linkedin: true,
    });
    await checkPage(browser, credentials.revoked, {
      word: 'Revoked', symbol: '✗', words: /was revoked on/, colour: 'rgb(254, 226, 226)', linkedin: false,
    });
    await checkPage(browser, credentials.expired, {
      word: 'Expired', symbol: '!', words: /expired on/, colour: 'rgb(254, 249, 195)', linkedin: false,
    });
    const page = await (await browser.newContext()).newPage();
    const missing = await page.goto(`${base}/verify/00000000-0000-4000-8000-000000000000`);
    check(missing.status() === 404, `badge page: unknown id answered ${missing.status()}`);
    check(/Credential not found/.test(await page.locator('h1').textContent()), 'badge page: 404 heading');
    console.log('badge page: 3 passed, 0 failed');
  } catch (e) {
    console.error(`FAIL: ${e instanceof E2EError ? e.message : e && e.stack ? e.stack : e}`);
    process.exitCode = 1;
  } finally {
    await browser.close().catch(() => {});
  }
}

await main();
