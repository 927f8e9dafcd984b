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

/** Runs in the page: what a fieldset asks and its right answer, from the markup. */
function describeQuestion(el) {
  const text = (n) => (n ? n.textContent.replace(/\s+/g, ' ').trim() : '');
  const type = el.getAttribute('data-type') || 'choice';
  const correct = el.getAttribute('data-correct');
  const inputs = Array.from(el.querySelectorAll('input[type="radio"], input[type="checkbox"]'));
  return {
    id: el.getAttribute('data-bb-question'),
    type,
    correct,
    scored: el.getAttribute('data-scored') !== 'false' && !!correct,
    multi: inputs.some((i) => i.type === 'checkbox'),
    options: inputs.map((i) => ({ value: i.value, label: text((i.labels && i.labels[0]) || i.closest('label')) })),
    hasExplanation: !!el.querySelector('[data-explanation], [data-feedback-for]'),
  };
}

/** Runs in the page: a path through a scenario's steps that reaches an ending marked best. */
function bestScenarioPath(box) {
  const steps = new Map(Array.from(box.querySelectorAll('[data-bb-step]')).map((s) => [s.getAttribute('data-bb-step'), s]));
  const best = new Set(Array.from(box.querySelectorAll('[data-bb-ending][data-outcome="best"]')).map((e) => e.getAttribute('data-bb-ending')));
  const walk = (id, path) => {
    if (best.has(id)) return path;
    const st = steps.get(id);
    if (!st || path.some((p) => p[0] === id)) return null;
    for (const i of st.querySelectorAll('input[type="radio"]')) {
      const found = walk(i.getAttribute('data-next'), [...path, [id, i.value]]);
      if (found) return found;
    }
    return null;
  };
  const first = box.querySelector('[data-bb-step]');
  return { id: box.getAttribute('data-bb-scenario'), scored: box.getAttribute('data-scored') !== 'false', path: first ? walk(first.getAttribute('data-bb-step'), []) : null };
}

const pairs = (s) => String(s || '').split(',').map((v) => v.trim()).filter(Boolean);

/** Answers one question the right way (the first option for unscored items), as a learner would. */
async function answerQuestion(page, fs, q, log) {
  let response;
  if (q.type === 'sequencing') {
    const want = pairs(q.correct);
    for (let k = 0; k < want.length; k++) {
      for (let guard = 0; guard < want.length; guard++) {
        const order = await fs.locator('[data-bb-items] > li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-value')));
        const at = order.indexOf(want[k]);
        if (at <= k) break;
        const name = await fs.locator(`[data-bb-items] > li[data-value="${want[k]}"] .bb-move button`).first().getAttribute('aria-label');
        await fs.getByRole('button', { name, exact: true }).click(); // found by its accessible name
      }
    }
    const order = await fs.locator('[data-bb-items] > li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-value')));
    check(order.join(',') === want.join(','), `question ${q.id}: Move up/down did not reach the order ${want.join(',')} (${order.join(',')})`);
    response = want.join('[,]');
  } else if (q.type === 'matching') {
    const want = pairs(q.correct).map((p) => p.split('.'));
    for (const [src, tgt] of want) {
      const sel = fs.locator(`[data-bb-sources] > li[data-value="${src}"] select`);
      await sel.selectOption(tgt);
    }
    response = want.map((p) => p.join('[.]')).join('[,]');
  } else if (q.type === 'fill-in') {
    response = 'An answer typed by the e2e test.';
    await fs.locator('textarea').fill(response);
  } else {
    check(q.options.length > 0, `question ${q.id}: no options`);
    const values = q.scored ? (q.multi ? pairs(q.correct) : [q.correct]) : [q.options[0].value];
    for (const v of values) {
      const option = q.options.find((o) => o.value === v);
      check(option, `question ${q.id}: data-correct="${q.correct}" names no option value`);
      check(option.label, `question ${q.id}: option ${v} has no label`);
      // Found by its accessible name, which proves the label is wired up.
      const input = fs.getByRole(q.multi ? 'checkbox' : 'radio', { name: option.label, exact: true });
      check((await input.count()) === 1, `question ${q.id}: no single option named ${JSON.stringify(option.label)}`);
      await input.check();
    }
    if (q.multi) for (const o of q.options) if (!values.includes(o.value)) await fs.getByRole('checkbox', { name: o.label, exact: true }).uncheck();
    response = values.join('[,]');
  }
  // Nothing tells the learner whether they were right before submitting.
  const early = await fs.evaluate((el) => el.matches('.bb-right, .bb-wrong')
    || Array.from(el.querySelectorAll('[data-feedback-for], [data-explanation]')).some((n) => n.offsetParent !== null));
  check(!early, `question ${q.id}: correctness or feedback is shown before submitting`);
  log(`  ${q.id} (${q.type}${q.multi ? ', multiple' : ''}${q.scored ? '' : ', unscored'}): ${response}`);
  return { id: q.id, type: q.type, scored: q.scored, response, multi: q.multi, hasExplanation: q.hasExplanation };
}

