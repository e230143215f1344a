// A flow's run, as its owner follows it: run from the flow page, the run's steps with their
// state and their runs, a loop's iterations (each a run with its own steps), a branch's choice,
// a step followed live while it runs, a failed step and the failure handler; the Runs page
// lists the flow run, not its steps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, openBrowser, login, screenshot, sharedFolder, WORKSPACE } from './harness.mjs';

let server;
let chrome;
let flags; // files a waiting step looks for

const js = (expr) => ({ type: 'javascript', expr });

before(async () => {
  server = await startServer();
  chrome = await openBrowser();
  flags = sharedFolder('millrace-flows-'); // steps see it
  await createFlow('f/test/pipeline', 'Add, loop, choose', [
    { id: 'add', summary: 'add one', value: { type: 'rawscript', language: 'python3',
      content: 'def main(x: int):\n    print("adding one")\n    return x + 1\n', input_transforms: { x: js('flow_input.x') } } },
    { id: 'loop', summary: 'each item', value: { type: 'forloopflow', skip_failures: false, parallel: false,
      iterator: js('[results.add, results.add * 10]'),
      modules: [{ id: 'echo', value: { type: 'rawscript', language: 'bash', content: 'n="$1"\necho "item $n"\n',
        input_transforms: { n: js('flow_input.iter.value') } } }] } },
    { id: 'pick', value: { type: 'branchone', default: [],
      branches: [{ summary: 'big', expr: 'results.add > 100', modules: [] },
        { summary: 'small', expr: 'results.add <= 100', modules: [{ id: 'small', value: { type: 'identity' } }] }] } },
  ], { type: 'object', properties: { x: { type: 'integer', default: 1 } }, required: ['x'] });
  await createFlow('f/test/waits', 'Waits for a file', [
    { id: 'wait', value: { type: 'rawscript', language: 'bash',
      content: 'flag="$1"\necho "waiting"\nwhile [ ! -e "$flag" ]; do sleep 0.1; done\necho "go"\n',
      input_transforms: { flag: js('flow_input.flag') } } },
    { id: 'after', value: { type: 'identity' } },
  ], { type: 'object', properties: { flag: { type: 'string' } } }, {});
  await createFlow('f/test/approval', 'Needs an approval', [
    { id: 'ask', suspend: { required_events: 1, timeout: 600 }, value: { type: 'rawscript', language: 'bash',
      content: 'echo "asking"\n', input_transforms: {} } },
    { id: 'after', value: { type: 'rawscript', language: 'python3',
      content: 'def main(resume, approvers):\n    return f"{approvers[0]} said {resume[\'comment\']}"\n',
      input_transforms: { resume: js('resume'), approvers: js('approvers') } } },
  ], {});
  await createFlow('f/test/fails', 'Fails, then handled', [
    { id: 'boom', value: { type: 'rawscript', language: 'python3',
      content: 'def main():\n    raise ValueError("no good")\n', input_transforms: {} } },
  ], {}, { failure_module: { id: 'failure', value: { type: 'rawscript', language: 'python3',
    content: 'def main(message: str, step: str):\n    return f"handled {step}: {message}"\n',
    input_transforms: { message: js('error.message'), step: js('error.step_id') } } } });
});
after(async () => {
  await chrome?.close();
  await server?.stop();
  if (flags) rmSync(flags, { recursive: true, force: true });
});

async function createFlow(path, summary, modules, schema, extra = {}) {
  const res = await server.api('POST', `/api/w/${WORKSPACE}/flows/create`,
    { path, summary, description: '', value: { modules, ...extra }, schema });
  assert.equal(res.status, 201, res.text);
}

const steps = (page) => page.getByRole('list', { name: 'Steps of this run' });
const step = (page, id) => steps(page).getByRole('listitem').filter({ has: page.getByText(id, { exact: true }) });

