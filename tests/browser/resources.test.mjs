// Resources: a resource with a JSON value naming a secret ("$var:") is listed, filtered by type
// and shown as stored (no secret opened); bad JSON is refused next to the editor before anything
// is sent; edit (a move too) and delete with confirmation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, login, screenshot, WORKSPACE } from './harness.mjs';

let server;
let chrome;
before(async () => {
  server = await startServer();
  chrome = await openBrowser();
  await server.api('POST', `/api/w/${WORKSPACE}/variables/create`,
    { path: 'u/admin/db_password', value: 'pg-s3cret-pass', is_secret: true, description: '' });
});
after(async () => {
  await chrome?.close();
  await server?.stop();
});

async function reveals() {
  const res = await server.api('GET', `/api/w/${WORKSPACE}/audit/list?operation=variables.decrypt_secret&per_page=100`);
  return res.json().length;
}

function resourceRow(page, path) {
  return page.getByRole('table').getByRole('row').filter({ has: page.getByRole('link', { name: path, exact: true }) });
}

test('a resource with JSON and a $var: reference is listed, filtered by type, and shown as stored', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Resources' }).click();
  await page.waitForURL(/\/resources$/);
  await page.getByText('No resources yet — New resource.').waitFor();
  await screenshot(page, 'resources-empty');

  await page.getByRole('main').getByRole('link', { name: 'New resource' }).first().click();
  await page.waitForURL(/\/resources\/add$/);
  const form = page.getByRole('form', { name: 'New resource' });
  assert.equal(await form.getByLabel('Path').inputValue(), 'u/admin/');
  await form.getByLabel('Path').fill('u/admin/main_db');
  // No type is known yet: the type is typed in.
  await form.getByLabel('Resource type').fill('postgresql');
  await form.getByLabel('Description').fill('The production database');
  await form.getByLabel('Value (JSON)').fill('{\n  "host": "db.internal",\n  "port": 5432,\n  "password": "$var:u/admin/db_password"\n}');
  await screenshot(page, 'resource-new');
  await form.getByRole('button', { name: 'Create resource' }).click();
  await page.waitForURL(/\/resources\/get\/u\/admin\/main_db$/);

  // The details: the value as stored, the reference not replaced, and what it names.
  await page.getByRole('heading', { name: 'u/admin/main_db' }).waitFor();
  const value = page.getByRole('region', { name: 'Value' });
  await value.getByText('"password": "$var:u/admin/db_password"').waitFor();
  assert.equal(await page.getByText('pg-s3cret-pass').count(), 0, 'the page opens no secret');
  const uses = page.getByRole('region', { name: 'Uses' });
  await uses.getByRole('link', { name: 'u/admin/db_password' }).waitFor();
  assert.equal(await reveals(), 0);
  await screenshot(page, 'resource-details');

  // Listed with its type; the type filter keeps only its kind, in the URL too.
  await server.api('POST', `/api/w/${WORKSPACE}/resources/create`,
    { path: 'u/admin/alerts', resource_type: 'slack', value: { token: '$var:u/admin/db_password' }, description: 'Alerts channel' });
  await nav.getByRole('link', { name: 'Resources' }).click();
  await page.waitForURL(/\/resources$/);
  const row = resourceRow(page, 'u/admin/main_db');
  await row.getByText('postgresql', { exact: true }).waitFor();
  await assert.doesNotReject(row.getByText('The production database').waitFor());
  await resourceRow(page, 'u/admin/alerts').waitFor();
  await screenshot(page, 'resources');
  await page.getByLabel('Resource type').selectOption('postgresql');
  await page.waitForURL(/\/resources\?type=postgresql$/);
  await resourceRow(page, 'u/admin/alerts').waitFor({ state: 'detached' });
  await page.reload();
  await row.waitFor();
  assert.equal(await page.getByLabel('Resource type').inputValue(), 'postgresql');
  assert.equal(await resourceRow(page, 'u/admin/alerts').count(), 0);
  await screenshot(page, 'resources-filtered');
  await page.getByLabel('Resource type').selectOption({ label: 'All types' });
  await resourceRow(page, 'u/admin/alerts').waitFor();
  chrome.assertNoProblems();
});