async function answerScenario(page, box, log) {
  const sc = await box.evaluate(bestScenarioPath);
  check(sc.path, `scenario ${sc.id}: no path reaches an ending with data-outcome="best"`);
  // Decisions are final: the scenario offers no way back to an earlier step.
  check(await box.getByRole('button', { name: /again/i }).count() === 0, `scenario ${sc.id}: offers to start again`);
  const ended = await box.locator('[data-bb-ending]:visible').count();
  // A resumed attempt shows the path taken before the learner left (the walk took the best one).
  for (const [step, value] of ended ? [] : sc.path) {
    const fs = box.locator(`[data-bb-step="${step}"]`);
    check(await fs.isVisible(), `scenario ${sc.id}: step ${step} is not shown when it should be`);
    await fs.locator(`input[value="${value}"]`).check();
    await fs.getByRole('button', { name: 'Continue', exact: true }).click();
  }
  check(await box.locator('[data-bb-ending][data-outcome="best"]:visible').count() === 1, `scenario ${sc.id}: the best ending is not shown`);
  const response = sc.path.map((p) => p.join('.')).join('[,]');
  log(`  scenario ${sc.id}: ${response}`);
  return { id: sc.id, type: 'other', scored: sc.scored, response, scenario: true };
}

/** Answers every asked item on the page that is showing. */
export async function answerPage(page, log = () => {}) {
  const section = page.locator('section[data-bb-page]:visible');
  check((await section.count()) === 1, `expected exactly one visible section[data-bb-page], saw ${await section.count()}`);
  const out = [];
  for (const fs of await section.locator('fieldset[data-bb-question]:not([hidden])').all()) {
    if (!(await fs.isVisible())) continue; // inside a hidden container
    out.push(await answerQuestion(page, fs, await fs.evaluate(describeQuestion), log));
  }
  for (const box of await section.locator('[data-bb-scenario]').all()) out.push(await answerScenario(page, box, log));
  return out;
}

/** The page counter as numbers: { n, total }. */
export async function pageNumber(page) {
  const t = await waitForText(page.locator('.bb-count'), /^Page \d+ of \d+$/, 'runtime page counter', 15000);
  const m = /^Page (\d+) of (\d+)$/.exec(t);
  return { n: Number(m[1]), total: Number(m[2]) };
}

/**
 * Walks the AU that is open in `page` from page 1 (going back first if the runtime resumed
 * further on): answers every asked item rightly, submits, and reads the result and review.
 * `stopAfter`: answer pages 1..stopAfter only and return without submitting (for resume).
 * Works in launch and preview mode alike.
 */
