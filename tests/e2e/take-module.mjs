#!/usr/bin/env node
// End-to-end: a learner takes one cmi5 AU in headless Chromium, then the LRS is checked.
//
//   BB_URL=http://127.0.0.1:8431 BB_KEY=bb_... BB_SECRET=... node tests/e2e/take-module.mjs
//   node tests/e2e/take-module.mjs --preview http://127.0.0.1:8000/courses/all-employees/policy-essentials.html [URL...]
//
// Launch mode (default) needs a running server with the course imported (tests/e2e/run.sh
// starts one). Preview mode opens AU pages without launch parameters, so the runtime
// records nothing; it checks only the page walk (markup contract + runtime UI) and needs
// nothing but a static file server.
//
// Contracts checked: packages/README.md (markup, runtime UI, statement sequence) and cmi5
// (quartz) sections 9.3 (verbs), 9.4 (object), 9.6.3.2 (masteryscore) and 10 (LaunchData).

import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { E2EError, attemptSnapshot, check, exitModule, newPage, pageNumber, runtimeAlert, sleep, waitForText, walkModule, watchPage } from './browser.mjs';
import { verifyProgress, verifyStatements } from './lrs-checks.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const FAILURE_PNG = join(HERE, 'failure.png');
const DEFAULT_AU = 'https://blackbelt.example/courses/all-employees/au/policy-essentials';

/** Re-run `fn` until it stops throwing an E2EError or `ms` has passed (server-side work may lag). */
async function eventually(fn, ms = 10000) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof E2EError) || Date.now() > until) throw e;
      await sleep(250);
    }
  }
}

/* ------------------------------------------------------------------ preview mode */

async function preview(urls, diag) {
  const page = await newPage(diag);
  const summary = [];
  for (const url of urls) {
    diag.errors.length = 0;
    diag.requests.length = 0;
    await page.goto(url);
    const note = await waitForText(page.getByRole('status'), /^Preview:/, 'preview notice');
    check(note, 'no preview notice');
    const walk = await walkModule(page, (l) => console.log(`  ${l}`));
    check(/opened in preview mode, so nothing counts/.test(walk.resultText), `results panel does not say preview: ${walk.resultText}`);
    await exitModule(page, walk, null);
    // Preview records nothing: no POST/PUT at all, and every asset loads.
    check(diag.requests.length === 0, `preview mode: unexpected requests or failed loads: ${diag.requests.join('; ')}`);
    check(diag.errors.length === 0, `browser reported:\n  ${diag.errors.join('\n  ')}`);
    summary.push(`${url}: ${walk.pages} pages, ${walk.questions.length} questions${walk.scored ? `, ${walk.score}%` : ''}`);
    console.log(`ok ${summary[summary.length - 1]}`);
  }
  console.log(`preview: ${urls.length} passed, 0 failed`);
}

/* ------------------------------------------------------------------ launch mode */

function config() {
  const env = process.env;
  const missing = ['BB_URL', 'BB_KEY', 'BB_SECRET'].filter((k) => !env[k]);
  check(!missing.length, `missing environment: ${missing.join(', ')} (or use --preview URL)`);
  const base = env.BB_URL.replace(/\/+$/, '');
  return {
    base,
    au: env.BB_AU || DEFAULT_AU,
    alone: env.BB_AU_ALONE === '1', // the AU is its course's only one, so the course is satisfied too
    auth: 'Basic ' + Buffer.from(`${env.BB_KEY}:${env.BB_SECRET}`).toString('base64'),
    returnUrl: `${base}/healthz`,
  };
}

async function api(cfg, method, path, body) {
  const headers = { Authorization: cfg.auth, Accept: 'application/json' };
  if (path.startsWith('/xapi/')) headers['X-Experience-API-Version'] = '1.0.3';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const url = new URL(path, cfg.base + '/').href;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: reported below if it matters */
  }
  return { status: res.status, json, text, url };
}

