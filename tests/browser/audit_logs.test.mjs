// Audit logs: a webhook call shows up under its token label, filters live in the URL, paging
// works, and a run's row links to the run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, login, screenshot, WORKSPACE } from './harness.mjs';

let server;
let chrome;
before(async () => {
  server = await startServer();
  chrome = await openBrowser();
  await server.createScript('u/admin/hello', 'def main(name="world"):\n    return "hello " + name\n', 'python3', 'Say hello');
});
after(async () => {
  await chrome?.close();
  await server?.stop();
});

async function webhookToken(label) {
  return (await server.api('POST', '/api/users/tokens/create', { label, scopes: ['jobs:run:scripts:u/admin/hello'] })).text;
}

// An async webhook call the way a caller outside would make it; returns the job id.
async function callWebhook(token, args = {}) {
  const res = await server.fetch('POST', `/api/w/${WORKSPACE}/jobs/run/p/u/admin/hello?token=${encodeURIComponent(token)}`, args);
  assert.equal(res.status, 201, res.text);
  return res.text.trim();
}

// Waits until the list (or its empty state) has been drawn after a navigation.
async function results(page) {
  await page.getByRole('table').or(page.getByText(/^No (more )?audit entries/)).waitFor();
}

async function dataRows(page) {
  return (await page.getByRole('table').getByRole('row').count()) - 1; // minus the header row
}

async function applyFilters(page, values) {
  const form = page.getByRole('search', { name: 'Filter audit entries' });
  // "To" is exact: the User field's hint mentions a "token".
  for (const [label, value] of Object.entries(values)) {
    await form.getByLabel(label, { exact: label === 'From' || label === 'To' }).fill(value);
  }
  await form.getByRole('button', { name: 'Apply filters' }).click();
}

test('a webhook call shows under its token label; filters are kept in the URL', async () => {
  const token = await webhookToken('webhook-hello');
  const jobId = await callWebhook(token, { name: 'audit' });
  const page = await chrome.newPage();
  await login(page, server);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit logs' }).click();
  await page.waitForURL(/\/audit_logs$/);
  const row = page.getByRole('row').filter({ hasText: 'webhook-hello' }).filter({ hasText: 'jobs.run.script' });
  await row.waitFor();
  await assert.doesNotReject(row.getByText('u/admin/hello').waitFor());
  await screenshot(page, 'audit-logs');

  // By user: only the webhook's row is left, and the filter survives a reload.
  await applyFilters(page, { User: 'webhook-hello' });
  await page.waitForURL(/\/audit_logs\?username=webhook-hello$/);
  await results(page);
  assert.equal(await dataRows(page), 1);
  await page.reload();
  await results(page);
  assert.equal(await page.getByLabel('User').inputValue(), 'webhook-hello');
  assert.equal(await dataRows(page), 1);

  // By operation (it matches the start): saving the script is there, the webhook call is not.
  await applyFilters(page, { User: '', Operation: 'scripts.' });
  await page.waitForURL(/\/audit_logs\?operation=scripts\.$/);
  await page.getByRole('row').filter({ hasText: 'scripts.create' }).filter({ hasText: 'u/admin/hello' }).waitFor();
  assert.equal(await page.getByRole('row').filter({ hasText: 'webhook-hello' }).count(), 0);
  await screenshot(page, 'audit-logs-filtered');

  await applyFilters(page, { Operation: 'jobs.run', User: 'webhook-hello' });
  await results(page);
  assert.equal(await dataRows(page), 1);

  // Back goes to the previous filter.
  await page.goBack();
  await page.waitForURL(/\/audit_logs\?operation=scripts\.$/);
  await page.getByRole('row').filter({ hasText: 'scripts.create' }).waitFor();
  assert.equal(await page.getByLabel('Operation').inputValue(), 'scripts.');

  // Nobody by that name.
  await applyFilters(page, { Operation: '', User: 'nobody-at-all' });
  await page.getByText('No audit entries match these filters.').waitFor();
  await screenshot(page, 'audit-logs-empty');

  // Date range: today has the call, tomorrow has nothing; a backwards range is refused in words.
  const [today, tomorrow] = await page.evaluate(() => {
    const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    const d = new Date();
    return [iso(d), iso(new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1))];
  });
  await applyFilters(page, { User: 'webhook-hello', From: today, To: today });
  await page.waitForURL(new RegExp(`from=${today}&to=${today}`));
  await row.waitFor();
  await applyFilters(page, { From: tomorrow, To: '' });
  await page.getByText('No audit entries match these filters.').waitFor();
  await applyFilters(page, { From: tomorrow, To: today });
  await page.getByRole('alert').filter({ hasText: '“From” is after “To”' }).waitFor();

  // The row of a run links to that run.
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.waitForURL(/\/audit_logs$/);
  await row.getByRole('link', { name: 'View run' }).click();
  await page.waitForURL(new RegExp(`/run/${jobId}$`));
  chrome.assertNoProblems();
});

test('paging through more entries than fit on a page', async () => {
  const token = await webhookToken('webhook-batch');
  for (let i = 0; i < 30; i++) await callWebhook(token, { name: `n${i}` });
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/audit_logs?username=webhook-batch');
  await results(page);
  const pages = page.getByRole('navigation', { name: 'Pages' });
  assert.equal(await dataRows(page), 25);
  assert.ok(await pages.getByRole('button', { name: '← Previous' }).isDisabled());
  await pages.getByText('Page 1').waitFor();

  await pages.getByRole('button', { name: 'Next →' }).click();
  await page.waitForURL(/\/audit_logs\?username=webhook-batch&page=2$/);
  await pages.getByText('Page 2').waitFor();
  assert.equal(await dataRows(page), 5);
  assert.ok(await pages.getByRole('button', { name: 'Next →' }).isDisabled(), 'nothing after the last page');
  await screenshot(page, 'audit-logs-page-2');

  await page.goBack();
  await page.waitForURL(/\/audit_logs\?username=webhook-batch$/);
  await pages.getByText('Page 1').waitFor();
  assert.equal(await dataRows(page), 25);
  await pages.getByRole('button', { name: 'Next →' }).click();
  await pages.getByText('Page 2').waitFor();
  await pages.getByRole('button', { name: '← Previous' }).click();
  await page.waitForURL(/\/audit_logs\?username=webhook-batch$/);
  chrome.assertNoProblems();
});
