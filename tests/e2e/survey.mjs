// The anonymous readiness survey end to end (issue 20 contract §6): four learners answer
// through the API with their own launch tokens, a fifth takes the survey in headless
// Chromium in launch mode (multi-select channels, a likert item, free text; one Submit).
// Then: the LRS holds no `answered` statement for that learner's registration (the
// runtime sent the answers to POST /api/survey/responses instead) but does hold
// `completed`; a program user signs in and the console's Surveys page shows the counts
// and the free text; axe-core finds no serious violation at 1280 and 390 px.
//
//   BB_URL=… BB_KEY=… BB_SECRET=… BB_BIN=… BB_DATABASE_URL=… node tests/e2e/survey.mjs
// (tests/e2e/run.sh sets them.)

import { randomUUID } from 'node:crypto';
import { E2EError, check, runtimeAlert, sleep } from './browser.mjs';
import { api, axeCheck, base, createUser, launch, openPage, signIn } from './console.mjs';

const SURVEY_AU = 'https://blackbelt.example/courses/readiness-survey/au/readiness-survey';
const PASSWORD = 'a long e2e survey password';
const HOME = 'https://lms.example.com';
const FREE_TEXT = `Short worked examples of good posts (${randomUUID().slice(0, 8)})`;

/** A launch of the survey for a new learner: the launch API's answer. */
async function newLaunch(name) {
  const r = await api('POST', '/api/launches', {
    learner: { account: { homePage: HOME, name }, name: `Survey ${name}` },
    auId: SURVEY_AU,
    returnUrl: `${base}/healthz`,
  });
  check(r.status === 201, `POST /api/launches for ${name}: ${r.status} ${r.text.slice(0, 300)}`);
  return { ...r.json, launchUrl: new URL(r.json.launchUrl, `${base}/`).href };
}

/** The launch's auth token, from its fetch URL (as an AU gets it). */
async function tokenOf(launchAnswer) {
  const fetchUrl = new URL(launchAnswer.launchUrl).searchParams.get('fetch');
  const r = await fetch(fetchUrl, { method: 'POST' });
  const j = await r.json();
  check(j['auth-token'], `fetch URL gave no token: ${JSON.stringify(j)}`);
  return j['auth-token'];
}