async function createLaunch(cfg, learnerName) {
  const name = learnerName || `e2e-${randomUUID().slice(0, 8)}`;
  const res = await api(cfg, 'POST', '/api/launches', {
    learner: { account: { homePage: 'https://lms.example.com', name }, name: 'E2E Learner', mbox: 'mailto:e2e@example.com' },
    auId: cfg.au,
    returnUrl: cfg.returnUrl,
  });
  check(res.status === 201, `POST /api/launches: expected 201, got ${res.status}: ${res.text.slice(0, 500)}`);
  const j = res.json || {};
  for (const k of ['launchUrl', 'registration', 'sessionId']) check(typeof j[k] === 'string' && j[k], `POST /api/launches: response has no "${k}": ${res.text.slice(0, 500)}`);
  return { ...j, learnerName: name, launchUrl: new URL(j.launchUrl, cfg.base + '/').href };
}

async function allStatements(cfg, registration) {
  const out = [];
  let path = `/xapi/statements?${new URLSearchParams({ registration, limit: '500', ascending: 'true' })}`;
  for (let pages = 0; path; pages++) {
    check(pages < 20, 'statements: more than 20 pages of "more" links');
    const res = await api(cfg, 'GET', path);
    check(res.status === 200 && res.json && Array.isArray(res.json.statements), `GET ${path}: ${res.status} ${res.text.slice(0, 300)}`);
    out.push(...res.json.statements);
    path = res.json.more || '';
  }
  return out;
}

/**
 * Stand-ins for the learner endpoints another branch builds (/api/learn/settings and
 * /api/learn/summary, issue 20 contract §4–5): used only while the server answers 404, so
 * the runtime's side is tested now and the real endpoints take over once they exist.
 */
const STAND_INS = {
  '/api/learn/settings': { company_name: 'Acme Test Co', policy_url: 'https://policy.example/social-media', coe_name: 'Acme Social CoE' },
  '/api/learn/summary': {
    belts: [{ id: 'white', name: 'White Belt', colour: '#ffffff', state: 'held' }, { id: 'yellow', name: 'Yellow Belt', colour: '#f2c200', state: 'in_progress' }],
    next: { belt: { id: 'yellow', name: 'Yellow Belt', colour: '#f2c200' }, met: 1, total: 3, open: ['Pass the complaint triage module', 'Share 5 posts in 90 days'] },
    next_module: { title: 'Customer complaints on social media', url: '/learn' },
    home: '/learn',
  },
};
async function learnerApiStandIns(context, base, seen) {
  for (const [path, body] of Object.entries(STAND_INS)) {
    await context.route(base + path, async (route) => {
      const real = await route.fetch();
      if (real.status() !== 404) { seen[path] = 'server'; await route.fulfill({ response: real }); return; }
      seen[path] = 'stand-in';
      await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
    });
  }
}

async function openLaunch(page, launch) {
  await page.goto(launch.launchUrl);
  await page.waitForFunction(() => {
    const s = window.BlackBeltAU && window.BlackBeltAU.state;
    return s && (s.ready || s.failedStart || s.halted || s.terminated);
  }, null, { timeout: 20000 }).catch(() => {
    throw new E2EError('the AU runtime did not finish starting within 20 s');
  });
  const state = await page.evaluate(() => ({ ready: window.BlackBeltAU.state.ready, mode: window.BlackBeltAU.state.mode, resumed: window.BlackBeltAU.state.resumed }));
  const alert = await runtimeAlert(page);
  check(state.ready, `the AU runtime could not start: ${alert || 'no message'}`);
  check(state.mode === 'Normal', `launchMode is ${state.mode}, want Normal`);
  return state;
}

const sessionOf = (s) => ((s.context || {}).extensions || {})['https://w3id.org/xapi/cmi5/context/extensions/sessionid'];

