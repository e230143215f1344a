// Settings → Tokens: a token is shown once, works against the API, can be scoped to one script,
// expires, and is refused once deleted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, login, screenshot, eventually, WORKSPACE } from './harness.mjs';

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

async function openSettings() {
  const page = await chrome.newPage();
  await login(page, server);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.waitForURL(/\/user\/settings$/);
  await page.getByRole('heading', { name: 'Tokens', exact: true }).waitFor();
  return page;
}

// Fills the create form and returns the token text from the one-time box.
async function createToken(page, label, { expiration, scope } = {}) {
  const form = page.getByRole('form', { name: 'Create a token' });
  await form.getByLabel('Label').fill(label);
  if (expiration) await form.getByLabel('Expiration').selectOption({ label: expiration });
  if (scope) await form.getByLabel('Scope').selectOption({ label: scope });
  await form.getByRole('button', { name: 'Create token' }).click();
  const box = page.getByRole('status').filter({ hasText: `Token “${label}” created.` });
  await box.waitFor();
  const token = (await box.locator('code').textContent()).trim();
  assert.match(token, /^\S{20,}$/);
  return { box, token };
}

function tokenRow(page, text) {
  return page.getByRole('table').getByRole('row').filter({ hasText: text });
}

test('a new token is shown once, can be copied, and works against the API', async () => {
  const page = await openSettings();
  // The browser's own login is a token too, named as such.
  await tokenRow(page, 'session (browser login)').first().waitFor();
  await screenshot(page, 'settings');

  const { box, token } = await createToken(page, 'ci-deploy');
  await assert.doesNotReject(box.getByText('You will not see this token again.').waitFor());
  const row = tokenRow(page, 'ci-deploy');
  await row.getByText(`${token.slice(0, 10)}…`).waitFor();
  await assert.doesNotReject(row.getByText('all (full access)').waitFor());
  await screenshot(page, 'settings-token-created');

  await box.getByRole('button', { name: 'Copy token' }).click();
  // The button says it worked, in its text and in its accessible name.
  await box.getByRole('button', { name: 'Copied token' }).getByText('Copied').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);

  const whoami = await server.fetch('GET', '/api/users/whoami', undefined, token);
  assert.equal(whoami.status, 200, whoami.text);
  assert.equal(whoami.json().email, 'admin@windmill.dev');

  // After a reload only the prefix is left.
  await page.reload();
  await tokenRow(page, 'ci-deploy').getByText(`${token.slice(0, 10)}…`).waitFor();
  assert.equal(await page.getByText(token).count(), 0);
  assert.equal(await page.getByText('You will not see this token again.').count(), 0);
  chrome.assertNoProblems();
});

test('a token scoped to one script runs that script and nothing else', async () => {
  await server.createScript('u/admin/deploy', 'def main(env="prod"):\n    return "deployed " + env\n', 'python3', 'Deploy the site');
  await server.createScript('u/admin/other', 'def main():\n    return "other"\n');
  const page = await openSettings();
  const { token } = await createToken(page, 'webhook-deploy', { scope: 'u/admin/deploy — Deploy the site' });
  const row = tokenRow(page, 'webhook-deploy');
  await row.getByText('jobs:run:scripts:u/admin/deploy').waitFor();
  await assert.doesNotReject(row.getByText(`workspace ${WORKSPACE} only`).waitFor());
  await screenshot(page, 'settings-scoped-token');

  const ok = await server.fetch('POST', `/api/w/${WORKSPACE}/jobs/run_wait_result/p/u/admin/deploy`, { env: 'staging' }, token);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json(), 'deployed staging');
  const other = await server.fetch('POST', `/api/w/${WORKSPACE}/jobs/run_wait_result/p/u/admin/other`, {}, token);
  assert.ok([401, 403].includes(other.status), `another script: ${other.status} ${other.text}`);
  const whoami = await server.fetch('GET', '/api/users/whoami', undefined, token);
  assert.ok([401, 403].includes(whoami.status), `whoami: ${whoami.status} ${whoami.text}`);
  chrome.assertNoProblems();
});