async function answerByApi(i) {
  const l = await newLaunch(`survey-api-${i}-${randomUUID().slice(0, 6)}`);
  const token = await tokenOf(l);
  const r = await fetch(`${base}/api/survey/responses`, {
    method: 'POST',
    headers: { Authorization: `Basic ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      activityId: SURVEY_AU,
      answers: { channels: ['messaging'], comfort: i % 2 ? '2' : '4', 'help-most': `API idea ${i}` },
    }),
  });
  check(r.status === 201, `API response ${i}: ${r.status} ${await r.text()}`);
}

async function allStatements(registration) {
  const r = await api('GET', `/xapi/statements?${new URLSearchParams({ registration, limit: '0', ascending: 'true' })}`,
    undefined, { 'X-Experience-API-Version': '1.0.3' });
  check(r.status === 200, `GET statements: ${r.status} ${r.text.slice(0, 200)}`);
  return r.json.statements;
}

const verb = (s) => s.verb.id.split('/').pop();

/** Takes the survey in Chromium as a learner would; returns the registration. */
async function takeInBrowser(browser) {
  const l = await newLaunch(`survey-browser-${randomUUID().slice(0, 6)}`);
  const { context, page, errors } = await openPage(browser);
  const posts = [];
  page.on('response', (r) => {
    if (r.request().method() === 'POST' && r.url().endsWith('/api/survey/responses')) posts.push(r.status());
  });
  await page.goto(l.launchUrl);
  await page.waitForFunction(() => {
    const s = window.BlackBeltAU && window.BlackBeltAU.state;
    return s && (s.ready || s.failedStart || s.halted || s.terminated);
  }, null, { timeout: 20000 }).catch(() => { throw new E2EError('the survey AU did not start within 20 s'); });
  check(await page.evaluate(() => window.BlackBeltAU.state.ready), `the survey AU could not start: ${await runtimeAlert(page)}`);

  const next = page.getByRole('navigation', { name: 'Module pages' }).getByRole('button', { name: 'Next' });
  // Page 1: two channels (checkboxes), then change the mind on one of them.
  await page.getByRole('checkbox', { name: 'Messaging apps and group chats' }).check();
  await page.getByRole('checkbox', { name: 'Online communities, forums or blogs' }).check();
  await page.getByRole('checkbox', { name: 'Online communities, forums or blogs' }).uncheck();
  await page.getByRole('checkbox', { name: 'A video or photo sharing platform' }).check();
  await page.getByRole('radio', { name: 'About once a day' }).check();
  await next.click();
  // Page 2: a likert answer.
  await page.getByRole('group', { name: /comfortable answering questions/ }).getByRole('radio', { name: 'Agree', exact: true }).check();
  await next.click();
  // Page 3: free text, then the one Submit.
  await page.getByLabel('Your answer, in your own words (optional)').fill(FREE_TEXT);
  check(posts.length === 0, 'nothing is sent before Submit');
  await page.getByRole('button', { name: /^(Submit answers|Finish)$/ }).click();
  for (let waited = 0; posts.length === 0 && waited < 15000; waited += 100) await sleep(100);
  check(posts.length === 1 && posts[0] === 201, `POST /api/survey/responses answered ${posts.join(', ') || 'nothing'}`);
  // The runtime then sends `completed` (after the 2xx); wait for it to reach the LRS.
  let statements = [];
  for (let waited = 0; waited < 15000; waited += 250) {
    statements = await allStatements(l.registration);
    if (statements.some((s) => verb(s) === 'completed')) break;
    await sleep(250);
  }
  const verbs = statements.map(verb);
  check(verbs.includes('completed'), `no completed statement for the survey: ${verbs.join(' ')}`);
  check(!verbs.includes('answered'), `the LRS holds answered statements for the learner: ${verbs.join(' ')}`);
  const leaked = statements.filter((s) => JSON.stringify(s).includes(FREE_TEXT));
  check(leaked.length === 0, 'the free-text answer is in a statement');
  const unexpected = errors.filter((e) => !/status of 404/.test(e));
  check(unexpected.length === 0, `survey page errors: ${unexpected.join('; ')}`);
  await context.close();
  console.log(`survey: taken in the browser (registration ${l.registration}); statements: ${verbs.join(' ')}`);
  return l.registration;
}

/** The survey's results from the admin API: respondents, and the count for one option label. */
async function results(label) {
  const r = await api('GET', `/api/survey/${encodeURIComponent(SURVEY_AU)}/results`);
  if (r.status === 404) return { respondents: 0, count: 0, percent: 0 }; // not imported yet
  check(r.status === 200, `GET results answered ${r.status}: ${r.text.slice(0, 200)}`);
  const option = r.json.questions.flatMap((q) => q.options || []).find((o) => o.label === label);
  return { respondents: r.json.respondents, count: option ? option.count : 0, percent: option ? option.percent : 0 };
}

const MESSAGING = 'Messaging apps and group chats';

/** Earlier scripts of the same run may have answered the survey too: counts are relative. */
async function report(browser, before) {
  createUser('e2e-survey-program', 'program', PASSWORD);
  const { context, page, errors } = await openPage(browser);
  await signIn(page, 'e2e-survey-program', PASSWORD, '/console');
  await page.getByRole('link', { name: 'Surveys', exact: true }).first().click();
  check((await page.locator('h1').textContent()).trim() === 'Surveys', 'the Surveys page opens');
  const text = await page.locator('main').textContent();
  const after = await results(MESSAGING);
  check(after.respondents === before.respondents + 5, `respondents went from ${before.respondents} to ${after.respondents}, not up by 5`);
  check(after.count === before.count + 5, `"${MESSAGING}" went from ${before.count} to ${after.count}, not up by 5`);
  const counted = new RegExp(`${after.respondents}\\s*people have answered`);
  check(counted.test(text), `the report counts ${after.respondents} respondents: ${text.slice(0, 400)}`);
  check(text.includes(FREE_TEXT), 'the report lists the free-text answer from the browser');
  const messaging = page.locator('tr', { has: page.locator('th', { hasText: MESSAGING }) });
  const cells = await messaging.locator('td').allTextContents();
  check(cells[0] === String(after.count) && cells[1].includes(`${after.percent} %`), `messaging row: ${cells.join(' | ')} (expected ${after.count}, ${after.percent} %)`);
  await axeCheck(browser, page, page.url(), 'surveys page');
  check(errors.length === 0, `surveys page errors: ${errors.join('; ')}`);
  await context.close();
}

async function main() {
  const browser = await launch();
  try {
    const before = await results(MESSAGING);
    for (let i = 0; i < 4; i++) await answerByApi(i);
    await takeInBrowser(browser);
    await report(browser, before);
    console.log('survey e2e: passed');
  } catch (e) {
    process.exitCode = 1;
    console.error(`FAIL: ${e instanceof E2EError ? e.message : e && e.stack ? e.stack : e}`);
  } finally {
    await browser.close().catch(() => {});
  }
}

await main();
