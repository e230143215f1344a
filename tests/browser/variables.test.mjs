// Variables: a secret is listed as •••• until revealed, and each reveal is in the audit log;
// plain values show; edit (a move too) and delete with confirmation; API errors sit next to the
// field. A script's page lists the variables it uses, and its run reads a secret its logs hide.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, login, screenshot, WORKSPACE } from './harness.mjs';

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

async function createVariable(path, value, { secret = false, description = '' } = {}) {
  await server.api('POST', `/api/w/${WORKSPACE}/variables/create`, { path, value, is_secret: secret, description });
}

// The variables.decrypt_secret rows of the audit log for a path, read through the API (which
// opens nothing).
async function revealsOf(path) {
  const res = await server.api('GET', `/api/w/${WORKSPACE}/audit/list?operation=variables.decrypt_secret&per_page=100`);
  return res.json().filter((a) => a.resource === path).length;
}

function variableRow(page, path) {
  return page.getByRole('table').getByRole('row').filter({ has: page.getByRole('cell', { name: path, exact: true }) });
}

// The message shown right after a field (where the form puts the API's words about it).
function errorAfter(field) {
  return field.locator('xpath=following-sibling::*[1]').getByRole('alert');
}

test('a new secret is listed as •••• until revealed, and the reveal is in the audit log', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  const nav = page.getByRole('navigation', { name: 'Main' });
  const names = (await nav.getByRole('link').allTextContents()).map((t) => t.trim());
  assert.deepEqual(names.slice(1, 9), ['Home', 'Scripts', 'Flows', 'Routes', 'Runs', 'Variables', 'Resources', 'Audit logs']);
  await nav.getByRole('link', { name: 'Variables' }).click();
  await page.waitForURL(/\/variables$/);
  assert.equal(await nav.getByRole('link', { name: 'Variables' }).getAttribute('aria-current'), 'page');
  await page.getByText('No variables yet — New variable.').waitFor();
  await screenshot(page, 'variables-empty');

  await page.getByRole('main').getByRole('link', { name: 'New variable' }).first().click();
  await page.waitForURL(/\/variables\/add$/);
  const form = page.getByRole('form', { name: 'New variable' });
  assert.equal(await form.getByLabel('Path').inputValue(), 'u/admin/');
  await form.getByLabel('Path').fill('u/admin/db_password');
  await form.getByLabel('Value').fill('hunter2-sup3r');
  await form.getByLabel('Secret').check();
  await form.getByLabel('Description').fill('Production database');
  await screenshot(page, 'variable-new');
  await form.getByRole('button', { name: 'Create variable' }).click();
  await page.waitForURL(/\/variables\?q=u%2Fadmin%2Fdb_password$/);

  const row = variableRow(page, 'u/admin/db_password');
  await row.getByText('••••').waitFor();
  await assert.doesNotReject(row.getByText('secret', { exact: true }).waitFor());
  await assert.doesNotReject(row.getByText('Production database').waitFor());
  assert.equal(await page.getByText('hunter2-sup3r').count(), 0, 'the list does not carry the secret');
  assert.equal(await revealsOf('u/admin/db_password'), 0);
  await screenshot(page, 'variables');

  await row.getByRole('button', { name: 'Reveal u/admin/db_password' }).click();
  await row.getByText('hunter2-sup3r', { exact: true }).waitFor();
  await assert.doesNotReject(row.getByText('This reveal is recorded in the audit log').waitFor());
  assert.equal(await revealsOf('u/admin/db_password'), 1);
  await screenshot(page, 'variables-revealed');
  await row.getByRole('button', { name: 'Hide u/admin/db_password' }).click();
  await row.getByText('••••').waitFor();
  assert.equal(await page.getByText('hunter2-sup3r').count(), 0);

  // The reveal is on the Audit logs page, under the user who asked.
  await nav.getByRole('link', { name: 'Audit logs' }).click();
  await page.waitForURL(/\/audit_logs$/);
  const filters = page.getByRole('search', { name: 'Filter audit entries' });
  await filters.getByLabel('Operation').fill('variables.decrypt_secret');
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/operation=variables\.decrypt_secret/);
  const audit = page.getByRole('row').filter({ hasText: 'variables.decrypt_secret' }).filter({ hasText: 'u/admin/db_password' });
  await audit.waitFor();
  assert.equal(await audit.count(), 1);
  await assert.doesNotReject(audit.getByText('admin@windmill.dev').waitFor());
  await screenshot(page, 'audit-logs-decrypt-secret');

  // Back to the list: the secret is hidden again.
  await page.goBack();
  await page.goBack();
  await page.waitForURL(/\/variables\?q=/);
  await variableRow(page, 'u/admin/db_password').getByText('••••').waitFor();
  chrome.assertNoProblems();
});

