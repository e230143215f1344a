// Logging in and out, the frame around every page, and deep links.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, login, screenshot, ADMIN_EMAIL, ADMIN_PASSWORD } from './harness.mjs';

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

test('a wrong password is refused in words, the right one logs in', async () => {
  const page = await chrome.newPage();
  await page.goto(server.url + '/');
  await page.waitForURL(/\/user\/login/);
  await screenshot(page, 'login');
  await page.getByLabel('Email').fill(ADMIN_EMAIL);
  page.expectApiError(/\/api\/auth\/login$/);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await assert.doesNotReject(page.getByRole('alert').filter({ hasText: 'Invalid login' }).waitFor());
  await login(page, server);
  await page.getByRole('heading', { name: 'Welcome, admin' }).waitFor();
  await screenshot(page, 'home');
  chrome.assertNoProblems();
});

test('a deep link survives login and reload; log out ends the session', async () => {
  const page = await chrome.newPage();
  await page.goto(server.url + '/audit_logs');
  await page.waitForURL(/\/user\/login\?next=%2Faudit_logs/);
  await page.getByLabel('Email').fill(ADMIN_EMAIL);
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/audit_logs$/);
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.equal(await nav.getByRole('link', { name: 'Audit logs' }).getAttribute('aria-current'), 'page');
  await page.reload();
  await nav.getByRole('link', { name: 'Scripts' }).click();
  await page.waitForURL(/\/scripts$/);
  await page.goBack();
  await page.waitForURL(/\/audit_logs$/);
  await nav.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(/\/user\/login/);
  await page.goto(server.url + '/runs');
  await page.waitForURL(/\/user\/login/);
  chrome.assertNoProblems();
});

test('the workspace switcher lists the workspaces of the user', async () => {
  await server.api('POST', '/api/workspaces/create', { id: 'team', name: 'Team' });
  const page = await chrome.newPage();
  await login(page, server);
  const switcher = page.getByLabel('Workspace');
  assert.equal(await switcher.inputValue(), 'admins');
  await switcher.selectOption('team');
  await page.getByText('Workspace team.').waitFor();
  await page.reload();
  assert.equal(await page.getByLabel('Workspace').inputValue(), 'team');
  await page.getByLabel('Workspace').selectOption('admins');
  await page.getByText('Workspace admins.').waitFor();
  // A link that names its workspace opens there.
  await page.goto(server.url + '/?workspace=team');
  await page.getByText('Workspace team.').waitFor();
  assert.equal(await page.getByLabel('Workspace').inputValue(), 'team');
  await page.getByLabel('Workspace').selectOption('admins');
  await page.getByText('Workspace admins.').waitFor();
  chrome.assertNoProblems();
});

test('unknown pages and files answer in words', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/no/such/page');
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  // A malformed escape names no page either (the server refuses it in a request; inside the
  // app, history can still hold it).
  await page.goto(server.url + '/runs');
  await page.evaluate(() => {
    history.pushState(null, '', '/run/%E0%A4');
    dispatchEvent(new PopStateEvent('popstate'));
  });
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  const res = await server.fetch('GET', '/js/missing.js');
  assert.equal(res.status, 404);
  const api = await server.fetch('GET', '/api/no/such/route');
  assert.equal(api.status, 404);
  chrome.assertNoProblems();
});

test('after login, ?next= leads only to a page of this app', async () => {
  const page = await chrome.newPage();
  for (const next of ['//evil.example/x', '/\\evil.example', 'https://evil.example/']) {
    await page.goto(`${server.url}/user/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Welcome, admin' }).waitFor();
    assert.equal(page.url(), server.url + '/', `next=${next}`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/user\/login/);
  }
  chrome.assertNoProblems();
});

test('the keyboard reaches the content first, and each new page takes the focus', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  await page.reload(); // a page opened afresh: the focus starts at the top
  await page.getByRole('heading', { name: 'Welcome, admin' }).waitFor();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  assert.ok(await skip.evaluate((el) => el === document.activeElement), 'the first Tab stop is the skip link');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'MAIN');

  // Follow a sidebar link with the keyboard: the new page's main area has the focus.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
  await page.waitForFunction(() => document.activeElement.tagName === 'MAIN');
  chrome.assertNoProblems();
});