async function launchAndTake(diag) {
  const cfg = config();
  const log = (l) => console.log(`  ${l}`);
  const first = await createLaunch(cfg);
  diag.registration = first.registration;
  console.log(`launch 1: registration ${first.registration}, session ${first.sessionId}`);

  const seen = {};
  let page = await newPage(diag);
  await learnerApiStandIns(page.context(), cfg.base, seen);
  await openLaunch(page, first);

  // Session 1: answer the first pages, then leave without exiting (navigate away).
  const { total } = await pageNumber(page);
  check(total >= 3, `the AU has ${total} pages; the resume check needs at least 3`);
  const part = await walkModule(page, log, { stopAfter: 2 });
  check(part.questions.length > 0, 'pages 1–2 ask nothing, so resume cannot be checked');
  // Exit asks first, inline (contract §7): "Stay in the module" keeps the learner where they were.
  await page.locator('.bb-bar').getByRole('button', { name: 'Exit module', exact: true }).click();
  const ask = page.getByRole('group', { name: /^Leave the module now\?/ });
  check(await ask.isVisible(), 'Exit module did not ask before ending the session');
  await ask.getByRole('button', { name: 'Stay in the module', exact: true }).click();
  check(!(await ask.isVisible()) && (await page.locator('.bb-count').textContent()) === 'Page 2 of ' + total, 'after "Stay in the module" the learner is not back on page 2');
  check(await page.evaluate(() => !window.BlackBeltAU.state.terminated), 'asking to exit ended the session');
  await sleep(1500); // the runtime saves the attempt 0.7 s after the last change
  const before = await attemptSnapshot(page);
  await page.goto('about:blank'); // pagehide: terminated and the attempt go out with keepalive
  await sleep(1000); // let the keepalive requests land before the tab goes
  await page.close();
  console.log(`left at ${before.page} with ${Object.keys(before.answers).length} items shown, ${part.questions.length} answered`);

  // Session 2: the same learner relaunches: same registration, same questions, same page.
  const second = await createLaunch(cfg, first.learnerName);
  check(second.registration === first.registration, `relaunch got registration ${second.registration}, want ${first.registration}`);
  check(second.sessionId !== first.sessionId, 'relaunch reused the session id');
  console.log(`launch 2: session ${second.sessionId}`);
  page = await page.context().newPage();
  diag.page = page;
  watchPage(page, diag);
  const st2 = await openLaunch(page, second);
  check(st2.resumed, 'the relaunch did not resume the saved attempt');
  const after = await attemptSnapshot(page);
  check(after.page === before.page, `resume: at "${after.page}", want "${before.page}"`);
  check(after.drawn.join(',') === before.drawn.join(','), `resume: drawn questions ${after.drawn.join(',')}, want ${before.drawn.join(',')}`);
  for (const id of before.drawn) {
    check(after.orders[id].join(',') === before.orders[id].join(','), `resume: option order of ${id} is ${after.orders[id]}, want ${before.orders[id]}`);
    check(after.answers[id] === before.answers[id], `resume: answer of ${id} is "${after.answers[id]}", want "${before.answers[id]}"`);
  }
  console.log(`resume: ${before.page}, ${before.drawn.length} drawn questions with their order and answers restored`);

  // Company variables from the settings (stand-in or real).
  if (seen['/api/learn/settings'] === 'stand-in') {
    await page.waitForFunction(() => document.querySelectorAll('[data-bb-var]').length === 0
      || Array.from(document.querySelectorAll('[data-bb-var="company_name"]')).every((n) => n.textContent === 'Acme Test Co'), null, { timeout: 5000 })
      .catch(() => { throw new E2EError('company_name from /api/learn/settings did not replace the page default'); });
    const vars = await page.locator('[data-bb-var]').count();
    console.log(vars ? `variables: ${vars} placeholders filled from the settings` : 'variables: this page has no placeholders');
  }

  const walk = await walkModule(page, log);
  await waitForText(walk.result.locator('.bb-saved-ok'), /^Saved: your result is stored in your learning record\.$/, 'saved confirmation', 20000);
  // contract §5: after a Normal-mode submit and the save, the runtime asks for the belt summary.
  await eventually(async () => check(seen['/api/learn/summary'], 'the runtime did not ask GET /api/learn/summary after the save'), 5000);
  if (seen['/api/learn/summary'] === 'stand-in') {
    const belts = walk.result.getByRole('region', { name: 'Belt progress' });
    await belts.waitFor({ state: 'visible', timeout: 10000 }).catch(() => { throw new E2EError('no "Belt progress" block after the save'); });
    check(await walk.result.getByRole('link', { name: 'Next module: Customer complaints on social media' }).isVisible(), 'no "Next module" link');
    console.log('result: saved, belt progress and next module shown');
  }
  await exitModule(page, walk, cfg.returnUrl);
  console.log(`exit: back at ${page.url()}`);
  check(diag.errors.length === 0, `browser reported:\n  ${diag.errors.join('\n  ')}`);
  diag.phase = 'lrs';

  const launch = second;
  const st = await eventually(async () => {
    const sts = await allStatements(cfg, launch.registration);
    const s1 = sts.filter((s) => sessionOf(s) === first.sessionId).map((s) => s.verb.id.replace(/^.*\//, ''));
    check(s1.includes('initialized'), `session 1 has no initialized: ${s1.join(' ')}`);
    check(!s1.some((v) => ['answered', 'passed', 'failed', 'completed'].includes(v)), `session 1 (left before submitting) sent ${s1.join(' ')}: answers go out on submit only`);
    const mine = sts.filter((s) => sessionOf(s) === second.sessionId || /\/satisfied$/.test(s.verb.id));
    return { ...verifyStatements(mine, cfg, launch, walk), session1: s1 };
  });
  const pr = await eventually(async () => {
    const res = await api(cfg, 'GET', `/api/registrations/${encodeURIComponent(launch.registration)}/progress`);
    check(res.status === 200, `GET progress: ${res.status} ${res.text.slice(0, 300)}`);
    return verifyProgress(res.json, cfg, launch);
  });

  console.log(`questions answered: ${walk.questions.length} (${walk.scored} scored, ${walk.score}% in the page)`);
  console.log(`session 1 statements: ${st.session1.join(' ')}`);
  console.log(`session 2 statements (${st.verbs.length}): ${st.verbs.join(' ')}`);
  console.log(`progressed: ${st.progress.join('% ')}%; passed scaled ${st.score}; satisfied statements: ${st.satisfied}`);
  console.log(`progress API: course ${pr.status}; AU status=${pr.au.status} completed=${pr.au.completed} passed=${pr.au.passed} satisfied=${pr.au.satisfied} score=${pr.au.score} progress=${pr.au.progress}`);
  console.log('e2e: 1 passed, 0 failed');
}

/* ------------------------------------------------------------------ anonymous survey */

const SURVEY_AU = 'https://blackbelt.example/courses/readiness-survey/au/readiness-survey';

/**
 * The readiness survey in anonymous mode (issue 20 contract §6): one POST of the answers to
 * /api/survey/responses, then `completed`, and no `answered` statement in the LRS. Until the
 * survey page carries data-bb-survey="anonymous" (content branch) the script sets it before
 * the runtime starts; until the server has the endpoint (server branch) it stands in for it.
 */
async function surveyAnonymous(cfg, diag) {
  const launch = await createLaunch({ ...cfg, au: SURVEY_AU });
  diag.registration = launch.registration;
  console.log(`survey launch: registration ${launch.registration}`);
  const page = await newPage(diag);
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      const main = document.querySelector('main[data-bb-au]');
      if (main) { if (!main.hasAttribute('data-bb-survey')) main.setAttribute('data-bb-survey', 'anonymous'); obs.disconnect(); }
    }).observe(document, { childList: true, subtree: true });
  });
  const posted = [];
  let served = 'server';
  await page.context().route(`${cfg.base}/api/survey/responses`, async (route) => {
    posted.push(route.request().postDataJSON());
    const real = await route.fetch();
    if (real.status() !== 404) { await route.fulfill({ response: real }); return; }
    served = 'stand-in';
    await route.fulfill({ status: 201, contentType: 'application/json', body: JSON.stringify({ stored: Object.keys(posted[0].answers).length }) });
  });
  await openLaunch(page, launch);
  const walk = await walkModule(page, (l) => console.log(`  ${l}`));
  await waitForText(walk.result.locator('.bb-saved-ok'), /^Saved: your responses are stored/, 'survey saved confirmation', 20000);
  check(posted.length === 1, `expected one POST /api/survey/responses, saw ${posted.length}`);
  const body = posted[0];
  check(body.activityId === SURVEY_AU, `survey POST activityId ${body.activityId}, want the publisher id ${SURVEY_AU}`);
  check(JSON.stringify(Object.keys(body).sort()) === '["activityId","answers"]', `survey POST carries more than activityId and answers: ${Object.keys(body)}`);
  check(walk.questions.every((q) => q.id in body.answers), `survey POST lacks answers: ${walk.questions.map((q) => q.id).filter((id) => !(id in body.answers))}`);
  await exitModule(page, walk, cfg.returnUrl);
  check(diag.errors.length === 0, `browser reported:\n  ${JSON.stringify(diag.errors)}`);
  await diag.browser.close();
  diag.browser = null;
  const verbs = await eventually(async () => {
    const sts = (await allStatements(cfg, launch.registration)).map((s) => s.verb.id.replace(/^.*\//, ''));
    check(sts.includes('completed') && sts.includes('terminated'), `survey statements lack completed/terminated: ${sts.join(' ')}`);
    return sts;
  });
  check(!verbs.includes('answered'), `anonymous survey sent answered statements: ${verbs.join(' ')}`);
  console.log(`survey: ${Object.keys(body.answers).length} answers in one POST (${served}); statements: ${verbs.join(' ')}`);
}

/* ------------------------------------------------------------------ main */

async function main() {
  const args = process.argv.slice(2);
  const diag = { errors: [], requests: [], browser: null, page: null, phase: 'browser' };
  try {
    if (args[0] === '--preview') {
      check(args.length > 1, 'usage: take-module.mjs --preview URL [URL...]');
      await preview(args.slice(1), diag);
    } else {
      check(!args.length, `unknown arguments: ${args.join(' ')} (usage: take-module.mjs [--preview URL...])`);
      await launchAndTake(diag);
      if (diag.browser) await diag.browser.close().catch(() => {});
      Object.assign(diag, { errors: [], requests: [], browser: null, page: null, phase: 'browser' });
      await surveyAnonymous(config(), diag);
    }
  } catch (e) {
    process.exitCode = 1;
    console.error(`FAIL: ${e instanceof E2EError ? e.message : e && e.stack ? e.stack : e}`);
    if (diag.registration) console.error(`registration: ${diag.registration}`);
    if (diag.page) {
      console.error(`page: ${diag.page.url()}`);
      const alert = await runtimeAlert(diag.page).catch(() => '');
      if (alert) console.error(`runtime alert: ${alert}`);
      await diag.page.screenshot({ path: FAILURE_PNG, fullPage: true }).then(
        () => console.error(`screenshot: ${FAILURE_PNG}`),
        () => {},
      );
    }
    if (diag.errors.length) console.error(`browser:\n  ${diag.errors.join('\n  ')}`);
    if (diag.requests.length && diag.phase !== 'lrs') console.error(`requests (non-GET or failed):\n  ${diag.requests.slice(-30).join('\n  ')}`);
  } finally {
    if (diag.browser) await diag.browser.close().catch(() => {});
  }
}

// Run when executed; importing this file (for walkModule) runs nothing.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
