// The three moments the webhooks page promises, in one go, as a user does them with the
// keyboard and mouse: write a script and find its webhook; make a token (seen once) and call
// the webhook with it; check in Audit logs and Runs that the call ran, and how.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer, openBrowser, screenshot, ADMIN_EMAIL, ADMIN_PASSWORD, setCode } from './harness.mjs';

const run = promisify(execFile);
let server;
let chrome;
before(async () => {
  server = await startServer();
  chrome = await openBrowser();
});
after(async () => {
  await chrome?.close();
  await server?.stop();
});

test('write a script, copy its sync curl, make a labelled token, find the call in Audit logs and Runs', async () => {
  const page = await chrome.newPage();
  // Log in with the keyboard only.
  await page.goto(server.url + '/');
  await page.getByLabel('Email').waitFor();
  await page.keyboard.type(ADMIN_EMAIL); // the email field has the focus
  await page.keyboard.press('Tab');
  await page.keyboard.type(ADMIN_PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Welcome, admin' }).waitFor();

  // 1. A Python script, written in the editor.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Scripts' }).click();
  await page.getByRole('main').getByRole('link', { name: 'New script' }).first().click();
  await page.getByLabel('Path').fill('u/admin/hello_world');
  await page.getByLabel('Summary').fill('Says hello');
  await setCode(page.getByLabel('Code'), 'def main(name: str = "world"):\n    return f"hello {name}"\n');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/\/scripts\/get\/u\/admin\/hello_world$/);

  // 2. Its three webhook URLs.
  const panel = page.getByRole('region', { name: 'Webhooks' });
  const base = `${server.url}/api/w/admins/jobs`;
  for (const url of [`${base}/run/p/u/admin/hello_world`, `${base}/run_wait_result/p/u/admin/hello_world`]) {
    await panel.getByText(url, { exact: true }).waitFor();
  }
  await panel.getByText(new RegExp(`^${base}/run/h/[0-9a-f]{16}$`)).waitFor();

  // 3. The copied sync curl runs (with the token of this session's user) and answers the result.
  await panel.getByRole('button', { name: 'Copy example' }).click();
  const curl = await page.evaluate(() => navigator.clipboard.readText());
  const adminToken = await server.adminToken();
  const first = await run('bash', ['-c', curl], { env: { ...process.env, TOKEN: adminToken } });
  assert.equal(JSON.parse(first.stdout), 'hello world');

  // 4. A labelled token from the settings: shown once, gone after a reload, and it works.
  await nav.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Label').fill('webhook-walkthrough');
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.getByText('You will not see this token again.').waitFor();
  const token = (await page.getByRole('status').locator('code').innerText()).trim();
  assert.match(token, /^[A-Za-z0-9]{32}$/);
  await page.reload();
  await page.getByRole('cell', { name: 'webhook-walkthrough', exact: true }).waitFor();
  assert.equal(await page.getByText(token).count(), 0, 'the token is not shown after a reload');
  const called = await server.fetch('POST', `/api/w/admins/jobs/run_wait_result/p/u/admin/hello_world?token=${token}`, { name: 'audit' });
  assert.equal(called.status, 200);
  assert.equal(called.json(), 'hello audit');

  // 5. The trigger in the Audit logs, under the token's label, linked to its run.
  await nav.getByRole('link', { name: 'Audit logs' }).click();
  const entry = page.getByRole('row').filter({ hasText: 'webhook-walkthrough' }).filter({ hasText: 'jobs.run.script' });
  await entry.waitFor();
  assert.ok((await entry.innerText()).includes('u/admin/hello_world'));
  await screenshot(page, 'walkthrough-audit');
  await entry.getByRole('link', { name: 'View run' }).click();
  await page.waitForURL(/\/run\/[0-9a-f-]{36}$/);
  await page.getByRole('region', { name: 'Result' }).getByText('"hello audit"').waitFor();

  // 6. The run on the Runs page, under the label, with its result.
  await nav.getByRole('link', { name: 'Runs' }).click();
  const row = page.getByRole('row').filter({ hasText: 'webhook-walkthrough' });
  await row.getByText('success', { exact: true }).waitFor();
  await row.getByRole('link', { name: /^Run / }).click();
  await page.getByRole('region', { name: 'Result' }).getByText('"hello audit"').waitFor();
  await page.getByRole('region', { name: 'Arguments' }).getByText('"name": "audit"').waitFor();
  await screenshot(page, 'walkthrough-run');
  chrome.assertNoProblems();
});
