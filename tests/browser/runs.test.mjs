// Runs and a run's page: "check that my call ran" — a webhook call is found under the label of
// its token, its page shows args, result, error and logs; running jobs are followed live and can
// be canceled; filters live in the URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, openBrowser, login, screenshot, eventually, sharedFolder, WORKSPACE } from './harness.mjs';

let server;
let chrome;
let token; // labelled webhook-hello, as a user would make for one webhook
let flags; // a folder where the tests drop files that waiting bash jobs look for

before(async () => {
  server = await startServer();
  chrome = await openBrowser();
  flags = sharedFolder('millrace-runs-'); // jobs see it
  await server.createScript('u/admin/hello', 'def main(name: str = "x"):\n    return {"hi": name}\n', 'python3');
  await server.createScript('u/admin/fail', 'def main():\n    raise ValueError("boom")\n', 'python3');
  // Waits for a file instead of sleeping a fixed time: the test decides when it ends, so a slow
  // machine cannot make it finish before the page has seen it running.
  await server.createScript('u/admin/slow',
    'flag="$1"\necho "started"\nwhile [ ! -e "$flag" ]; do sleep 0.1; done\necho "done"\n', 'bash');
  await server.createScript('u/admin/sleepy', 'echo "going to sleep"\nsleep 60\necho "woke up"\n', 'bash');
  token = (await server.api('POST', '/api/users/tokens/create', { label: 'webhook-hello' })).text;
});
after(async () => {
  await chrome?.close();
  await server?.stop();
  if (flags) rmSync(flags, { recursive: true, force: true });
});

// A webhook call, as a script outside would make it, with the labelled token.
async function callWebhook(path, args = {}) {
  return server.fetch('POST', `/api/w/${WORKSPACE}/jobs/run_wait_result/p/${path}`, args, token);
}
async function startWebhook(path, args = {}) {
  const res = await server.fetch('POST', `/api/w/${WORKSPACE}/jobs/run/p/${path}`, args, token);
  assert.equal(res.status, 201, res.text);
  return res.text.trim();
}

const summary = (page) => page.getByRole('region', { name: 'Run summary' });
const runRow = (page, id) => page.getByRole('row').filter({ has: page.getByRole('link', { name: `Run ${id}` }) });

test('with no runs yet, the page says what to do', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
  await page.getByText('No runs yet — run a script from its page').waitFor();
  await page.getByRole('link', { name: 'Scripts' }).last().waitFor();
  await screenshot(page, 'runs-empty');
  chrome.assertNoProblems();
});

test('a webhook call is listed under its token label; its page shows args and result', async () => {
  const res = await callWebhook('u/admin/hello', { name: 'webhook' });
  assert.equal(res.status, 200, res.text);
  const page = await chrome.newPage();
  await login(page, server);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
  const row = page.getByRole('row').filter({ hasText: 'webhook-hello' }).filter({ hasText: 'u/admin/hello' });
  await row.getByText('success', { exact: true }).waitFor();
  await row.getByText('webhook', { exact: true }).waitFor(); // the trigger kind
  await screenshot(page, 'runs');

  await row.getByRole('link', { name: /^Run / }).click();
  await page.waitForURL(/\/run\/[0-9a-f-]{36}$/);
  await summary(page).getByRole('link', { name: 'u/admin/hello' }).waitFor();
  await summary(page).getByText('success', { exact: true }).waitFor();
  const id = page.url().split('/').pop();
  await summary(page).getByText(id, { exact: true }).waitFor();
  await page.getByRole('region', { name: 'Result' }).getByText('"hi": "webhook"').waitFor();
  await page.getByRole('region', { name: 'Arguments' }).getByText('"name": "webhook"').waitFor();
  const who = page.getByRole('region', { name: 'Who and what' });
  await who.getByText('webhook-hello', { exact: true }).waitFor();
  await who.getByText('u/admin', { exact: true }).waitFor();
  const version = who.getByRole('link', { name: /^[0-9a-f]{16}$/ });
  assert.match(await version.getAttribute('href'), /^\/scripts\/get\/u\/admin\/hello\?hash=[0-9a-f]{16}$/);
  await page.getByRole('region', { name: 'Timing' }).getByText('Completed').waitFor();
  await screenshot(page, 'run-details');

  await page.bringToFront(); // the clipboard is for the focused page only
  await page.getByRole('button', { name: 'Copy result' }).click();
  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
  await eventually(async () => (await clipboard()).includes('"hi": "webhook"'));
  assert.deepEqual(JSON.parse(await clipboard()), { hi: 'webhook' });
  await page.getByRole('button', { name: 'Copy run id' }).click();
  await eventually(async () => (await clipboard()) === id);
  chrome.assertNoProblems();
});

