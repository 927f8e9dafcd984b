// Browser side of the e2e test: drive one AU page the way a learner would.
// Markup and runtime contract: packages/README.md. Used by take-module.mjs.

import { chromium } from 'playwright-core';

const CHROMIUM = process.env.BB_CHROMIUM || '/usr/bin/chromium';

/** A failed expectation: reported as its message alone, without a stack. */
export class E2EError extends Error {}
export function check(cond, message) {
  if (!cond) throw new E2EError(message);
}
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitForText(locator, expected, what, ms = 10000) {
  const until = Date.now() + ms;
  let last = '';
  for (;;) {
    last = ((await locator.textContent({ timeout: ms }).catch(() => '')) || '').trim();
    if (expected instanceof RegExp ? expected.test(last) : last === expected) return last;
    if (Date.now() > until) throw new E2EError(`${what}: expected ${expected}, saw ${JSON.stringify(last)}`);
    await sleep(100);
  }
}

/** What the runtime's error region (role=alert) says, if it is showing. */
export async function runtimeAlert(page) {
  const alert = page.locator('.bb-alert[role="alert"]');
  return (await alert.isVisible().catch(() => false)) ? ((await alert.textContent()) || '').trim() : '';
}

/**
 * Walks every page of the AU that is open in `page`: answers each question (correct value,
 * or the first option for unscored items), checks it, moves on, submits at the end and
 * reads the results panel. Works in launch and preview mode alike.
 */
export async function walkModule(page, log = () => {}) {
  const counter = page.locator('.bb-count');
  const first = await waitForText(counter, /^Page 1 of \d+$/, 'runtime page counter', 15000);
  const total = Number(first.split(' of ')[1]);
  const nav = page.getByRole('navigation', { name: 'Module pages' });
  const questions = [];
  let scoredCount = 0;

  for (let n = 1; n <= total; n++) {
    await waitForText(counter, `Page ${n} of ${total}`, 'page counter');
    const section = page.locator('section[data-bb-page]:visible');
    check((await section.count()) === 1, `page ${n}: expected exactly one visible section[data-bb-page], saw ${await section.count()}`);
    const heading = ((await section.getByRole('heading', { level: 2 }).first().textContent()) || '').trim();
    if (n > 1) {
      // packages/README.md: focus moves to the new page's heading on page change.
      const focused = await page.evaluate(() => {
        const s = document.querySelector('section[data-bb-page]:not([hidden])');
        const a = document.activeElement;
        return !!(s && a && s.contains(a) && /^H[1-3]$/.test(a.tagName));
      });
      check(focused, `page ${n}: focus did not move to the page heading`);
    }
    log(`page ${n}/${total}: ${heading}`);

    for (const fs of await section.locator('fieldset[data-bb-question]').all()) {
      const q = await fs.evaluate((el) => ({
        id: el.getAttribute('data-bb-question'),
        type: el.getAttribute('data-type') || 'choice',
        correct: el.getAttribute('data-correct'),
        scored: el.getAttribute('data-scored') !== 'false' && !!el.getAttribute('data-correct'),
        options: Array.from(el.querySelectorAll('input[type="radio"]')).map((i) => ({
          value: i.value,
          label: ((i.labels && i.labels[0]) || i.closest('label') || { textContent: '' }).textContent.replace(/\s+/g, ' ').trim(),
        })),
      }));
      check(q.options.length > 0, `question ${q.id}: no radio options`);
      const choice = q.scored ? q.correct : q.options[0].value;
      const option = q.options.find((o) => o.value === choice);
      check(option, `question ${q.id}: data-correct="${q.correct}" names no radio value`);
      check(option.label, `question ${q.id}: option ${choice} has no label`);

      // The radio is found by its accessible name, which proves the label is wired up;
      // the click goes to the visible label, as a learner would do it.
      const radio = fs.getByRole('radio', { name: option.label, exact: true });
      check((await radio.count()) === 1, `question ${q.id}: no single radio named ${JSON.stringify(option.label)}`);
      await fs.locator('label').filter({ has: page.getByRole('radio', { name: option.label, exact: true }) }).click();
      check(await radio.isChecked(), `question ${q.id}: clicking the label did not select ${choice}`);

      await fs.getByRole('button', { name: q.scored ? 'Check answer' : 'Save response', exact: true }).click();
      const verdict = q.scored ? 'Correct.' : 'Thank you, your response is saved.';
      await waitForText(fs.locator('.bb-verdict'), verdict, `question ${q.id} verdict`);
      const fb = fs.locator(`[data-feedback-for="${choice}"]`);
      if (await fb.count()) check(await fb.isVisible(), `question ${q.id}: feedback for ${choice} is not shown`);
      const others = await fs.locator(`[data-feedback-for]:not([data-feedback-for="${choice}"]):visible`).count();
      check(others === 0, `question ${q.id}: feedback for other options is showing`);
      check(await radio.isDisabled(), `question ${q.id}: answer did not lock after checking`);

      if (q.scored) scoredCount++;
      questions.push({ id: q.id, type: q.type, scored: q.scored, response: choice, page: n });
      log(`  ${q.id} (${q.type}${q.scored ? '' : ', unscored'}): ${choice} -> ${verdict}`);
    }

    const last = n === total;
    const label = !last ? 'Next' : scoredCount ? 'Submit answers' : 'Finish';
    await nav.getByRole('button', { name: label, exact: true }).click();
  }

  const result = page.getByRole('region', { name: 'Your result' });
  try {
    await result.waitFor({ state: 'visible', timeout: 10000 });
  } catch {
    const note = ((await page.getByRole('status').textContent().catch(() => '')) || '').trim();
    throw new E2EError(`results panel did not appear after submitting${note ? ` (status: ${note})` : ''}`);
  }
  const text = ((await result.innerText()) || '').replace(/\s+/g, ' ').trim();
  let score = null;
  if (scoredCount) {
    const m = /You answered (\d+) of (\d+) questions correctly \((\d+)%\)/.exec(text);
    check(m, `results panel has no score line: ${text}`);
    check(Number(m[1]) === scoredCount && Number(m[2]) === scoredCount, `results panel: expected ${scoredCount} of ${scoredCount}, saw "${m[0]}"`);
    check(/you have reached the pass mark/.test(text) && !/not reached the pass mark/.test(text), `results panel does not say passed: ${text}`);
    score = Number(m[3]);
  } else {
    check(/Thank you for completing this module/.test(text), `results panel: ${text}`);
  }
  log(`result: ${text}`);
  return { pages: total, questions, scored: scoredCount, score, resultText: text, result };
}

