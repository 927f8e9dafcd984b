// The console's learner pages in headless Chromium: learners seeded through the API
// (a `share` statement registers each one, attributes give their org unit, a manual
// award gives Ada the white belt); a program user made with the CLI signs in and opens
// the overview, searches the learners list, opens Ada's page and the program page, and
// downloads the CSV (its rows checked); every page passes axe-core at 1280 and 390 px.
// A manager whose team is one org unit sees only that unit's learner, in the list, the
// CSV and the learner pages (another learner's page is "not found").

import { E2EError, check } from './browser.mjs';
import { api, axeCheck, base, createUser, launch, openPage, signIn } from './console.mjs';

const HOME = 'https://lms.example.com';
const PASSWORD = 'a long e2e learners password';

async function learner(name, display, orgUnit) {
  const actor = { objectType: 'Agent', name: display, account: { homePage: HOME, name } };
  const statement = await api('POST', '/xapi/statements', {
    actor,
    verb: { id: 'http://activitystrea.ms/schema/1.0/share', display: { 'en-US': 'shared' } },
    object: { objectType: 'Activity', id: `https://social.example.com/posts/${name}`,
      definition: { name: { 'en-US': `Post by ${display}` } } },
  }, { 'X-Experience-API-Version': '1.0.3' });
  check(statement.status === 200, `learners: statement for ${name}: ${statement.status} ${statement.text}`);
  const key = `account:${HOME}|${name}`;
  const attrs = await api('PUT', `/api/certification/learners/${encodeURIComponent(key)}/attributes`,
    { audience: ['employees'], role: [], org_unit: [orgUnit] });
  check(attrs.status === 200, `learners: attributes of ${name}: ${attrs.status} ${attrs.text}`);
  return key;
}

function csvRows(text) {
  return text.trim().split('\r\n').slice(1).map((line) => line.split(',')[0]);
}

async function programUser(browser, ada, bob) {
  createUser('e2e-learners-program', 'program', PASSWORD);
  const { context, page, errors } = await openPage(browser);
  await signIn(page, 'e2e-learners-program', PASSWORD, '/console');
  check((await page.locator('h1').textContent()).trim() === 'Overview', 'the overview opens');
  await axeCheck(browser, page, `${base}/console`, 'overview');

  await page.getByRole('link', { name: 'Learners', exact: true }).first().click();
  await page.getByLabel('Name, email or account').fill('Ada Quorn');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Find' }).click()]);
  const names = await page.locator('tbody th a').allTextContents();
  check(names.length === 1 && names[0] === 'Ada Quorn', `search for Ada Quorn listed: ${names.join(', ')}`);
  check((await page.locator('tbody').textContent()).includes('White Belt'), 'the list shows Ada\'s belt');
  await axeCheck(browser, page, page.url(), 'learners list');

  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Ada Quorn' }).click()]);
  check((await page.locator('h1').textContent()).trim() === 'Ada Quorn', 'Ada\'s page opens');
  const text = await page.locator('main').textContent();
  check(text.includes('White Belt') && text.includes('Held'), 'Ada\'s page shows the belt held');
  check(text.includes('shared') && text.includes('Post by Ada Quorn'), 'Ada\'s timeline shows her statement');
  await axeCheck(browser, page, page.url(), 'learner page');

  await page.goto(`${base}/console/program`);
  check((await page.locator('main').textContent()).includes('Tier 1: White Belt'), 'the program page lists the belts');
  await axeCheck(browser, page, `${base}/console/program`, 'program page');

  // Other e2e scripts share this server: the CSV is asked for this script's learners.
  const csv = await page.request.get(`${base}/console/learners.csv?q=Quorn`);
  check(csv.status() === 200, `CSV answered ${csv.status()}`);
  const rows = csvRows(await csv.text());
  check(rows.length === 2 && rows.includes(ada) && rows.includes(bob), `CSV rows: ${rows.join(' | ')}`);
  check(errors.length === 0, `browser errors: ${errors.join('; ')}`);
  await context.close();
}

async function manager(browser, ada, bob) {
  createUser('e2e-learners-manager', 'manager', PASSWORD, ['--team', 'emea']);
  const { context, page, errors } = await openPage(browser);
  await signIn(page, 'e2e-learners-manager', PASSWORD, '/console/learners');
  const names = await page.locator('tbody th a').allTextContents();
  check(names.length === 1 && names[0] === 'Ada Quorn', `the manager's list: ${names.join(', ')}`);
  await axeCheck(browser, page, page.url(), 'learners list (manager)');
  const other = await page.goto(`${base}/console/learners/${encodeURIComponent(bob)}`);
  check(other.status() === 404, `a learner outside the team answered ${other.status()}`);
  const csv = await page.request.get(`${base}/console/learners.csv`);
  const rows = csvRows(await csv.text());
  check(rows.length === 1 && rows[0] === ada, `the manager's CSV rows: ${rows.join(' | ')}`);
  // The 404 above is logged by Chromium as a failed resource: expected.
  const unexpected = errors.filter((e) => !/status of 404/.test(e));
  check(unexpected.length === 0, `browser errors: ${unexpected.join('; ')}`);
  await context.close();
}

async function main() {
  const ada = await learner('ada-e2e', 'Ada Quorn', 'emea');
  const bob = await learner('bob-e2e', 'Bob Quorn', 'apac');
  const award = await api('POST', '/api/certification/awards', { learner: ada, belt: 'white', reason: 'e2e learners' });
  check(award.status === 201, `learners: award to Ada: ${award.status} ${award.text}`);
  const browser = await launch();
  try {
    await programUser(browser, ada, bob);
    await manager(browser, ada, bob);
  } finally {
    await browser.close();
  }
  console.log('console-learners: overview, learners list, learner page, program page, CSV and a manager\'s team checked (axe-core at 1280 and 390 px)');
}

main().catch((e) => {
  console.error(e instanceof E2EError ? `console-learners: ${e.message}` : e);
  process.exit(1);
});