test('a flow run from its page shows each step, the loop iterations and the branch chosen', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/flows/get/f/test/pipeline');
  const form = page.getByRole('form', { name: 'Run' });
  await form.getByLabel('x').fill('4');
  await form.getByRole('button', { name: 'Run' }).click();
  await page.getByRole('link', { name: 'Open the run' }).click();
  await page.waitForURL(/\/run\/[0-9a-f-]+$/);
  await page.getByRole('link', { name: 'f/test/pipeline' }).waitFor(); // the heading links the flow
  await step(page, 'add').getByText('success').waitFor();
  await step(page, 'add').getByText('add one').waitFor();
  await step(page, 'loop').getByText('2 of 2 iterations done').waitFor();
  await step(page, 'pick').getByText('branch 2').waitFor();
  await screenshot(page, 'flow-run');

  // A loop iteration is a run of its own, part of the flow's run, with its inner steps.
  await step(page, 'loop').getByRole('link', { name: '#2' }).click();
  await step(page, 'echo').getByText('success').waitFor();
  await page.getByRole('region', { name: 'Who and what' }).getByText(/^step loop of run …/).waitFor();
  await page.getByRole('region', { name: 'Arguments' }).getByText('"value": 50').waitFor();
  await step(page, 'echo').getByRole('link').click();
  await page.getByText('item 50').first().waitFor(); // the step's own logs
  await page.goBack();
  await page.goBack();
  await step(page, 'add').getByRole('link').click();
  await page.getByText('adding one').waitFor();
  chrome.assertNoProblems();
});

test('a running flow is followed live, step by step, without a reload', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  const flag = join(flags, 'go');
  const res = await server.api('POST', `/api/w/${WORKSPACE}/jobs/run/f/f/test/waits`, { flag });
  assert.equal(res.status, 201, res.text);
  await page.goto(`${server.url}/run/${res.text.trim()}`);
  await step(page, 'wait').getByText('running').waitFor();
  await step(page, 'after').getByText('waiting').waitFor();
  await screenshot(page, 'flow-run-live');
  writeFileSync(flag, '');
  await step(page, 'after').getByText('success').waitFor();
  await page.getByRole('region', { name: 'Run summary' }).getByText('success').waitFor();
  chrome.assertNoProblems();
});

test('an approval step waits; its approval page, opened without logging in, lets the flow go on', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  const flow = (await server.api('POST', `/api/w/${WORKSPACE}/jobs/run/f/f/test/approval`, {})).text.trim();
  await page.goto(`${server.url}/run/${flow}`);
  await step(page, 'after').getByText('waiting for approval').waitFor();
  await step(page, 'after').getByText('1 more approval needed').waitFor();
  await screenshot(page, 'flow-run-approval');
  const status = (await server.api('GET', `/api/w/${WORKSPACE}/jobs_u/get/${flow}`)).json().flow_status;
  const stepJob = status.modules[0].job;
  const urls = (await server.api('GET', `/api/w/${WORKSPACE}/jobs/resume_urls/${stepJob}/42?approver=alice`)).json();
  // The approver follows the link from a mail: another browser, not logged in.
  const approver = await chrome.newPage();
  await approver.goto(server.url + new URL(urls.approvalPage).pathname + new URL(urls.approvalPage).search);
  await approver.getByRole('heading', { name: 'Approval requested' }).waitFor();
  await approver.getByText('You answer as alice.').waitFor();
  await approver.getByLabel('Comment (optional, passed on to the flow)').fill('ship it');
  await screenshot(approver, 'approve');
  await approver.getByRole('button', { name: 'Approve' }).click();
  await approver.getByText('Approved: the flow goes on.').waitFor();
  // The run page, still open, sees the flow go on and end.
  await page.getByRole('region', { name: 'Run summary' }).getByText('success').waitFor();
  await step(page, 'ask').getByText('approved by alice').waitFor();
  await page.getByRole('region', { name: 'Result' }).getByText('"alice said ship it"').waitFor();
  // The same link again: the flow is over, and the page says so.
  approver.expectApiError(/\/jobs_u\/resume\//);
  await approver.reload();
  await approver.getByRole('button', { name: 'Approve' }).click();
  await approver.getByText(/not running any more/).waitFor();
  chrome.assertNoProblems();
});

test('a failed step and the failure handler are shown; Runs lists flow runs, not their steps', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  // The flow fails all the same; what it answers is the failure handler's result.
  const res = await server.fetch('POST', `/api/w/${WORKSPACE}/jobs/run_wait_result/f/f/test/fails`, {},
    await server.adminToken());
  assert.equal(res.status, 422, res.text);
  assert.equal(res.json(), 'handled boom: no good');
  await page.goto(server.url + '/runs?path=f/test/fails');
  const runLinks = page.getByRole('link', { name: /^Run [0-9a-f-]+$/ });
  await runLinks.first().waitFor();
  assert.equal(await runLinks.count(), 1, 'the flow run only: its two steps are not listed');
  await page.getByRole('link', { name: 'f/test/fails' }).waitFor(); // to the flow's page
  await runLinks.first().click();
  await step(page, 'boom').getByText('failed').waitFor();
  await step(page, 'failure handler').getByText('success').waitFor();
  await screenshot(page, 'flow-run-failed');
  chrome.assertNoProblems();
});