test('a failing script shows its error in words', async () => {
  const res = await callWebhook('u/admin/fail');
  assert.notEqual(res.status, 200);
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/runs');
  const row = page.getByRole('row').filter({ hasText: 'u/admin/fail' });
  await row.getByText('failure', { exact: true }).waitFor();
  await row.getByRole('link', { name: /^Run / }).click();
  await summary(page).getByText('failure', { exact: true }).waitFor();
  const error = page.getByRole('region', { name: 'Error' });
  await error.getByText('ValueError: boom', { exact: true }).waitFor();
  await error.getByLabel('Stack trace').getByText('raise ValueError("boom")').waitFor();
  // The trace starts at the user's code: none of the wrapper's frames.
  const trace = await error.getByLabel('Stack trace').innerText();
  assert.match(trace, /^Traceback \(most recent call last\):\n {2}File "main\.py", line 2, in main\n/);
  assert.doesNotMatch(trace, /wrapper/);
  await screenshot(page, 'run-failure');
  chrome.assertNoProblems();
});

test('a running job is followed live: its logs stream in and it turns success without reload', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  const flag = join(flags, 'slow-1');
  const id = await startWebhook('u/admin/slow', { flag });

  // The list shows it running, and the run page follows it.
  await page.goto(server.url + '/runs');
  await runRow(page, id).getByText('running', { exact: true }).waitFor();
  await runRow(page, id).getByRole('link', { name: `Run ${id}` }).click();
  await summary(page).getByText('running', { exact: true }).waitFor();
  await page.getByText(/Running for \d+ s/).waitFor();
  await page.getByRole('region', { name: 'Logs' }).getByText('started').waitFor();
  await page.getByRole('button', { name: 'Cancel' }).waitFor();
  await page.evaluate(() => (window.sameDocument = true));
  await screenshot(page, 'run-running');

  writeFileSync(flag, '');
  await summary(page).getByText('success', { exact: true }).waitFor();
  await page.getByRole('region', { name: 'Logs' }).getByText(/started\s+done/).waitFor();
  await page.getByRole('region', { name: 'Result' }).getByText('"done"').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 0);
  assert.equal(await page.evaluate(() => window.sameDocument), true, 'the page was not reloaded');

  // The list refreshes itself too while a listed run is active.
  const flag2 = join(flags, 'slow-2');
  const id2 = await startWebhook('u/admin/slow', { flag: flag2 });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
  await runRow(page, id2).getByText('running', { exact: true }).waitFor();
  await page.getByText('Live: 1 active run').waitFor();
  await screenshot(page, 'runs-live');
  writeFileSync(flag2, '');
  await runRow(page, id2).getByText('success', { exact: true }).waitFor();
  await page.getByText('Live: 1 active run').waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => window.sameDocument), true, 'the page was not reloaded');
  chrome.assertNoProblems();
});

test('a long job is canceled from its page', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  const id = await startWebhook('u/admin/sleepy');
  await page.goto(`${server.url}/run/${id}`);
  await page.getByRole('region', { name: 'Logs' }).getByText('going to sleep').waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await summary(page).getByText('canceled', { exact: true }).waitFor();
  const canceled = page.getByRole('region', { name: 'Canceled' });
  await canceled.getByText('Job canceled: stopped from its run page by admin', { exact: true }).waitFor();
  const who = page.getByRole('region', { name: 'Who and what' });
  await who.getByText('Canceled by').waitFor();
  assert.equal(await page.getByRole('button', { name: /^Cancel/ }).count(), 0);
  assert.equal(await page.getByRole('region', { name: 'Logs' }).getByText('woke up').count(), 0);
  await screenshot(page, 'run-canceled');

  // In the list it counts among the failures (Windmill's success=false).
  await page.goto(server.url + '/runs?status=failure');
  await runRow(page, id).getByText('canceled', { exact: true }).waitFor();
  chrome.assertNoProblems();
});

