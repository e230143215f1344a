// Packages on the script page: a TypeScript script's imports resolved into a lock after it is
// saved ("Resolving…" first, then the locked packages, without reloading), a lock that failed
// with npm's words, and Relock making a new version whose packages are resolved again while the
// old version keeps its own.
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

async function create(path, content) {
  const res = await server.api('POST', `/api/w/${WORKSPACE}/scripts/create`,
    { path, summary: '', content, language: 'bun' });
  assert.equal(res.status, 201);
  return res.text;
}

test('the lock of a script shows on its page, and Relock makes a new version with its own', async () => {
  const first = await create('u/admin/uses_ms',
    'import ms from "ms";\n\nexport function main(span = "1m") {\n  return ms(span);\n}\n');
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/scripts/get/u/admin/uses_ms');
  const panel = page.getByRole('region', { name: 'Packages' });
  // Resolved while the page is open: the list appears without a reload.
  await panel.getByRole('list', { name: 'Locked packages' }).getByText(/^ms \d+\.\d+\.\d+$/)
    .waitFor({ timeout: 120000 });
  await screenshot(page, 'script-packages');

  await panel.getByRole('button', { name: 'Relock' }).click();
  await page.waitForURL(/\/scripts\/get\/u\/admin\/uses_ms\?hash=/);
  const second = new URL(page.url()).searchParams.get('hash');
  assert.notEqual(second, first);
  await page.getByRole('region', { name: 'Packages' }).getByRole('list', { name: 'Locked packages' })
    .getByText(/^ms /).waitFor({ timeout: 120000 });
  const versions = await (await server.api('GET', `/api/w/${WORKSPACE}/scripts/history/p/u/admin/uses_ms`)).json();
  assert.deepEqual(versions.map((v) => v.script_hash), [second, first]);
  const old = await (await server.api('GET', `/api/w/${WORKSPACE}/scripts/get/h/${first}`)).json();
  assert.match(old.lock, /"ms": "latest"/);
  await page.close();
});

test('a lock that failed says why, in npm\'s words', async () => {
  await create('u/admin/uses_nothing',
    'import x from "millrace-no-such-package-zq9";\n\nexport function main() {\n  return x;\n}\n');
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/scripts/get/u/admin/uses_nothing');
  const panel = page.getByRole('region', { name: 'Packages' });
  await panel.getByText('could not be resolved').waitFor({ timeout: 120000 });
  const words = await panel.getByLabel('Lock error').textContent();
  assert.match(words, /404/);
  assert.match(words, /millrace-no-such-package-zq9/);
  await screenshot(page, 'script-packages-failed');
  await page.close();
});
