// Scripts: write one in the editor, find its three webhooks on its page, call them with the
// copied examples (curl, fetch, Python), make a webhook-only token, run it from the form,
// and keep old versions callable by their hash.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer, openBrowser, login, screenshot, eventually, editorText, WORKSPACE, setCode } from './harness.mjs';

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

const GREETER = 'def main(name: str = "world", excited: bool = False):\n' +
  '    print("greeting", name)\n' +
  '    return {"greeting": "hello " + name + ("!" if excited else "")}\n';

async function createInEditor(page, path, code, summary) {
  await page.goto(server.url + '/scripts');
  await page.getByRole('link', { name: 'New script' }).first().click();
  await page.getByLabel('Path').fill(path);
  await page.getByLabel('Summary').fill(summary);
  await setCode(page.getByLabel('Code'), code);
  await screenshot(page, 'script-editor');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(new RegExp(`/scripts/get/${path}$`));
}

// "200 {...}" as printed by the fetch and Python examples.
function answer(stdout) {
  const [, status, body] = stdout.trim().match(/^(\d+) (.*)$/s);
  return { status: Number(status), body: JSON.parse(body) };
}

function example(page, language) {
  return page.getByLabel(`Example: ${language}`).innerText();
}

test('a script written in the editor shows its webhooks, and the copied sync and stream curls run', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  await createInEditor(page, 'u/admin/greeter', GREETER, 'Greets someone');

  const panel = page.getByRole('region', { name: 'Webhooks' });
  const hash = (await page.getByText(/version [0-9a-f]{16}/).innerText()).match(/[0-9a-f]{16}/)[0];
  const base = `${server.url}/api/w/${WORKSPACE}/jobs`;
  await panel.getByText(`${base}/run/p/u/admin/greeter`, { exact: true }).waitFor();
  await panel.getByText(`${base}/run/h/${hash}`, { exact: true }).waitFor();
  await panel.getByText(`${base}/run_wait_result/p/u/admin/greeter`, { exact: true }).waitFor();
  await panel.getByText(`${base}/run_and_stream/p/u/admin/greeter`, { exact: true }).waitFor();
  await panel.getByText(/A sync call waits for its job.*the job is canceled/).waitFor();

  // The copy button puts the URL on the clipboard.
  await panel.getByRole('button', { name: 'Copy URL: Sync' }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${base}/run_wait_result/p/u/admin/greeter`);

  // Before a token is made, examples use the $TOKEN placeholder; it runs with TOKEN set.
  const placeholder = await example(page, 'curl');
  assert.match(placeholder, /Authorization: Bearer \$TOKEN/);
  const adminToken = await server.adminToken();
  const viaEnv = await run('bash', ['-c', placeholder], { env: { ...process.env, TOKEN: adminToken } });
  assert.deepEqual(JSON.parse(viaEnv.stdout), { greeting: 'hello world' });

  // A webhook-specific token: label defaults to webhook-<name>, shown once, used by examples.
  await panel.getByRole('button', { name: 'Create a token for this webhook' }).click();
  assert.equal(await panel.getByLabel('Token label').inputValue(), 'webhook-greeter');
  await panel.getByRole('button', { name: 'Create token' }).click();
  const token = await panel.getByLabel('New token').innerText();
  assert.match(token, /^[A-Za-z0-9]{32}$/);
  await panel.getByText('You will not see this token again.').waitFor();
  await screenshot(page, 'script-details');
  await page.emulateMedia({ colorScheme: 'dark' }); // the theme follows the system setting
  await screenshot(page, 'script-details-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await panel.getByRole('button', { name: 'Copy example' }).click();
  const curl = await page.evaluate(() => navigator.clipboard.readText());
  assert.ok(curl.includes(token), 'the copied curl carries the new token');
  const synced = await run('bash', ['-c', curl]);
  assert.deepEqual(JSON.parse(synced.stdout), { greeting: 'hello world' });

  // The stream webhook: events, the last one with the result.
  await panel.getByLabel('Webhook to call').selectOption('stream');
  await panel.getByRole('button', { name: 'Copy example' }).click();
  const streamCurl = await page.evaluate(() => navigator.clipboard.readText());
  assert.ok(streamCurl.includes(`${base}/run_and_stream/p/u/admin/greeter`), streamCurl);
  const events = (await run('bash', ['-c', streamCurl])).stdout.split('\n\n').filter(Boolean)
    .map((e) => JSON.parse(e.replace(/^data: /, '')));
  assert.deepEqual(events.at(-1), { type: 'update', completed: true, only_result: { greeting: 'hello world' } });
  await panel.getByLabel('Webhook to call').selectOption('sync');

  // The token may run this script and nothing else.
  await server.createScript('u/admin/other', 'def main():\n    return 1\n');
  const refused = await server.fetch('POST', `/api/w/${WORKSPACE}/jobs/run_wait_result/p/u/admin/other`, {}, token);
  assert.ok(refused.status === 401 || refused.status === 403, `other script: ${refused.status}`);

  // ... and only in this workspace, even where the same path exists.
  await server.api('POST', '/api/workspaces/create', { id: 'other', name: 'Other' });
  await server.api('POST', '/api/w/other/scripts/create', { path: 'u/admin/greeter', content: GREETER, language: 'python3', summary: '' });
  const elsewhere = await server.fetch('POST', '/api/w/other/jobs/run_wait_result/p/u/admin/greeter', {}, token);
  assert.ok(elsewhere.status === 401 || elsewhere.status === 403, `other workspace: ${elsewhere.status}`);

  // The header's Run link scrolls to the form; the page (and the token on it) stays.
  await page.getByRole('main').getByRole('link', { name: 'Run', exact: true }).click();
  await page.waitForURL(/#run$/);
  await panel.getByLabel('New token').waitFor();

  // After a reload the token is gone from the page.
  await page.reload();
  await page.getByRole('region', { name: 'Webhooks' }).waitFor();
  assert.equal(await page.getByText(token).count(), 0);
  chrome.assertNoProblems();
});

test('fetch and Python examples run as shown, with the token in the header or the URL', async () => {
  await server.createScript('u/admin/echo_args',
    'def main(text: str, n: int = 2, tags: list = []):\n    return {"text": text, "n": n, "tags": tags}\n');
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/scripts/get/u/admin/echo_args');
  const panel = page.getByRole('region', { name: 'Webhooks' });
  await panel.getByRole('button', { name: 'Create a token for this webhook' }).click();
  await panel.getByRole('button', { name: 'Create token' }).click();
  await panel.getByLabel('New token').waitFor();

  for (const tokenIn of ['header', 'query']) {
    await panel.getByLabel('Send the token as').selectOption(tokenIn);
    await panel.getByRole('tab', { name: 'JavaScript fetch' }).click();
    const js = await example(page, 'fetch');
    const node = await run(process.execPath, ['--input-type=module', '-e', js]);
    assert.deepEqual(answer(node.stdout), { status: 200, body: { n: 2, tags: [], text: 'example' } }, `fetch, token in ${tokenIn}`);
    await panel.getByRole('tab', { name: 'Python' }).click();
    const py = await example(page, 'python');
    const python = await run('/usr/bin/python3', ['-c', py]);
    assert.deepEqual(answer(python.stdout), { status: 200, body: { n: 2, tags: [], text: 'example' } }, `python, token in ${tokenIn}`);
  }

  // The async example answers a job id, which the API then knows.
  await panel.getByLabel('Webhook to call').selectOption('asyncByPath');
  await panel.getByRole('tab', { name: 'curl' }).click();
  const asyncCurl = await example(page, 'curl');
  const id = (await run('bash', ['-c', asyncCurl])).stdout.trim();
  assert.match(id, /^[0-9a-f-]{36}$/);
  const job = await eventually(async () => {
    const r = await server.api('GET', `/api/w/${WORKSPACE}/jobs_u/completed/get_result/${id}`).catch(() => null);
    return r && r.json();
  });
  assert.deepEqual(job, { n: 2, tags: [], text: 'example' });
  chrome.assertNoProblems();
});

test('the run form follows the schema and shows the result and logs on the page', async () => {
  const hook = (await server.api('POST', '/api/users/tokens/create', { label: 'webhook-greeter' })).text;
  await server.fetch('POST', `/api/w/${WORKSPACE}/jobs/run_wait_result/p/u/admin/greeter`, {}, hook);
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/scripts/get/u/admin/greeter');
  const form = page.getByRole('form', { name: 'Run' });
  assert.equal(await form.getByLabel('name').inputValue(), 'world');
  await form.getByLabel('name').fill('Ada');
  await form.getByLabel('excited').check();
  await form.getByRole('button', { name: 'Run' }).click();
  await page.getByText('"hello Ada!"').waitFor();
  await page.getByText('greeting Ada').waitFor(); // the job's logs
  await screenshot(page, 'script-run');

  // The run appears among the recent runs, by admin.
  await page.reload();
  const runs = page.getByRole('region', { name: 'Recent runs' });
  await runs.getByRole('cell', { name: 'admin', exact: true }).first().waitFor();
  assert.ok(await runs.getByRole('cell', { name: 'webhook-greeter' }).count() >= 1, 'webhook runs are listed under the token label');

  // A wrong type is refused in words before anything runs.
  await server.createScript('u/admin/adder', 'def main(a: int, b: int = 1):\n    return a + b\n');
  await page.goto(server.url + '/scripts/get/u/admin/adder');
  const adder = page.getByRole('form', { name: 'Run' });
  await adder.getByRole('button', { name: 'Run' }).click();
  await adder.getByRole('alert').filter({ hasText: 'a is required.' }).waitFor();
  await adder.getByLabel('a').fill('41');
  await adder.getByRole('button', { name: 'Run' }).click();
  await adder.getByText('42', { exact: true }).waitFor();

  // A Literal of numbers is a choice that sends a number.
  await server.createScript('u/admin/levels', 'from typing import Literal\ndef main(level: Literal[1, 2] = 1):\n    return level * 10\n');
  await page.goto(server.url + '/scripts/get/u/admin/levels');
  const levels = page.getByRole('form', { name: 'Run' });
  await levels.getByLabel('level').selectOption({ label: '2' });
  await levels.getByRole('button', { name: 'Run' }).click();
  await levels.getByText('20', { exact: true }).waitFor();

  // "All runs of this script" lists this script's runs only.
  await page.goto(server.url + '/scripts/get/u/admin/greeter');
  await page.getByRole('link', { name: 'All runs of this script →' }).click();
  await page.waitForURL(/\/runs\?path=u%2Fadmin%2Fgreeter$/);
  await page.getByRole('row').filter({ hasText: 'u/admin/greeter' }).first().waitFor();
  assert.equal(await page.getByRole('row').filter({ hasText: 'u/admin/adder' }).count(), 0);
  assert.equal(await page.getByRole('row').filter({ hasText: 'u/admin/levels' }).count(), 0);
  chrome.assertNoProblems();
});

test('editing makes a new version; the old one stays callable by its hash', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/scripts/get/u/admin/greeter');
  const oldHash = (await page.getByText(/version [0-9a-f]{16}/).innerText()).match(/[0-9a-f]{16}/)[0];
  await page.getByRole('link', { name: 'Edit' }).click();
  await setCode(page.getByLabel('Code'), 'def main(name: str = "world"):\n    return {"greeting": "hi " + name}\n');
  await page.getByRole('button', { name: 'Save new version' }).click();
  await page.waitForURL(/\/scripts\/get\/u\/admin\/greeter$/);
  const newHash = (await page.getByText(/version [0-9a-f]{16}/).innerText()).match(/[0-9a-f]{16}/)[0];
  assert.notEqual(newHash, oldHash);

  const versions = page.getByRole('region', { name: 'Versions' });
  await versions.getByRole('link', { name: oldHash }).click();
  await page.getByText('You are looking at an older version').waitFor();
  await page.getByRole('button', { name: `Copy URL by-version webhook of ${oldHash}` }).click();
  const pinned = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(pinned, `${server.url}/api/w/${WORKSPACE}/jobs/run/h/${oldHash}`);
  const id = (await server.api('POST', pinned.replace(server.url, '').replace('/run/h/', '/run_wait_result/h/'), { name: 'x' })).json();
  assert.deepEqual(id, { greeting: 'hello x' });
  const latest = (await server.api('POST', `/api/w/${WORKSPACE}/jobs/run_wait_result/p/u/admin/greeter`, { name: 'x' })).json();
  assert.deepEqual(latest, { greeting: 'hi x' });
  chrome.assertNoProblems();
});

test('the list searches; bad paths and API errors are shown in words', async () => {
  await server.createScript('u/admin/search_alpha', 'def main():\n    return 1\n', 'python3', 'First of two');
  await server.createScript('u/admin/search_beta', 'echo 2\n', 'bash', 'Second of two');
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/scripts');
  await page.getByRole('link', { name: 'u/admin/search_alpha' }).waitFor();
  await screenshot(page, 'scripts');
  await page.getByLabel('Search scripts').fill('bash second');  // words match language and summary
  await page.getByRole('link', { name: 'u/admin/search_beta' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'u/admin/search_alpha' }).count(), 0);
  await page.getByLabel('Search scripts').fill('no-such-thing');
  await page.getByText('No script matches').waitFor();

  await page.goto(server.url + '/scripts/add');
  await page.getByLabel('Path').fill('hello');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('alert').filter({ hasText: 'is not a script path' }).waitFor();

  // The path typed is unsaved: the browser asks before the page goes.
  const asked = [];
  page.onBeforeUnload = (dialog) => (asked.push(dialog.type()), dialog.accept());
  page.expectApiError(/\/scripts\/get\/p\/u\/admin\/missing$/);
  await page.goto(server.url + '/scripts/get/u/admin/missing');
  await page.getByRole('alert').filter({ hasText: 'script not found' }).waitFor();
  assert.deepEqual(asked, ['beforeunload']);

  // Tab indents in the code editor; Escape then Tab leaves it.
  await page.goto(server.url + '/scripts/add');
  const code = page.getByLabel('Code');
  await setCode(code, 'x');
  await code.press('End');
  await code.press('Tab');
  assert.equal(await editorText(code), '    x');
  await code.press('Escape');
  await code.press('Tab');
  assert.equal(await editorText(code), '    x');
  assert.equal(await page.evaluate(() => document.activeElement.closest('.code-editor')), null, 'the focus left the editor');
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'INPUT', 'the next field has it');

  // Shift+Tab removes one level, wherever the caret is on the line.
  for (const [text, expected] of [['\tfoo', 'foo'], ['  foo', 'foo'], ['        foo', '    foo']]) {
    await setCode(code, text);
    await code.press('End');
    await code.press('Shift+Tab');
    assert.equal(await editorText(code), expected, `dedenting ${JSON.stringify(text)}`);
  }
  // Tab over a selection of lines indents each; Ctrl+Z undoes it.
  await setCode(code, 'a\nb');
  await code.press('Control+a');
  await code.press('Tab');
  assert.equal(await editorText(code), '    a\n    b');
  await code.press('Control+z');
  assert.equal(await editorText(code), 'a\nb');
  chrome.assertNoProblems();
});

test('markup in names, summaries and labels is shown as text, never run', async () => {
  const markup = '<img src=x onerror="alert(1)"><b>bold</b>';
  await server.api('POST', `/api/w/${WORKSPACE}/scripts/create`, {
    path: 'u/admin/markup', content: 'def main():\n    return "<script>alert(2)</script>"\n', language: 'python3',
    summary: markup, description: markup,
  });
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/scripts');
  await page.getByRole('cell', { name: markup }).waitFor();
  await page.goto(server.url + '/scripts/get/u/admin/markup');
  await page.getByText(markup, { exact: true }).waitFor(); // the description
  const panel = page.getByRole('region', { name: 'Webhooks' });
  await panel.getByRole('button', { name: 'Create a token for this webhook' }).click();
  await panel.getByLabel('Token label').fill(markup);
  await panel.getByRole('button', { name: 'Create token' }).click();
  await panel.getByText(`Token “${markup}” created.`).waitFor();
  await page.getByRole('form', { name: 'Run' }).getByRole('button', { name: 'Run' }).click();
  await page.getByText('"<script>alert(2)</script>"').waitFor();
  assert.equal(await page.locator('main img, main b, main script').count(), 0, 'no element was made from the markup');
  chrome.assertNoProblems(); // an alert() would be reported as an unexpected dialog
});

test('flows are listed, and the page of a flow shows its webhooks and its steps', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/flows');
  await page.getByText('No flows yet').waitFor();
  await server.api('POST', `/api/w/${WORKSPACE}/flows/create`, {
    path: 'f/test/two_step', summary: 'Two steps', description: 'Adds one, then multiplies',
    value: { modules: [
      { id: 'a', summary: 'add one', value: { type: 'rawscript', language: 'python3', content: 'def main(x: int):\n    return x + 1\n',
        input_transforms: { x: { type: 'javascript', expr: 'flow_input.x' } } } },
      { id: 'loop', value: { type: 'forloopflow', skip_failures: false, iterator: { type: 'javascript', expr: '[1, 2]' },
        modules: [{ id: 'inner', value: { type: 'identity' } }] } },
    ] },
    schema: { type: 'object', properties: { x: { type: 'integer' } }, required: ['x'] },
  });
  const version = (await server.api('GET', `/api/w/${WORKSPACE}/flows/get/f/test/two_step`)).json().version_id;
  await page.reload();
  await screenshot(page, 'flows');
  await page.getByRole('link', { name: 'f/test/two_step' }).click();
  await page.waitForURL(/\/flows\/get\/f\/test\/two_step$/);
  const panel = page.getByRole('region', { name: 'Webhooks' });
  const base = `${server.url}/api/w/${WORKSPACE}/jobs`;
  await panel.getByText(`${base}/run/f/f/test/two_step`, { exact: true }).waitFor();
  await panel.getByText(`${base}/run/fv/${version}`, { exact: true }).waitFor();
  await panel.getByText(`${base}/run_wait_result/f/f/test/two_step`, { exact: true }).waitFor();
  assert.match(await page.getByLabel('Example: curl').innerText(), /-d '\{"x":1\}'/);
  const steps = page.getByRole('list', { name: 'Steps' });
  await steps.getByText('a · inline python3 — add one').waitFor();
  await steps.getByText('inner · identity').waitFor();
  // An update makes a version; each version's pinned URL is on the page.
  await server.api('POST', `/api/w/${WORKSPACE}/flows/update/f/test/two_step`, {
    path: 'f/test/two_step', summary: 'Two steps', value: { modules: [] }, deployment_message: 'emptied',
  });
  await page.reload();
  const versions = page.getByRole('region', { name: 'Versions' });
  await versions.getByRole('cell', { name: 'emptied' }).waitFor();
  await versions.getByRole('button', { name: `Copy URL by-version webhook of version ${version}` }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${base}/run/fv/${version}`);
  await page.getByText('This flow has no steps.').waitFor();
  await screenshot(page, 'flow-details');

  page.expectApiError(/\/flows\/get\/u\/admin\/some_flow$/);
  await page.goto(server.url + '/flows/get/u/admin/some_flow');
  await page.getByText('No such flow here').waitFor();
  chrome.assertNoProblems();
});

