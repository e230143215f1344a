// The account page: one's password changed (and used at the next login), one's workspaces; an
// admin adds a member, makes them operator then admin, and removes them; a member sees no
// members' table and cannot change anyone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, login, screenshot, eventually, WORKSPACE } from './harness.mjs';

let server;
let chrome;
before(async () => {
  server = await startServer();
  chrome = await openBrowser();
  for (const [email, name] of [['nina@example.com', 'Nina'], ['omar@example.com', 'Omar']]) {
    await server.api('POST', '/api/users/create', { email, password: `${name.toLowerCase()}-password-1`, super_admin: false, name });
  }
  await server.api('POST', `/api/w/${WORKSPACE}/workspaces/add_user`, { email: 'nina@example.com', is_admin: false, operator: false });
});
after(async () => {
  await chrome?.close();
  await server?.stop();
});

test('a member changes their password and sees their workspaces, not the members', async () => {
  const page = await chrome.newPage();
  await login(page, server, { email: 'nina@example.com', password: 'nina-password-1' });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
  await page.waitForURL(/\/user\/account$/);
  await page.getByRole('region', { name: 'Your workspaces' }).getByText(`(${WORKSPACE}) — current`).waitFor();
  assert.equal(await page.getByRole('region', { name: /^Members of/ }).count(), 0);
  const form = page.getByRole('form', { name: 'Change password' });
  await form.getByLabel('New password').fill('nina-new-password');
  await form.getByLabel('Repeat it').fill('nina-new-passwort');
  await form.getByRole('button', { name: 'Change password' }).click();
  await form.getByRole('alert').filter({ hasText: 'The two passwords differ' }).waitFor();
  await form.getByLabel('Repeat it').fill('nina-new-password');
  await form.getByRole('button', { name: 'Change password' }).click();
  await form.getByText('Password changed.').waitFor();
  await screenshot(page, 'account');
  const old = await server.fetch('POST', '/api/auth/login', { email: 'nina@example.com', password: 'nina-password-1' });
  assert.equal(old.status, 400);
  const fresh = await server.fetch('POST', '/api/auth/login', { email: 'nina@example.com', password: 'nina-new-password' });
  assert.equal(fresh.status, 200);
  chrome.assertNoProblems();
});

test('an admin adds a member, changes their role, and removes them', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/user/account');
  const members = page.getByRole('region', { name: `Members of ${WORKSPACE}` });
  await members.getByRole('cell', { name: 'nina', exact: true }).waitFor();
  const add = members.getByRole('form', { name: 'Add a member' });
  page.expectApiError(/\/workspaces\/add_user$/);
  await add.getByLabel('Email of the user to add').fill('nobody@example.com');
  await add.getByRole('button', { name: 'Add' }).click();
  await add.getByRole('alert').filter({ hasText: 'No user has the email nobody@example.com' }).waitFor();
  await add.getByLabel('Email of the user to add').fill('omar@example.com');
  await add.getByLabel('Role').selectOption('operator');
  await add.getByRole('button', { name: 'Add' }).click();
  await members.getByLabel('Role of omar').waitFor();
  assert.equal(await members.getByLabel('Role of omar').inputValue(), 'operator');
  const who = async () => (await server.api('GET', `/api/w/${WORKSPACE}/users/list`)).json().find((m) => m.username === 'omar');
  assert.deepEqual([(await who()).operator, (await who()).is_admin], [true, false]);
  await members.getByLabel('Role of omar').selectOption('admin');
  await eventually(async () => (await who()).is_admin);
  assert.deepEqual([(await who()).operator, (await who()).is_admin], [false, true]);
  await screenshot(page, 'account-members');

  await members.getByRole('button', { name: 'Remove omar' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
  await members.getByRole('cell', { name: 'omar', exact: true }).waitFor({ state: 'detached' });
  assert.equal(await who(), undefined);
  chrome.assertNoProblems();
});