/** Clicks "Exit module" on the results panel; returns once the runtime is done leaving. */
export async function exitModule(page, walk, returnUrl) {
  const exit = walk.result.getByRole('button', { name: 'Exit module', exact: true });
  if (returnUrl) {
    // Navigation to returnURL happens only after terminated is sent and the queue drained.
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(returnUrl), { timeout: 20000 }).catch(async () => {
        const alert = await runtimeAlert(page);
        throw new E2EError(`exit did not reach returnURL ${returnUrl} (at ${page.url()})${alert ? `; runtime alert: ${alert}` : ''}`);
      }),
      exit.click(),
    ]);
  } else {
    await exit.click();
    await page.getByRole('region', { name: 'Session finished' }).waitFor({ state: 'visible', timeout: 10000 });
  }
}

export function watchPage(page, diag) {
  page.on('pageerror', (e) => diag.errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // HTTP errors are judged from the responses below (a 404 for a state document is expected).
    if (/^Failed to load resource/.test(m.text())) return;
    if (m.type() === 'error' || m.type() === 'warning') diag.errors.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('requestfailed', (r) => {
    // Aborts while navigating away (keepalive fetches) are not failures of the runtime.
    if (!/ERR_ABORTED/.test(r.failure()?.errorText || '')) diag.errors.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    const req = r.request();
    const line = `${req.method()} ${r.status()} ${r.url()}`;
    if (req.method() !== 'GET' || r.status() >= 400) diag.requests.push(line);
    // packages/README.md: a 404 for a state document (or for the learner preferences the
    // runtime reads on startup, cmi5 11.0) means "nothing yet"; 409 on a statement
    // POST means "already stored". Every other 4xx/5xx is a failure of the run.
    const expected = (r.status() === 404 && req.method() === 'GET'
      && /\/(activities\/state|agents\/profile)\?/.test(r.url()))
      || (r.status() === 409 && req.method() === 'POST' && /\/statements(\?|$)/.test(r.url()));
    if (r.status() >= 400 && !expected) diag.errors.push(`HTTP ${line}`);
  });
}

export async function newPage(diag) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  diag.browser = browser;
  const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
  const page = await context.newPage();
  diag.page = page;
  watchPage(page, diag);
  return page;
}