export async function walkModule(page, log = () => {}, { stopAfter = 0 } = {}) {
  let { n, total } = await pageNumber(page);
  const nav = page.getByRole('navigation', { name: 'Module pages' });
  while (n > 1) { await nav.getByRole('button', { name: 'Previous', exact: true }).click(); n--; }
  const questions = [];
  for (n = 1; n <= total; n++) {
    await waitForText(page.locator('.bb-count'), `Page ${n} of ${total}`, 'page counter');
    const heading = ((await page.locator('section[data-bb-page]:visible h2').first().textContent()) || '').trim();
    log(`page ${n}/${total}: ${heading}`);
    questions.push(...(await answerPage(page, log)));
    if (stopAfter && n === stopAfter) return { pages: total, questions, stoppedAt: n };
    const last = n === total;
    await nav.getByRole('button', { name: !last ? 'Next' : 'Submit answers', exact: true }).or(nav.getByRole('button', { name: 'Finish', exact: true })).click();
    if (n < total) {
      // packages/README.md: focus moves to the new page's heading on page change.
      await waitForText(page.locator('.bb-count'), `Page ${n + 1} of ${total}`, 'page counter');
      const focused = await page.evaluate(() => {
        const s = document.querySelector('section[data-bb-page]:not([hidden])');
        const a = document.activeElement;
        return !!(s && a && s.contains(a) && /^H[1-3]$/.test(a.tagName));
      });
      check(focused, `page ${n + 1}: focus did not move to the page heading`);
    }
  }
  const scoredCount = questions.filter((q) => q.scored).length;
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
    check(await result.locator('.bb-verdict-box.bb-pass').filter({ hasText: 'Passed' }).isVisible(), 'results panel: no visible "Passed" verdict with its icon');
    score = Number(m[3]);
    // The review: one entry per scored item, each marked correct, with its explanation.
    const review = result.getByRole('region', { name: 'Review your answers' });
    check(await review.isVisible(), 'results panel: no "Review your answers" section');
    const entries = review.locator(':scope > ol > li');
    check((await entries.count()) === scoredCount, `review lists ${await entries.count()} items, want ${scoredCount}`);
    const scoredQs = questions.filter((q) => q.scored);
    for (let k = 0; k < scoredCount; k++) {
      const li = entries.nth(k);
      const t = ((await li.innerText()) || '').replace(/\s+/g, ' ');
      check(/Correct/.test(t) && !/Not correct/.test(t), `review item ${k + 1}: not marked correct: ${t}`);
      check(/Your answer:/.test(t), `review item ${k + 1}: does not show the answer given: ${t}`);
    }
    const explained = scoredQs.filter((q) => q.hasExplanation).length;
    const shown = await review.locator('[data-explanation], [data-feedback-for]').count();
    check(shown >= explained, `review shows ${shown} explanations, want at least ${explained}`);
  } else {
    check(/Thank you for completing this module/.test(text), `results panel: ${text}`);
  }
  log(`result: ${text.slice(0, 300)}`);
  return { pages: total, questions, scored: scoredCount, score, resultText: text, result };
}

/** Runs in the page: what an attempt looks like now (drawn items, option orders, answers, page). */
export async function attemptSnapshot(page) {
  return page.evaluate(() => {
    const out = { page: document.querySelector('.bb-count').textContent, drawn: [], orders: {}, answers: {} };
    for (const fs of document.querySelectorAll('fieldset[data-bb-question]')) {
      if (fs.hidden) continue;
      const id = fs.getAttribute('data-bb-question');
      out.drawn.push(id);
      const inputs = Array.from(fs.querySelectorAll('input[type="radio"], input[type="checkbox"]'));
      const items = Array.from(fs.querySelectorAll('[data-bb-items] > li')).map((li) => li.getAttribute('data-value'));
      const selects = Array.from(fs.querySelectorAll('select'));
      out.orders[id] = inputs.length ? inputs.map((i) => i.value) : items.length ? items
        : selects.length ? Array.from(selects[0].options).map((o) => o.value) : [];
      out.answers[id] = inputs.length ? inputs.filter((i) => i.checked).map((i) => i.value).join(',')
        : items.length ? items.join(',') : selects.map((s) => s.value).join(',');
    }
    return out;
  });
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
    // The learner API (/api/learn/settings, /api/learn/summary) may be absent: 404 → defaults.
    const expected = (r.status() === 404 && req.method() === 'GET'
      && (/\/(activities\/state|agents\/profile)\?/.test(r.url()) || /\/api\/learn\/(settings|summary)$/.test(r.url())))
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