test('expiration, deletion with confirmation, and an empty label', async () => {
  const page = await openSettings();
  const form = page.getByRole('form', { name: 'Create a token' });

  // An empty label is refused in words, before anything is sent.
  await form.getByRole('button', { name: 'Create token' }).click();
  await form.getByRole('alert').filter({ hasText: 'Give the token a label' }).waitFor();
  await screenshot(page, 'settings-empty-label');

  // A date in the past is refused in words too.
  await form.getByLabel('Label').fill('too-late');
  await form.getByLabel('Expiration').selectOption({ label: 'on a date…' });
  await form.getByLabel('Expires on').fill('2001-01-01');
  await form.getByRole('button', { name: 'Create token' }).click();
  await form.getByRole('alert').filter({ hasText: 'Pick a date in the future.' }).waitFor();
  await form.getByLabel('Expiration').selectOption({ label: 'never' });
  assert.ok(await form.getByLabel('Expires on').isHidden(), 'the date field hides again');

  const { token } = await createToken(page, 'one-day', { expiration: '1 day' });
  assert.equal(await form.getByRole('alert').count(), 0, 'the earlier error is gone');
  const row = tokenRow(page, 'one-day');
  await row.getByText('in 1 day').waitFor();
  const expires = await server.fetch('GET', '/api/users/tokens/list', undefined, token);
  const listed = expires.json().find((t) => t.label === 'one-day');
  const left = Date.parse(listed.expiration) - Date.now();
  assert.ok(left > 23 * 3600e3 && left <= 24 * 3600e3, `expires in ${left} ms`);

  // Cancel keeps it; Delete removes it, and the API refuses it from then on.
  await row.getByRole('button', { name: /^Delete token one-day/ }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('Anything still using it will be refused.').waitFor();
  await screenshot(page, 'settings-delete-confirm');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal((await server.fetch('GET', '/api/users/whoami', undefined, token)).status, 200);

  await row.getByRole('button', { name: /^Delete token one-day/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await row.waitFor({ state: 'detached' });
  const refused = await server.fetch('GET', '/api/users/whoami', undefined, token);
  assert.equal(refused.status, 401, refused.text);
  await page.reload();
  await tokenRow(page, 'session (browser login)').first().waitFor();
  assert.equal(await tokenRow(page, 'one-day').count(), 0);
  chrome.assertNoProblems();
});

test('on a phone the table scrolls, and Delete is still reachable', async () => {
  await server.api('POST', '/api/users/tokens/create', { label: 'phone-token' });
  const page = await chrome.newPage({ width: 390, height: 844 });
  await login(page, server);
  await page.goto(server.url + '/user/settings');
  const row = tokenRow(page, 'phone-token');
  await row.getByRole('button', { name: /^Delete token phone-token/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('heading', { name: 'Your tokens' }).waitFor();
  await eventually(async () => (await row.count()) === 0);
  // The focus is not lost with the deleted row.
  assert.equal(await page.evaluate(() => document.activeElement.id), await page.getByRole('heading', { name: 'Your tokens' }).getAttribute('id'));
  // Nothing but the table is wider than the phone.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'the page does not scroll sideways');
  chrome.assertNoProblems();
});

test('an API error appears next to the button that caused it', async () => {
  const page = await openSettings();
  const { token } = await createToken(page, 'gone-elsewhere');
  const row = tokenRow(page, 'gone-elsewhere');
  await row.waitFor();
  // Someone deletes the token behind the page's back; deleting it here then fails in the API's words.
  page.expectApiError(/\/api\/users\/tokens\/delete\//);
  await server.api('DELETE', `/api/users/tokens/delete/${token.slice(0, 10)}`);
  await row.getByRole('button', { name: /^Delete token gone-elsewhere/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await row.getByRole('alert').filter({ hasText: 'token not found at prefix' }).waitFor();
  await screenshot(page, 'settings-delete-error');
  chrome.assertNoProblems();
});
