// The console's statement explorer and administration in headless Chromium: an admin
// made with the CLI signs in; the explorer filters by agent; a credential created on the
// credentials page (its secret shown once) stores and reads statements on /xapi; a
// package zip uploaded through the form (progress bar by console.js) is listed, then
// launched through the launch API with an admin credential made in the console and its
// AU page starts on the uploaded content; a form
// posted without its CSRF token is refused; the explorer's CSV has its rows; a program user is refused administration.
// Every page goes through axe-core at 1280 and 390 px.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { E2EError, check } from './browser.mjs';
import { api, axeCheck, base, createUser, launch, openPage, signIn } from './console.mjs';

const ADMIN = 'e2e-admin';
const PASSWORD = 'a long e2e admin password';
const LEARNER = `console-admin-${Date.now()}@example.com`;

/** A zip of packages/<course> with one extra file, so its content is new (the server
 *  imported the unchanged packages at start). */
function packageZip(course) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bb-admin-'));
  fs.cpSync(path.join('packages', course), dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'console-e2e.txt'), `uploaded by the console e2e test ${Date.now()}\n`);
  const zip = path.join(os.tmpdir(), `${course}-${Date.now()}.zip`);
  execFileSync('zip', ['-qr', zip, '.'], { cwd: dir });
  fs.rmSync(dir, { recursive: true });
  return zip;
}

async function seed() {
  const statement = {
    actor: { objectType: 'Agent', name: 'Console Explorer', mbox: `mailto:${LEARNER}` },
    verb: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { 'en-US': 'experienced' } },
    object: { id: 'https://example.com/console-e2e', definition: { name: { 'en-US': 'Console e2e' } } },
  };
  const r = await api('POST', '/xapi/statements', statement, { 'X-Experience-API-Version': '1.0.3' });
  check(r.status === 200, `seeding a statement: ${r.status} ${r.text}`);
}

async function statements(browser, page) {
  await page.goto(`${base}/console/statements`);
  await page.getByLabel('Email or Agent JSON').fill(LEARNER);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Search' }).click()]);
  const rows = await page.locator('table.statements tbody tr').count();
  check(rows === 1, `the agent filter found ${rows} statements, expected 1`);
  check((await page.locator('table.statements').textContent()).includes('Console Explorer'), 'the row names the actor');
  // The CSV download has the same rows: a header and the one statement.
  const href = await page.getByRole('link', { name: /Download these statements as CSV/ }).getAttribute('href');
  const csv = await page.evaluate(async (h) => (await fetch(h)).text(), href);
  const lines = csv.trim().split('\r\n');
  check(lines.length === 2 && lines[1].includes('Console Explorer'), `the CSV export has ${lines.length} lines: ${csv}`);
  await axeCheck(browser, page, page.url(), 'statements explorer');
}

async function credentials(browser, page) {
  await page.goto(`${base}/console/admin/credentials`);
  await axeCheck(browser, page, page.url(), 'credentials');
  await page.getByLabel('Label').fill('e2e LRS client');
  await page.getByLabel(/^statements\/write:/).check();
  await page.getByLabel(/^statements\/read:/).check();
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Create credential' }).click()]);
  const key = (await page.locator('#new-key').textContent()).trim();
  const secret = (await page.locator('#new-secret').textContent()).trim();
  check(key.startsWith('bb_') && secret.length > 10, `a new credential is shown: ${key}`);
  await axeCheck(browser, page, `${base}/console/admin/credentials`, 'credentials after create');
  // The new credential works on /xapi, from the page's own origin.
  const result = await page.evaluate(async ({ key, secret, learner }) => {
    const headers = {
      Authorization: `Basic ${btoa(`${key}:${secret}`)}`,
      'X-Experience-API-Version': '1.0.3',
      'Content-Type': 'application/json',
    };
    const post = await fetch('/xapi/statements', {
      method: 'POST',
      headers,
      body: JSON.stringify({
        actor: { mbox: `mailto:${learner}` },
        verb: { id: 'http://adlnet.gov/expapi/verbs/attempted' },
        object: { id: 'https://example.com/console-e2e' },
      }),
    });
    const agent = encodeURIComponent(JSON.stringify({ mbox: `mailto:${learner}` }));
    const get = await fetch(`/xapi/statements?agent=${agent}`, { headers });
    const body = await get.json();
    return { post: post.status, get: get.status, count: body.statements.length };
  }, { key, secret, learner: LEARNER });
  check(result.post === 200 && result.get === 200 && result.count === 2,
    `the console's credential on /xapi: ${JSON.stringify(result)}`);
}

async function packages(browser, page) {
  await page.goto(`${base}/console/admin/packages`);
  await axeCheck(browser, page, page.url(), 'packages');
  const zip = packageZip('readiness-survey');
  await page.getByLabel('Package zip').setInputFiles(zip);
  // console.js sends the form with XMLHttpRequest (progress bar) and shows the answer.
  await page.getByRole('button', { name: 'Upload and import' }).click();
  await page.waitForFunction(() => /Imported .*version \d+/.test(document.body.textContent), null, { timeout: 20000 });
  const notice = (await page.locator('p.notice').textContent()).trim();
  check(/^Imported .+, version [2-9]/.test(notice), `the upload says: ${notice}`);
  fs.rmSync(zip);
  await launchUploaded(browser, page, notice.match(/version (\d+)/)[1]);
  // A file that is not a zip is refused in place.
  const bad = path.join(os.tmpdir(), `broken-${Date.now()}.zip`);
  fs.writeFileSync(bad, 'not a zip at all');
  await page.goto(`${base}/console/admin/packages`);
  await page.getByLabel('Package zip').setInputFiles(bad);
  await page.getByRole('button', { name: 'Upload and import' }).click();
  await page.waitForSelector('[role="alert"]', { timeout: 20000 });
  const alert = (await page.getByRole('alert').textContent()).trim();
  check(alert.includes('is not a package this server can read'), `a broken zip says: ${alert}`);
  fs.rmSync(bad);
}

