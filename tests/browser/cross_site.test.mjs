// A page of another origin, open in the browser of a logged-in admin, runs nothing: not by a
// GET of a sync webhook (an image), not by a form POST, not by fetch with credentials. And a
// result the job serves as HTML runs no script on the app's origin (it would mint a token).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startServer, openBrowser, login, eventually, WORKSPACE } from './harness.mjs';

let server;
let chrome;
let evil;
before(async () => {
  server = await startServer();
  chrome = await openBrowser();
  // Another origin (same host, another port): the session cookie (SameSite=Strict) is still
  // sent to the app from it, so it is the server that must refuse.
  evil = createServer((req, res) => {
    const app = server.url;
    const target = `${app}/api/w/${WORKSPACE}/jobs`;
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(`<!doctype html><title>evil</title>
      <img src="${target}/run_wait_result/p/u/admin/victim?payload=e30">
      <form id="f" method="POST" action="${target}/run/p/u/admin/victim"
            enctype="text/plain"><input name='{"x":"' value='"}'></form>
      <iframe name="sink"></iframe>
      <script>
        document.getElementById('f').target = 'sink';
        document.getElementById('f').submit();
        fetch('${target}/run/p/u/admin/victim', { method: 'POST', mode: 'no-cors',
          credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body: '{}' })
          .finally(() => { document.title = 'done'; });
      </script>`);
  });
  await new Promise((r) => evil.listen(0, '127.0.0.1', r));
});
after(async () => {
  await chrome?.close();
  await server?.stop();
  await new Promise((r) => evil?.close(r));
});

async function runsOf(path) {
  const res = await server.api('GET', `/api/w/${WORKSPACE}/jobs/list?script_path_exact=${path}&per_page=1000`);
  return res.json().length;
}

test('a page of another origin makes a logged-in browser run nothing', async () => {
  await server.createScript('u/admin/victim', 'def main(**kwargs):\n    return "ran"\n');
  const page = await chrome.newPage();
  await login(page, server);
  const other = await chrome.newPage();
  // The refusals are the point: 403 from the app for each attempt.
  other.expectApiError(/\/jobs\/run/);
  await other.goto(`http://127.0.0.1:${evil.address().port}/`);
  await eventually(async () => (await other.title()) === 'done');
  await new Promise((r) => setTimeout(r, 500)); // the image and the form
  assert.equal(await runsOf('u/admin/victim'), 0, 'no job ran');
  // The app itself still runs it, with the same cookie.
  await page.goto(`${server.url}/scripts/get/u/admin/victim`);
  const status = await page.evaluate(async (ws) => {
    const r = await fetch(`/api/w/${ws}/jobs/run_wait_result/p/u/admin/victim`, {
      method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    return r.status;
  }, WORKSPACE);
  assert.equal(status, 200);
  assert.equal(await runsOf('u/admin/victim'), 1);
  chrome.assertNoProblems();
});

test('an HTML result runs no script on the app\'s origin', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  const html = '<!doctype html><title>result</title><script>' +
    'document.title = "pwned";' +
    'fetch("/api/users/tokens/create", { method: "POST", credentials: "same-origin",' +
    ' headers: { "Content-Type": "application/json" }, body: JSON.stringify({ label: "stolen" }) });' +
    '</script>';
  await server.createScript('u/admin/page', 'def main():\n    return {"windmill_content_type": "text/html",' +
    ` "result": ${JSON.stringify(html)}}\n`);
  const token = await server.adminToken();
  // Opened on the app's origin, as a link with ?token= would open it.
  page.on('console', () => {}); // the blocked script is reported by Chromium; that is the point
  page.problems = [];
  await page.goto(`${server.url}/api/w/${WORKSPACE}/jobs/run_wait_result/p/u/admin/page?token=${token}`);
  await page.waitForLoadState('load');
  assert.equal(await page.title(), 'result');
  const tokens = (await server.api('GET', '/api/users/tokens/list')).json();
  assert.equal(tokens.filter((t) => t.label === 'stolen').length, 0, 'no token was minted');
});