test('plain values show; edit moves a variable; the API\'s errors sit next to the path', async () => {
  await createVariable('u/admin/region', 'eu-west-1', { description: 'Where we deploy' });
  await createVariable('u/admin/signing_key', 'k3y-material-99', { secret: true });
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/variables');
  const row = variableRow(page, 'u/admin/region');
  await row.getByText('eu-west-1', { exact: true }).waitFor();
  assert.equal(await row.getByRole('button', { name: /^Reveal/ }).count(), 0, 'a plain value needs no reveal');

  // A path taken, and a path the server refuses: the API's words, right under the Path field.
  await page.getByRole('main').getByRole('link', { name: 'New variable' }).click();
  const form = page.getByRole('form', { name: 'New variable' });
  const path = form.getByLabel('Path');
  page.expectApiError(/\/variables\/create$/);
  await path.fill('u/admin/region');
  await form.getByLabel('Value').fill('us-east-1');
  await form.getByRole('button', { name: 'Create variable' }).click();
  await errorAfter(path).filter({ hasText: 'Variable u/admin/region already exists' }).waitFor();
  assert.equal(await path.getAttribute('aria-invalid'), 'true');
  await path.fill('u/admin/has space');
  await form.getByRole('button', { name: 'Create variable' }).click();
  await errorAfter(path).filter({ hasText: "invalid path 'u/admin/has space'" }).waitFor();
  await screenshot(page, 'variable-new-error');

  // Edit: value, description and path (a move).
  await page.goto(server.url + '/variables');
  await row.getByRole('link', { name: 'Edit u/admin/region' }).click();
  await page.waitForURL(/\/variables\/edit\/u\/admin\/region$/);
  const edit = page.getByRole('form', { name: 'Edit variable' });
  assert.equal(await edit.getByLabel('Value').inputValue(), 'eu-west-1');
  await edit.getByLabel('Path').fill('u/admin/deploy_region');
  await edit.getByLabel('Value').fill('us-east-2');
  await edit.getByLabel('Description').fill('Moved east');
  await screenshot(page, 'variable-edit');
  await edit.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/\/variables\?q=u%2Fadmin%2Fdeploy_region$/);
  const moved = variableRow(page, 'u/admin/deploy_region');
  await moved.getByText('us-east-2', { exact: true }).waitFor();
  await assert.doesNotReject(moved.getByText('Moved east').waitFor());
  const old = await server.fetch('GET', `/api/w/${WORKSPACE}/variables/exists/u/admin/region`, undefined, await server.adminToken());
  assert.equal(old.text, 'false');

  // Editing a secret does not open it (no audit row), and an empty value keeps it.
  await page.goto(server.url + '/variables/edit/u/admin/signing_key');
  const secretEdit = page.getByRole('form', { name: 'Edit variable' });
  assert.equal(await secretEdit.getByLabel('Value').inputValue(), '');
  assert.ok(await secretEdit.getByLabel('Secret').isChecked());
  await secretEdit.getByLabel('Description').fill('Signs the releases');
  await secretEdit.getByRole('button', { name: 'Save' }).click();
  await variableRow(page, 'u/admin/signing_key').getByText('Signs the releases').waitFor();
  assert.equal(await revealsOf('u/admin/signing_key'), 0);
  const kept = await server.api('GET', `/api/w/${WORKSPACE}/variables/get_value/u/admin/signing_key`);
  assert.equal(kept.json(), 'k3y-material-99');
  chrome.assertNoProblems();
});

