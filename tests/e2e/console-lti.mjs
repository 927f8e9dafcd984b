// An instructor arrives in the console from the LMS, in headless Chromium, through a
// real LTI 1.3 launch: a node platform (lms-platform.mjs: its own key and JWKS, OIDC
// authorisation endpoint, token URL, NRPS service) is registered through the admin API;
// the browser opens the platform's course page, which starts the third-party login at
// /lti/login inside an iframe; the platform answers our redirect with a form POST of a
// signed id_token to /lti/launch (Instructor, a context, the NRPS claim, custom
// blackbelt=console). The roster is synced from the platform's NRPS service (token by
// the tool's client assertion, checked against the tool's JWKS). The handoff page's
// link opens a new window, which lands signed in on the console as a read-only manager
// of that course: the roster member is listed, a learner outside it is not, there is no
// Password link. The used link answers 404; a Learner's launch answers the 403 page.
// axe-core at 1280 and 390 px on every page reached.

import { E2EError, check, sleep } from './browser.mjs';
import { api, axeCheck, axeHere, base, launch, openPage } from './console.mjs';
import { startPlatform } from './lms-platform.mjs';

const COURSE = { id: `e2e-course-${Date.now()}`, title: 'Social media safety for managers' };
const USERS = {
  'e2e-grace': { name: 'Grace Instructor', role: 'instructor' },
  'e2e-ada': { name: 'Ada Rostered', role: 'learner' },
  'e2e-zed': { name: 'Zed Outsider', role: 'learner' },
};
/** Who the platform's NRPS service lists for the course: Zed is in another course. */
const ROSTER = ['e2e-grace', 'e2e-ada'];

/** A learner the certification engine knows by their LMS account (a `share` statement). */
async function lmsLearner(issuer, sub) {
  const actor = { objectType: 'Agent', name: USERS[sub].name, account: { homePage: issuer, name: sub } };
  const r = await api('POST', '/xapi/statements', {
    actor,
    verb: { id: 'http://activitystrea.ms/schema/1.0/share', display: { 'en-US': 'shared' } },
    object: { objectType: 'Activity', id: `https://social.example.com/posts/${sub}-${Date.now()}`,
      definition: { name: { 'en-US': `Post by ${USERS[sub].name}` } } },
  }, { 'X-Experience-API-Version': '1.0.3' });
  check(r.status === 200, `statement for ${sub}: ${r.status} ${r.text}`);
  return `account:${issuer}|${sub}`;
}

/** The LTI pages' frame-ancestors policy is reread every 30 s: wait until it names the platform. */
async function frameableBy(origin) {
  const until = Date.now() + 40000;
  for (;;) {
    const policy = (await fetch(`${base}/lti/jwks`)).headers.get('content-security-policy') || '';
    if (policy.split(/\s+/).includes(origin)) return;
    check(Date.now() < until, `the LTI pages' frame-ancestors never named ${origin}: ${policy}`);
    await sleep(500);
  }
}

/** Waits until the course's roster is synced from the platform with `members` members. */
async function synced(platformId, members) {
  const until = Date.now() + 30000;
  for (;;) {
    const r = await api('GET', '/api/lti/contexts');
    check(r.status === 200, `GET /api/lti/contexts: ${r.status} ${r.text}`);
    const ours = r.json.find((c) => c.source === `platform:${platformId}` && c.contextId === COURSE.id);
    if (ours && ours.syncState === 'idle' && ours.members === members) return ours;
    check(Date.now() < until, `the roster never synced to ${members} members: ${JSON.stringify(ours)}`);
    await sleep(200);
  }
}