test('bad JSON is refused next to the editor and nothing is sent; a taken path is said next to the path', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/resources/add');
  const form = page.getByRole('form', { name: 'New resource' });
  const sent = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/resources/')) sent.push(r.url());
  });
  await form.getByLabel('Path').fill('u/admin/cache');
  // Known types are offered (once loaded, the choice replaces the text field); another one is typed in.
  await form.getByRole('combobox', { name: 'Resource type' }).selectOption({ label: 'Other…' });
  await form.getByLabel('Other type name').fill('redis');
  const editor = form.getByLabel('Value (JSON)');
  await editor.fill('{"host": "cache.internal", }');
  await form.getByRole('button', { name: 'Create resource' }).click();
  const problem = editor.locator('xpath=following-sibling::*[1]').getByRole('alert');
  await problem.filter({ hasText: 'Not valid JSON, so nothing was sent' }).waitFor();
  assert.equal(await editor.getAttribute('aria-invalid'), 'true');
  assert.deepEqual(sent, []);
  assert.match(page.url(), /\/resources\/add$/);
  await screenshot(page, 'resource-bad-json');

  // Fixing the text clears the message; a path already taken is the API's words, by the path.
  await editor.fill('{"host": "cache.internal"}');
  assert.equal(await problem.count(), 0);
  const path = form.getByLabel('Path');
  await path.fill('u/admin/main_db');
  page.expectApiError(/\/resources\/create$/);
  await form.getByRole('button', { name: 'Create resource' }).click();
  await path.locator('xpath=following-sibling::*[1]').getByRole('alert')
    .filter({ hasText: 'Resource u/admin/main_db already exists' }).waitFor();
  await path.fill('u/admin/cache');
  await form.getByRole('button', { name: 'Create resource' }).click();
  await page.waitForURL(/\/resources\/get\/u\/admin\/cache$/);
  await page.getByText('redis', { exact: true }).waitFor();
  assert.equal(sent.length, 2, 'only the two valid attempts were sent');
  chrome.assertNoProblems();
});

test('edit moves and changes a resource; delete asks first', async () => {
  await server.api('POST', `/api/w/${WORKSPACE}/resources/create`,
    { path: 'u/admin/reports_db', resource_type: 'postgresql', value: { host: 'reports', port: 5432 } });
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/resources');
  await resourceRow(page, 'u/admin/reports_db').getByRole('link', { name: 'Edit u/admin/reports_db' }).click();
  await page.waitForURL(/\/resources\/edit\/u\/admin\/reports_db$/);
  const form = page.getByRole('form', { name: 'Edit resource' });
  assert.equal(await form.getByLabel('Resource type').inputValue(), 'postgresql');
  assert.deepEqual(JSON.parse(await form.getByLabel('Value (JSON)').inputValue()), { host: 'reports', port: 5432 });
  await form.getByLabel('Path').fill('u/admin/analytics_db');
  await form.getByLabel('Value (JSON)').fill('{"host": "analytics", "port": 6432}');
  await form.getByLabel('Description').fill('Read replica');
  await screenshot(page, 'resource-edit');
  await form.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/\/resources\/get\/u\/admin\/analytics_db$/);
  await page.getByRole('region', { name: 'Value' }).getByText('"port": 6432').waitFor();
  await assert.doesNotReject(page.getByText('Read replica').waitFor());
  const old = await server.fetch('GET', `/api/w/${WORKSPACE}/resources/exists/u/admin/reports_db`, undefined, await server.adminToken());
  assert.equal(old.text, 'false');

  // Delete from its page: Cancel keeps it; Delete removes it and goes back to the list.
  await page.getByRole('main').getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('Delete the resource u/admin/analytics_db?').waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('main').getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await page.waitForURL(/\/resources$/);
  await resourceRow(page, 'u/admin/main_db').waitFor();
  assert.equal(await resourceRow(page, 'u/admin/analytics_db').count(), 0);

  // And from its row in the list.
  await resourceRow(page, 'u/admin/cache').getByRole('button', { name: 'Delete u/admin/cache' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await resourceRow(page, 'u/admin/cache').waitFor({ state: 'detached' });
  chrome.assertNoProblems();
});