test('copy works without the Clipboard API (plain http from another machine) and keeps the focus', async () => {
  // On http://<server>:8000 opened from another machine the page is not a secure context:
  // navigator.clipboard does not exist there, and copying falls back to a selection.
  const page = await chrome.newPage();
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }));
  await login(page, server);
  await page.goto(server.url + '/scripts/get/u/admin/greeter');
  const copy = page.getByRole('region', { name: 'Webhooks' }).getByRole('button', { name: 'Copy URL: Sync' });
  await copy.click();
  await page.getByRole('button', { name: 'Copied URL: Sync' }).waitFor();
  assert.ok(await page.evaluate(() => document.activeElement.getAttribute('aria-label') === 'Copied URL: Sync'),
    'the focus is back on the button');
  // Another page of the same browser context reads what was copied.
  const reader = await page.context().newPage();
  await reader.goto(server.url + '/user/login');
  const copied = await reader.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, `${server.url}/api/w/${WORKSPACE}/jobs/run_wait_result/p/u/admin/greeter`);
  await reader.close();
  chrome.assertNoProblems();
});

test('an archived script shows it, offers no Run nor webhooks, and comes back when unarchived', async () => {
  await server.createScript('u/admin/retired', 'def main():\n    return "still here"\n');
  await server.api('POST', `/api/w/${WORKSPACE}/scripts/archive/p/u/admin/retired`);
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/scripts/get/u/admin/retired');
  await page.getByRole('heading', { name: /u\/admin\/retired/ }).getByText('archived').waitFor();
  await page.getByText(/This script is archived: its webhooks answer 404/).waitFor();
  assert.equal(await page.getByRole('region', { name: 'Webhooks' }).count(), 0);
  assert.equal(await page.getByRole('link', { name: 'Run', exact: true }).count(), 0);
  await screenshot(page, 'script-archived');
  await page.getByRole('button', { name: 'Unarchive' }).click();
  await page.getByRole('region', { name: 'Webhooks' }).waitFor();
  assert.equal(await page.getByText('archived', { exact: true }).count(), 0);
  const res = await server.fetch('POST', `/api/w/${WORKSPACE}/jobs/run_wait_result/p/u/admin/retired`, {},
    await server.adminToken());
  assert.equal(res.status, 200, res.text);
  chrome.assertNoProblems();
});
