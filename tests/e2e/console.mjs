// Shared by the console's browser tests (console-*.mjs): sign in through the real form,
// check a page with axe-core at desktop and phone widths, catch console errors and CSP
// violations. The console's policy allows only its own scripts, so axe-core runs in a
// second context with bypassCSP (the page under test keeps its policy).

import fs from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { check } from './browser.mjs';

export const CHROMIUM = process.env.BB_CHROMIUM || '/usr/bin/chromium';
export const base = process.env.BB_URL;
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The xAPI/admin API with the bootstrap credential (seeding data). */
export async function api(method, path, body, headers = {}) {
  const auth = `Basic ${Buffer.from(`${process.env.BB_KEY}:${process.env.BB_SECRET}`).toString('base64')}`;
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

/**
 * Creates a console user with the CLI (same database as the running server) and a
 * password given on stdin: `blackbelt users create <name> --role <role> --password-stdin`.
 */
export function createUser(username, role, password, extra = []) {
  const bin = process.env.BB_BIN || 'target/debug/blackbelt';
  const args = [];
  if (process.env.BB_DATABASE_URL) args.push('--database-url', process.env.BB_DATABASE_URL);
  args.push('users', 'create', username, '--role', role, '--password-stdin', ...extra);
  execFileSync(bin, args, { input: `${password}\n`, stdio: ['pipe', 'pipe', 'inherit'] });
}

/** A browser context with error and CSP-violation capture. */
export async function openPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { context, page, errors };
}

/** Signs in through the sign-in form; ends on the page sign-in leads to. */
export async function signIn(page, username, password, next = '/console') {
  await page.goto(`${base}/console/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
  check(new URL(page.url()).pathname === next.split('?')[0], `sign in as ${username}: ended on ${page.url()}`);
}

/**
 * axe-core on the page at `url` (as the signed-in `page`'s cookies), at 1280 and 390 px:
 * no serious or critical WCAG 2.x A/AA violation, nothing scrolling sideways at 390 px.
 * Returns the number of minor findings.
 */
export async function axeCheck(browser, page, url, label) {
  const cookies = await page.context().cookies();
  const open = await browser.newContext({ bypassCSP: true });
  await open.addCookies(cookies);
  const axePage = await open.newPage();
  let minor = 0;
  for (const width of [1280, 390]) {
    await axePage.setViewportSize({ width, height: 900 });
    const response = await axePage.goto(url);
    check(response.status() < 400, `${label}: ${url} answered ${response.status()}`);
    minor += await axeHere(axePage, label);
  }
  await open.close();
  return minor;
}

/**
 * axe-core on what `page` shows now, at its current width (the page's context must
 * bypass CSP): no serious or critical WCAG 2.x A/AA violation, and at 390 px nothing
 * scrolling sideways. For pages a GET cannot reach again (the answer to a POST).
 * Returns the number of minor findings.
 */
export async function axeHere(page, label) {
  const width = page.viewportSize().width;
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'],
  }));
  const serious = result.violations.filter((v) => ['serious', 'critical'].includes(v.impact))
    .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id} ${JSON.stringify(n.target)}: ${v.help}`));
  check(serious.length === 0, `${label} at ${width} px: axe-core serious/critical:\n  ${serious.join('\n  ')}`);
  if (width <= 390) {
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    check(wide <= width, `${label}: ${wide} px wide at ${width} px`);
  }
  return result.violations.length;
}

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}