/** Opens the platform's course page as `who`; returns the launch's answer and the tool frame. */
async function launchInFrame(page, platform, who) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${base}/lti/launch` && r.request().method() === 'POST', { timeout: 15000 }),
    page.goto(platform.courseUrl(who, 'frame')),
  ]);
  const frame = page.frame({ name: 'tool' });
  check(frame, 'the course page has no tool frame');
  await frame.waitForLoadState('load');
  check(new URL(frame.url()).pathname === '/lti/launch', `the tool frame ended on ${frame.url()}`);
  return { status: response.status(), frame, text: (await frame.locator('body').innerText()).replace(/\s+/g, ' ') };
}

async function instructor(browser, platform, platformId, ada, zed) {
  const { context, page, errors } = await openPage(browser);
  const launched = await launchInFrame(page, platform, 'e2e-grace');
  check(launched.status === 200, `the instructor's launch answered ${launched.status}: ${launched.text}`);
  check(launched.text.includes(COURSE.title), `the handoff page names the course: ${launched.text}`);
  const link = launched.frame.getByRole('link', { name: 'Open the console in a new window' });
  const enterUrl = await link.getAttribute('href');
  check(enterUrl.startsWith(`${base}/console/lti/enter/`), `the handoff link: ${enterUrl}`);
  check((await link.getAttribute('target')) === '_blank', 'the handoff link opens a new window');
  check((await context.cookies(base)).length === 0, 'no cookie is set inside the LMS frame');

  const roster = await synced(platformId, ROSTER.length);
  check(roster.title === COURSE.title, `the roster's course title: ${roster.title}`);

  // The link opens a window of its own, where the console's cookie is first-party.
  const [popup] = await Promise.all([context.waitForEvent('page'), link.click()]);
  await popup.waitForLoadState('load');
  check(new URL(popup.url()).pathname === '/console', `the new window ended on ${popup.url()}`);
  check((await popup.locator('h1').textContent()).trim() === 'Overview', 'the console overview opens');
  const who = (await popup.locator('.who').innerText()).replace(/\s+/g, ' ').trim();
  check(who === 'Grace Instructor manager', `the console names the LMS user and the manager role: "${who}"`);
  check((await popup.locator('main').innerText()).includes('Figures for: Your team'), 'the overview counts the team only');
  check(await popup.getByRole('link', { name: 'Password' }).count() === 0, 'no Password link for an LMS session');
  await axeCheck(browser, popup, `${base}/console`, 'overview (LMS manager)');

  await popup.getByRole('link', { name: 'Learners', exact: true }).first().click();
  await popup.waitForURL(`${base}/console/learners`);
  const names = await popup.locator('tbody th a').allTextContents();
  check(names.length === 1 && names[0] === 'Ada Rostered', `the LMS manager's learners: ${names.join(', ')}`);
  await axeCheck(browser, popup, popup.url(), 'learners (LMS manager)');
  const mine = await popup.goto(`${base}/console/learners/${encodeURIComponent(ada)}`);
  check(mine.status() === 200, `the roster member's page answered ${mine.status()}`);
  check((await popup.locator('h1').textContent()).trim() === 'Ada Rostered', 'the roster member\'s page opens');
  await axeCheck(browser, popup, popup.url(), 'learner page (LMS manager)');
  const other = await popup.goto(`${base}/console/learners/${encodeURIComponent(zed)}`);
  check(other.status() === 404, `a learner outside the roster answered ${other.status()}`);
  const password = await popup.goto(`${base}/console/password`);
  check(password.status() === 403, `the password page answered ${password.status()} to an LMS session`);

  // The link works once: another browser (no cookie) replaying it gets the 404 page.
  const replay = await browser.newContext();
  const again = await replay.newPage();
  const replayed = await again.goto(enterUrl);
  check(replayed.status() === 404, `the replayed enter link answered ${replayed.status()}`);
  check((await replayed.allHeaders())['set-cookie'] === undefined, 'the replay set a cookie');
  check((await again.locator('main').innerText()).includes('works once'), 'the dead link page says it works once');
  await replay.close();

  const unexpected = errors.filter((e) => !/status of (403|404)/.test(e));
  check(unexpected.length === 0, `browser errors (instructor): ${unexpected.join('; ')}`);
  await context.close();
  return enterUrl;
}

async function learner(browser, platform) {
  const { context, page, errors } = await openPage(browser);
  const launched = await launchInFrame(page, platform, 'e2e-ada');
  check(launched.status === 403, `the learner's launch answered ${launched.status}: ${launched.text}`);
  check(launched.text.includes('This link is for instructors and managers'), `the learner's page: ${launched.text}`);
  check(await launched.frame.locator('a[href*="/console/lti/enter/"]').count() === 0, 'a learner got a console link');
  const unexpected = errors.filter((e) => !/status of 403/.test(e));
  check(unexpected.length === 0, `browser errors (learner): ${unexpected.join('; ')}`);
  await context.close();
}

/** axe-core on the launch's own pages, launched in the whole window at 1280 and 390 px. */
async function launchPagesAxe(browser, platform, usedEnterUrl) {
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    for (const [who, status, label] of [['e2e-grace', 200, 'handoff page'], ['e2e-ada', 403, 'learner\'s 403 page']]) {
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${base}/lti/launch` && r.request().method() === 'POST', { timeout: 15000 }),
        page.goto(platform.courseUrl(who, 'window')),
      ]);
      await page.waitForLoadState('load');
      check(response.status() === status, `${label} (window) answered ${response.status()}`);
      await axeHere(page, label);
    }
    const dead = await page.goto(usedEnterUrl);
    check(dead.status() === 404, `the used enter link answered ${dead.status()}`);
    await axeHere(page, 'dead link page');
  }
  await context.close();
}

async function main() {
  const platform = await startPlatform({
    tool: { url: base, clientId: `bb-e2e-console-${Date.now()}`, deploymentId: 'e2e-deployment-1' },
    course: COURSE, users: USERS, roster: ROSTER,
  });
  const browser = await launch();
  try {
    const registered = await api('POST', '/api/lti/platforms', platform.registration);
    check(registered.status === 201, `registering the platform: ${registered.status} ${registered.text}`);
    const platformId = registered.json.id;
    const ada = await lmsLearner(platform.issuer, 'e2e-ada');
    const zed = await lmsLearner(platform.issuer, 'e2e-zed');
    await frameableBy(platform.origin);

    const enterUrl = await instructor(browser, platform, platformId, ada, zed);
    await learner(browser, platform);
    await launchPagesAxe(browser, platform, enterUrl);

    check(platform.seen.errors.length === 0, `the platform refused: ${platform.seen.errors.join('; ')}`);
    check(platform.seen.tokenRequests > 0 && platform.seen.membershipRequests > 0,
      `the roster came from the platform: ${platform.seen.tokenRequests} token and ${platform.seen.membershipRequests} membership requests`);
    console.log(`console-lti: ${platform.seen.logins} LTI 1.3 launches from a node platform; the instructor's new window is a read-only manager of the course roster (${ROSTER.length} members), the link works once, a learner gets the 403 page (axe-core at 1280 and 390 px)`);
  } finally {
    await browser.close();
    await platform.close();
  }
}

main().catch((e) => {
  console.error(e instanceof E2EError ? `console-lti: ${e.message}` : e);
  process.exit(1);
});