/** An admin credential made on the credentials page, as `{ key, secret }`. */
async function adminCredential(page) {
  await page.goto(`${base}/console/admin/credentials`);
  await page.getByLabel('Label').fill('e2e launcher');
  await page.getByLabel(/^admin:/).check();
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Create credential' }).click()]);
  return {
    key: (await page.locator('#new-key').textContent()).trim(),
    secret: (await page.locator('#new-secret').textContent()).trim(),
  };
}

/** The uploaded package is launched through the launch API (with a credential made in
 *  the console) and its AU page loads and starts, on the version just imported. */
async function launchUploaded(browser, page, version) {
  const { key, secret } = await adminCredential(page);
  const auth = `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
  const r = await fetch(`${base}/api/launches`, {
    method: 'POST',
    headers: { Authorization: auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      learner: { account: { homePage: 'https://lms.example.com', name: `console-admin-${Date.now()}` }, name: 'Console Upload' },
      auId: 'https://blackbelt.example/courses/readiness-survey/au/readiness-survey',
      returnUrl: `${base}/healthz`,
    }),
  });
  const text = await r.text();
  check(r.status === 201, `launching the uploaded package: ${r.status} ${text.slice(0, 300)}`);
  const launchUrl = new URL(JSON.parse(text).launchUrl, `${base}/`).href;
  const { context, page: au, errors } = await openPage(browser);
  const answer = await au.goto(launchUrl);
  check(answer && answer.status() === 200, `the AU page answered ${answer && answer.status()}`);
  await au.waitForFunction(() => {
    const s = window.BlackBeltAU && window.BlackBeltAU.state;
    return s && (s.ready || s.failedStart || s.halted || s.terminated);
  }, null, { timeout: 20000 }).catch(() => {
    throw new E2EError('the uploaded AU did not finish starting within 20 s');
  });
  const ready = await au.evaluate(() => window.BlackBeltAU.state.ready);
  check(ready, 'the uploaded AU runtime started (token and LaunchData fetched)');
  const heading = (await au.locator('h1').first().textContent()).trim();
  check(heading === 'Social media readiness survey', `the AU page shows: ${heading}`);
  // The launch serves the version just uploaded: its extra file is there beside the AU.
  const extra = await au.evaluate(async () => (await fetch(new URL('console-e2e.txt', location.href))).text());
  check(extra.includes('uploaded by the console e2e test'), `the launched content is not the upload (${version}): ${extra.slice(0, 100)}`);
  // The runtime reads its State and agent profile first; 404 is xAPI's "none yet".
  const unexpected = errors.filter((e) => !/status of 404/.test(e));
  check(unexpected.length === 0, `AU page errors: ${unexpected.join('; ')}`);
  await context.close();
}

async function otherPages(browser, page) {
  for (const [url, label] of [
    ['/console/admin', 'administration index'],
    ['/console/admin/passback', 'passback queue'],
    ['/console/admin/lti', 'LTI'],
  ]) {
    await axeCheck(browser, page, `${base}${url}`, label);
  }
}

async function refusals(browser, page) {
  // A form posted without its CSRF token changes nothing.
  const status = await page.evaluate(async () => {
    const r = await fetch('/console/admin/credentials', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'label=forged&scope=all',
    });
    return r.status;
  });
  check(status === 403, `a credential form without CSRF answered ${status}`);
  createUser('e2e-admin-program', 'program', PASSWORD);
  const { context, page: other } = await openPage(browser);
  await signIn(other, 'e2e-admin-program', PASSWORD, '/console/statements');
  const r = await other.goto(`${base}/console/admin/credentials`);
  check(r.status() === 403, `a program user on credentials got ${r.status()}`);
  await context.close();
}

async function main() {
  await seed();
  createUser(ADMIN, 'admin', PASSWORD);
  const browser = await launch();
  try {
    const { context, page, errors } = await openPage(browser);
    await signIn(page, ADMIN, PASSWORD, '/console/statements');
    await statements(browser, page);
    await credentials(browser, page);
    await packages(browser, page);
    await otherPages(browser, page);
    await refusals(browser, page);
    const unexpected = errors.filter((e) => !/status of (403|422)/.test(e));
    check(unexpected.length === 0, `browser errors: ${unexpected.join('; ')}`);
    await context.close();
  } finally {
    await browser.close();
  }
  console.log('console-admin: statements, credentials, packages, LTI, passback and refusals passed (axe-core at 1280 and 390 px)');
}

main().catch((e) => {
  console.error(e instanceof E2EError ? `console-admin: ${e.message}` : e);
  process.exit(1);
});
