// What a new user ran into: a run started from the app says "app"; a token's label reads as the
// Settings page shows it, and filtering runs by it works; the Run panel streams a script's logs
// and the recent runs follow; a never-used token says "never" and a deleted one's value leaves
// the screen; superadmins read the instance's audit entries (logins, logouts, tokens); the
// recent runs stay inside their box on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, login, screenshot, WORKSPACE } from './harness.mjs';

let server;
let chrome;
before(async () => {
  server = await startServer();
  chrome = await openBrowser();
  await server.createScript('u/admin/ticker', 'import time\n\ndef main(n: int = 3):\n    for i in range(n):\n' +
    '        print("tick", i, flush=True)\n        time.sleep(0.7)\n    return n\n', 'python3');
});
after(async () => {
  await chrome?.close();
  await server?.stop();
});

test('the Run panel streams the logs, the run says app, and the recent runs follow', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/scripts/get/u/admin/ticker');
  const runs = page.getByRole('region', { name: 'Recent runs' });
  await runs.getByText('No runs yet').waitFor();
  await page.getByRole('form', { name: 'Run' }).getByRole('button', { name: 'Run' }).click();
  const live = page.getByRole('region', { name: 'Logs so far' });
  await live.getByText('tick 0').waitFor();
  assert.equal(await page.getByRole('region', { name: 'Result' }).count(), 0, 'the logs came before the end');
  await page.getByRole('region', { name: 'Result' }).getByText('3', { exact: true }).waitFor();
  // The recent runs were read again when it ended; the run is the app's, by admin.
  const row = runs.getByRole('row').filter({ hasText: 'success' });
  await row.getByText('admin', { exact: true }).waitFor();
  await page.getByRole('link', { name: 'Open the run' }).click();
  const who = page.getByRole('region', { name: 'Who and what' });
  await who.getByText('app', { exact: true }).waitFor();
  chrome.assertNoProblems();
});

test('a token label reads as Settings shows it, and runs are filtered by it', async () => {
  const token = (await server.api('POST', '/api/users/tokens/create', { label: 'ci-bot' })).text;
  const res = await server.fetch('POST', `/api/w/${WORKSPACE}/jobs/run_wait_result/p/u/admin/ticker`, { n: 1 }, token);
  assert.equal(res.status, 200, res.text);
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/user/settings');
  await page.getByRole('cell', { name: 'ci-bot', exact: true }).waitFor();
  await page.goto(server.url + '/runs');
  const row = page.getByRole('row').filter({ hasText: 'u/admin/ticker' }).filter({ hasText: 'webhook' });
  await row.getByRole('cell', { name: 'ci-bot', exact: true }).waitFor();
  assert.equal(await page.getByText('label-ci-bot').count(), 0, 'the API form stays in the API');
  await page.getByLabel('Triggered by').fill('ci-bot');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL(/created_by=ci-bot/);
  await page.getByRole('row').filter({ hasText: 'ci-bot' }).first().waitFor();
  assert.equal(await page.getByRole('row').filter({ hasText: 'app' }).count(), 0, 'runs of the app are left out');
  const rows = await page.getByRole('row').count();
  assert.equal(rows, 2, 'the header and the one run of the token');
  chrome.assertNoProblems();
});

test('a never-used token says never; deleting the token just made takes its value off the screen', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/user/settings');
  await page.getByLabel('Label').fill('short-lived');
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.getByText('Token “short-lived” created.').waitFor();
  const row = page.getByRole('row').filter({ hasText: 'short-lived' });
  await row.getByRole('cell', { name: 'never', exact: true }).first().waitFor();
  const shown = await page.locator('.secret code').innerText();
  assert.match(shown, /^[A-Za-z0-9]{32}$/);
  await row.getByRole('button', { name: /^Delete token short-lived/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await row.waitFor({ state: 'detached' });
  assert.equal(await page.getByText(shown).count(), 0, 'the value is gone');
  assert.equal(await page.getByText('Token “short-lived” created.').count(), 0);
  chrome.assertNoProblems();
});

test('superadmins read the instance’s entries: logins, logouts, tokens', async () => {
  const other = await chrome.newPage();
  await login(other, server);
  await other.getByRole('button', { name: 'Log out' }).click();
  await other.waitForURL(/\/user\/login/);
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/audit_logs');
  await page.getByLabel('Entries of').selectOption('instance');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/scope=instance/);
  const table = page.getByRole('table');
  await table.getByRole('row').filter({ hasText: 'users.logout' }).filter({ hasText: 'instance' }).first().waitFor();
  await table.getByRole('row').filter({ hasText: 'users.login' }).first().waitFor();
  await table.getByRole('row').filter({ hasText: 'users.token.create' }).first().waitFor();
  await screenshot(page, 'audit-instance');
  chrome.assertNoProblems();
});

test('on a phone the recent runs scroll inside their box', async () => {
  const page = await chrome.newPage({ width: 390, height: 844 });
  await login(page, server);
  await page.goto(server.url + '/scripts/get/u/admin/ticker');
  await page.getByRole('region', { name: 'Recent runs' }).getByRole('table').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await screenshot(page, 'script-runs-phone');
  chrome.assertNoProblems();
});
