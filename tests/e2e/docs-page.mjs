// The API explorer at /docs works under its Content-Security-Policy: the policy allows
// its inline scripts by hash, so a change to the page (or the policy) that breaks it
// shows here as a CSP violation or an explorer that never draws its operations.

import { E2EError, check, newPage } from './browser.mjs';

const base = process.env.BB_URL;

async function main() {
  const diag = { errors: [], requests: [] };
  try {
    const page = await newPage(diag);
    const response = await page.goto(`${base}/docs`);
    const policy = response.headers()['content-security-policy'] || '';
    check(/script-src 'sha256-/.test(policy), `docs: no hash-based script-src in ${JSON.stringify(policy)}`);
    // The explorer fetches /openapi.json and draws one block per operation.
    await page.locator('.opblock').first().waitFor({ state: 'visible', timeout: 20000 });
    const operations = await page.locator('.opblock').count();
    const violations = diag.errors.filter((e) => /Content Security Policy|Refused to/.test(e));
    check(violations.length === 0, `docs: CSP violations:\n  ${violations.join('\n  ')}`);
    check(operations > 30, `docs: only ${operations} operations drawn`);
    console.log(`docs: ${operations} operations drawn, no CSP violation`);
    console.log('docs: 1 passed, 0 failed');
  } catch (e) {
    console.error(`FAIL: ${e instanceof E2EError ? e.message : e && e.stack ? e.stack : e}`);
    if (diag.errors.length) console.error(`browser:\n  ${diag.errors.join('\n  ')}`);
    process.exitCode = 1;
  } finally {
    if (diag.browser) await diag.browser.close().catch(() => {});
  }
}

await main();