test('filters by path, by who triggered and by status live in the URL', async () => {
  await server.createScript('u/admin/filter_ok', 'def main():\n    return 1\n', 'python3');
  await server.createScript('u/admin/filter_bad', 'def main():\n    raise RuntimeError("no")\n', 'python3');
  await server.api('POST', `/api/w/${WORKSPACE}/jobs/run_wait_result/p/u/admin/filter_ok`, {});
  assert.equal((await callWebhook('u/admin/filter_ok')).status, 200);
  assert.notEqual((await callWebhook('u/admin/filter_bad')).status, 200);

  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/runs');
  const rows = page.getByRole('table').getByRole('row');
  const okRows = rows.filter({ hasText: 'u/admin/filter_ok' });
  const badRows = rows.filter({ hasText: 'u/admin/filter_bad' });
  await badRows.first().waitFor();

  // By path: Enter in the field applies it.
  await page.getByLabel('Script path').fill('u/admin/filter_ok');
  await page.getByLabel('Script path').press('Enter');
  await page.waitForURL(/\/runs\?path=u%2Fadmin%2Ffilter_ok$/);
  await badRows.first().waitFor({ state: 'detached' });
  await eventually(async () => (await okRows.count()) === 2);
  assert.equal(await rows.count(), 3, 'a header and two runs');
  await page.reload();
  assert.equal(await page.getByLabel('Script path').inputValue(), 'u/admin/filter_ok');
  await eventually(async () => (await okRows.count()) === 2);

  // A path ending in / is a folder: everything under it.
  await page.getByLabel('Script path').fill('u/admin/');
  await page.getByLabel('Script path').press('Enter');
  await page.waitForURL(/\/runs\?path=u%2Fadmin%2F$/);
  await badRows.first().waitFor();
  await eventually(async () => (await okRows.count()) === 2);
  await page.getByLabel('Script path').fill('u/admin/filter_ok');

  // And by who triggered it.
  await page.getByLabel('Triggered by').fill('webhook-hello');
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  await page.waitForURL(/created_by=webhook-hello/);
  await eventually(async () => (await okRows.count()) === 1);
  await okRows.getByRole('cell', { name: 'webhook-hello', exact: true }).waitFor();

  // By status: choosing one applies it at once.
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.waitForURL(/\/runs$/);
  await page.getByLabel('Status').selectOption('failure');
  await page.waitForURL(/\/runs\?status=failure$/);
  await badRows.first().waitFor();
  await eventually(async () => (await okRows.count()) === 0);
  assert.equal(await rows.filter({ hasText: 'success' }).count(), 0);
  await screenshot(page, 'runs-filtered');
  await page.reload();
  assert.equal(await page.getByLabel('Status').inputValue(), 'failure');
  await badRows.first().waitFor();
  await page.getByLabel('Status').selectOption('success');
  await page.waitForURL(/\/runs\?status=success$/);
  await okRows.first().waitFor();
  assert.equal(await badRows.count(), 0);
  await page.goBack();
  await page.waitForURL(/\/runs\?status=failure$/);
  assert.equal(await page.getByLabel('Status').inputValue(), 'failure');
  await badRows.first().waitFor();

  // Nothing matches: the page says so and offers the way back.
  await page.goto(server.url + '/runs?path=u/admin/nothing');
  await page.getByText('No runs match these filters').waitFor();
  await page.getByRole('button', { name: 'Clear filters' }).last().click();
  await page.waitForURL(/\/runs$/);
  await okRows.first().waitFor();
  chrome.assertNoProblems();
});

test('leaving a live page stops its polling', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  const id = await startWebhook('u/admin/sleepy');
  const polls = [];
  page.on('request', (r) => {
    if (/\/jobs_u\/getupdate\/|\/jobs\/list/.test(r.url())) polls.push(r.url());
  });
  await page.goto(`${server.url}/run/${id}`);
  await page.getByRole('region', { name: 'Logs' }).getByText('going to sleep').waitFor();
  await page.goto(`${server.url}/runs`);
  await runRow(page, id).getByText('running', { exact: true }).waitFor();
  await eventually(() => polls.filter((u) => u.includes('/jobs/list')).length >= 2); // live
  // Leave inside the app (no reload): the timers of both pages must be gone.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Scripts' }).click();
  await page.getByRole('heading', { name: 'Scripts' }).waitFor();
  await new Promise((r) => setTimeout(r, 500)); // a request already in flight may still land
  const settled = polls.length;
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(polls.length, settled, `still polling after leaving: ${polls.slice(settled).join(', ')}`);
  await server.api('POST', `/api/w/${WORKSPACE}/jobs/queue/cancel/${id}`, { reason: 'test done' });
  chrome.assertNoProblems();
});

test('an unknown run id is answered in words', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  page.expectApiError(/\/jobs_u\/get\/(01a21d0f-0000-7000-8000-000000000000|not-a-run)$/);
  await page.goto(server.url + '/run/01a21d0f-0000-7000-8000-000000000000');
  await page.getByRole('heading', { name: 'Run not found' }).waitFor();
  await page.getByRole('alert').filter({ hasText: 'Job not found' }).waitFor();
  await screenshot(page, 'run-not-found');
  await page.goto(server.url + '/run/not-a-run');
  await page.getByRole('alert').filter({ hasText: 'invalid job id not-a-run' }).waitFor();
  await page.getByRole('link', { name: 'See all runs' }).click();
  await page.waitForURL(/\/runs$/);
  chrome.assertNoProblems();
});