test('delete asks first, and a failure is said on the row', async () => {
  await createVariable('u/admin/old_flag', 'on');
  await createVariable('u/admin/gone_flag', 'off');
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/variables');
  const row = variableRow(page, 'u/admin/old_flag');
  await row.getByRole('button', { name: 'Delete u/admin/old_flag' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('Delete the variable u/admin/old_flag?').waitFor();
  await screenshot(page, 'variable-delete-confirm');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await row.count(), 1);

  await row.getByRole('button', { name: 'Delete u/admin/old_flag' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await row.waitFor({ state: 'detached' });
  const exists = await server.fetch('GET', `/api/w/${WORKSPACE}/variables/exists/u/admin/old_flag`, undefined, await server.adminToken());
  assert.equal(exists.text, 'false');

  // Deleted behind the page's back: the API's answer appears on the row.
  page.expectApiError(/\/variables\/delete\//);
  await server.api('DELETE', `/api/w/${WORKSPACE}/variables/delete/u/admin/gone_flag`);
  const gone = variableRow(page, 'u/admin/gone_flag');
  await gone.getByRole('button', { name: 'Delete u/admin/gone_flag' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await gone.getByRole('alert').filter({ hasText: 'Variable u/admin/gone_flag not found' }).waitFor();
  chrome.assertNoProblems();
});

test('a script page lists the variables it uses; its run reads the secret and the logs hide it', async () => {
  await createVariable('u/admin/api_key', 's3cr3t-token-42', { secret: true });
  await server.createScript('u/admin/call_api', [
    'import wmill',
    '',
    'WAREHOUSE = "$res:u/admin/warehouse"  # not created: the page says so',
    '',
    'def main():',
    '    key = wmill.get_variable("u/admin/api_key")',
    '    print("using key", key)',
    '    return {"key_length": len(key)}',
    '',
  ].join('\n'), 'python3', 'Calls the API');
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/scripts/get/u/admin/call_api');
  const uses = page.getByRole('region', { name: 'Uses' });
  const variable = uses.getByRole('listitem').filter({ hasText: 'u/admin/api_key' });
  await variable.getByRole('link', { name: 'u/admin/api_key' }).waitFor();
  await assert.doesNotReject(variable.getByText('variable', { exact: true }).waitFor());
  const missing = uses.getByRole('listitem').filter({ hasText: 'u/admin/warehouse' });
  await missing.getByText(/not found/).waitFor();
  assert.equal(await variable.getByText(/not found/).count(), 0, 'the variable exists');
  await screenshot(page, 'script-uses');

  // Run from the page: the job reads the secret through `import wmill`; its logs show ***.
  const form = page.getByRole('form', { name: 'Run' });
  await form.getByRole('button', { name: 'Run' }).click();
  await form.getByText('"key_length": 15').waitFor();
  const logs = form.getByRole('region', { name: 'Logs' });
  await logs.getByText('using key ***').waitFor();
  assert.ok(!(await logs.textContent()).includes('s3cr3t-token-42'), 'the secret is masked in the logs');
  await screenshot(page, 'script-uses-run');

  // The links lead to the variable (the list narrowed to it) and to creating the missing resource.
  await variable.getByRole('link', { name: 'u/admin/api_key' }).click();
  await page.waitForURL(/\/variables\?q=u%2Fadmin%2Fapi_key$/);
  await variableRow(page, 'u/admin/api_key').getByText('••••').waitFor();
  assert.equal(await page.getByRole('searchbox', { name: 'Search variables' }).inputValue(), 'u/admin/api_key');
  await page.goBack();
  await missing.getByRole('link', { name: 'Create resource' }).click();
  await page.waitForURL(/\/resources\/add\?path=u%2Fadmin%2Fwarehouse$/);
  assert.equal(await page.getByRole('form', { name: 'New resource' }).getByLabel('Path').inputValue(), 'u/admin/warehouse');
  chrome.assertNoProblems();
});
