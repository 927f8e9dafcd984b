// The learner's home (/learn, issue 20) in headless Chromium: an AU's launch token asks
// for a single-use handoff (POST /api/learn/handoff), the browser opens it and lands on
// /learn signed in (HttpOnly cookie), the page passes axe-core with zero violations at
// 1280 and 390 px without horizontal scrolling, the used link is dead (404), and a
// Launch button starts a real cmi5 launch whose AU page runs.

import { E2EError, check, waitForText } from './browser.mjs';
import { api, axeCheck, base, launch, openPage } from './console.mjs';

const POLICY_AU = 'https://blackbelt.example/courses/all-employees/au/policy-essentials';

/** A launch for a fresh learner, and its auth token (as the AU would fetch it). */
async function launchToken() {
  const learner = `learn-home-${Date.now()}`;
  const created = await api('POST', '/api/launches', {
    learner: { account: { homePage: 'https://lms.example.com', name: learner }, name: 'Ada Home' },
    auId: POLICY_AU,
  });
  check(created.status === 201, `launch: ${created.status} ${created.text}`);
  const fetchUrl = new URL(created.json.launchUrl).searchParams.get('fetch');
  const fetched = await (await fetch(fetchUrl, { method: 'POST' })).json();
  check(fetched['auth-token'], `fetch: ${JSON.stringify(fetched)}`);
  return `Basic ${fetched['auth-token']}`;
}

async function handoff(token) {
  const r = await fetch(`${base}/api/learn/handoff`, { method: 'POST', headers: { Authorization: token } });
  const body = await r.json();
  check(r.status === 201 && body.url.includes('/learn/enter/'), `handoff: ${r.status} ${JSON.stringify(body)}`);
  return body.url;
}

async function main() {
  const token = await launchToken();
  const summary = await (await fetch(`${base}/api/learn/summary`, { headers: { Authorization: token } })).json();
  check(Array.isArray(summary.belts) && summary.home.endsWith('/learn'), `summary: ${JSON.stringify(summary)}`);
  const url = await handoff(token);
  const browser = await launch();
  try {
    const { page, errors } = await openPage(browser);
    // The launched AU reads state documents and learner preferences that do not exist yet:
    // their 404s mean "nothing yet" (packages/README.md) and Chromium logs each as a console
    // error. HTTP failures are judged from the responses instead, as browser.mjs does.
    const failures = [];
    page.on('response', (r) => {
      const nothingYet = r.status() === 404 && r.request().method() === 'GET'
        && /\/(activities\/state|agents\/profile)\?/.test(r.url());
      if (r.status() >= 400 && !nothingYet) failures.push(`${r.request().method()} ${r.status()} ${r.url()}`);
    });
    const response = await page.goto(url);
    check(response.status() === 200 && new URL(page.url()).pathname === '/learn', `handoff landed on ${page.url()} (${response.status()})`);
    await waitForText(page.getByRole('heading', { level: 1 }), /your learning/i, 'home heading');
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name.endsWith('blackbelt_learn'));
    check(session && session.httpOnly && session.sameSite === 'Lax', `session cookie: ${JSON.stringify(session)}`);
    const violations = await axeCheck(browser, page, `${base}/learn`, 'learner home');
    check(violations === 0, `learner home: ${violations} axe-core violations (any impact)`);
    const replay = await page.context().newPage();
    const again = await replay.goto(url);
    check(again.status() === 404, `a used handoff answered ${again.status()}`);
    await replay.close();
    // Launch the first module from its card: the AU page starts and its runtime runs.
    const button = page.getByRole('button', { name: /^Launch / }).first();
    await Promise.all([page.waitForURL(/\/content\//), button.click()]);
    check(page.url().includes('fetch=') && page.url().includes('registration='), `launched into ${page.url()}`);
    await waitForText(page.locator('.bb-count'), /^Page 1 of \d+$/, 'the launched AU runtime', 15000);
    const real = errors.filter((e) => !/^Failed to load resource/.test(e));
    check(real.length === 0 && failures.length === 0,
      `errors on the home and the launched AU: ${real.concat(failures).join('; ')}`);
    console.log('learn-home: handoff, home (axe 0 at 1280/390), dead replay, launch: ok');
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e instanceof E2EError ? `learn-home: ${e.message}` : e);
  process.exit(1);
});
