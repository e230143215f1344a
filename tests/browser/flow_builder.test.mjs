// The flow builder: a flow with inputs, an inline step, a for-loop and a branch, built in the
// app, tested before saving (each step's state, logs and result), saved, and called with the
// copied curl; the YAML and JSON views of the same flow, edited and read back; a flow page's
// Edit and Archive; a flow run's page showing each step's logs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, openBrowser, login, screenshot, editorText, WORKSPACE, setCode } from './harness.mjs';

const run = promisify(execFile);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
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

// Adds a step of `kind` (and language) at the end of the list `label`, answering its step box.
async function addStep(page, label, kind, language) {
  const list = page.getByRole('group', { name: label, exact: true });
  await list.getByLabel(`${label}: kind of the new step`, { exact: true }).selectOption({ label: kind });
  if (language) await list.getByLabel(`${label}: language of the new step`, { exact: true }).selectOption({ label: language });
  const before = await page.locator('section.flow-step-edit').count();
  await list.getByRole('button', { name: `${label}: add the step`, exact: true }).click();
  await page.waitForFunction((n) => document.querySelectorAll('section.flow-step-edit').length > n, before);
}

function step(page, id) {
  return page.getByRole('region', { name: `Step ${id}`, exact: true });
}

// Sets an input of a step as an expression.
async function expression(page, id, input, expr) {
  const box = step(page, id);
  await box.getByLabel(`${id}: how ${input} is given`, { exact: true }).selectOption('javascript');
  await box.getByLabel(`${id}: ${input}`, { exact: true }).fill(expr);
}

test('a flow with a loop and a branch is built, tested step by step, saved and called with its curl', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/flows');
  await page.getByRole('main').getByRole('link', { name: 'New flow' }).first().click();
  await page.waitForURL(/\/flows\/add$/);
  await page.getByLabel('Path').fill('u/admin/loop_and_branch');
  await page.getByLabel('Summary').fill('Doubles, adds one to each, sums if several');

  // One required integer input, n.
  await page.getByRole('button', { name: 'Add an input' }).click();
  await page.getByLabel('Input input1: name').fill('n');
  await page.getByLabel('Input input1: name').press('Tab');
  await page.getByLabel('Input n: type').selectOption('integer');
  await page.getByLabel('Input n: required').check();

  // a: inline Python over flow_input.n.
  await addStep(page, 'Steps of the flow', 'Inline script', 'Python 3');
  await setCode(step(page, 'a').getByLabel('Code of step a'), 'def main(n: int):\n    print("doubling", n)\n    return [n, n * 2]\n');
  await step(page, 'a').getByLabel('a: how n is given').waitFor();
  await expression(page, 'a', 'n', 'flow_input.n');

  // b: a for-loop over results.a, with one TypeScript step inside.
  await addStep(page, 'Steps of the flow', 'For-loop');
  await step(page, 'b').getByLabel('b: iterate over').fill('results.a');
  await addStep(page, 'b: steps of each iteration', 'Inline script', 'TypeScript');
  await setCode(step(page, 'c').getByLabel('Code of step c'), 'export function main(x: number) {\n  console.log("item", x);\n  return x + 1;\n}\n');
  await step(page, 'c').getByLabel('c: how x is given').waitFor();
  await expression(page, 'c', 'x', 'flow_input.iter.value');

  // d: a branch: with several items, their sum; otherwise zero.
  await addStep(page, 'Steps of the flow', 'Branch to one');
  await step(page, 'd').getByLabel('d: branch 1 condition').fill('results.b.length > 1');
  await addStep(page, 'd: steps of branch 1', 'Inline script', 'Python 3');
  await setCode(step(page, 'e').getByLabel('Code of step e'), 'def main(v: list):\n    return sum(v)\n');
  await step(page, 'e').getByLabel('e: how v is given').waitFor();
  await expression(page, 'e', 'v', 'results.b');
  await addStep(page, 'd: steps of the default branch', 'Inline script', 'Python 3');
  await setCode(step(page, 'f').getByLabel('Code of step f'), 'def main():\n    return 0\n');
  await screenshot(page, 'flow-builder');

  // Tested before saving: the steps' states, the result, each step's logs.
  const testCard = page.getByRole('region', { name: 'Test' });
  await testCard.getByLabel(/^n/).fill('3');
  await testCard.getByRole('button', { name: 'Test the flow' }).click();
  await testCard.getByRole('region', { name: 'Result' }).getByText('11', { exact: true }).waitFor({ timeout: 60000 });
  const steps = testCard.getByRole('list', { name: 'Steps of this run' });
  for (const id of ['a', 'b', 'd']) await steps.getByRole('listitem').filter({ hasText: id }).filter({ hasText: 'success' }).first().waitFor();
  const outputs = testCard.getByRole('region', { name: 'Step outputs' });
  await outputs.getByText('a', { exact: true }).click();
  await outputs.getByText('doubling 3').waitFor();
  await screenshot(page, 'flow-builder-test');
  const list = await server.api('GET', `/api/w/${WORKSPACE}/flows/list`);
  assert.deepEqual(list.json(), [], 'testing saves nothing');

  // "Test up to here" runs the first step alone.
  await step(page, 'a').getByRole('button', { name: 'Test the flow up to step a' }).click();
  await testCard.getByText('Testing the steps up to a…').waitFor();
  await testCard.getByRole('region', { name: 'Result' }).getByText('"3"').or(testCard.getByRole('region', { name: 'Result' }).getByText('6')).first().waitFor();
  assert.equal(await testCard.getByRole('list', { name: 'Steps of this run' }).getByRole('listitem').count(), 1);

  // Saved: a version, a webhook; the copied curl runs it.
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForURL(/\/flows\/get\/u\/admin\/loop_and_branch$/);
  const panel = page.getByRole('region', { name: 'Webhooks' });
  await panel.getByRole('button', { name: 'Create a token for this webhook' }).click();
  await panel.getByRole('button', { name: 'Create token' }).click();
  await panel.getByText('You will not see this token again.').waitFor();
  await panel.getByLabel('Webhook to call').selectOption('sync');
  await panel.getByRole('button', { name: 'Copy example' }).click();
  const curl = await page.evaluate(() => navigator.clipboard.readText());
  const withArgs = curl.replace(/-d '[^']*'/, `-d '{"n": 5}'`);
  assert.notEqual(withArgs, curl, `the example sends a body: ${curl}`);
  assert.equal(JSON.parse((await run('bash', ['-c', withArgs])).stdout), 17);
  chrome.assertNoProblems();
});

test('the YAML and JSON views show the same flow, and edits there are read back', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/flows/edit/u/admin/loop_and_branch');
  await step(page, 'a').waitFor();
  await page.getByRole('button', { name: 'YAML' }).click();
  const yaml = page.getByLabel('The flow as YAML');
  const text = await editorText(yaml);
  assert.match(text, /type: forloopflow/);
  assert.match(text, /expr: results\.b\.length > 1/);
  assert.match(text, /summary: Doubles, adds one to each, sums if several/);
  await screenshot(page, 'flow-builder-yaml');
  // Changed as text: the summary, and the branch's condition.
  await setCode(yaml, text.replace('summary: Doubles, adds one to each, sums if several', 'summary: Edited as YAML')
    .replace('results.b.length > 1', 'results.b.length > 5'));
  await page.getByRole('button', { name: 'Steps' }).click();
  assert.equal(await page.getByRole('textbox', { name: /^Summary/ }).inputValue(), 'Edited as YAML');
  assert.equal(await step(page, 'd').getByLabel('d: branch 1 condition').inputValue(), 'results.b.length > 5');

  // JSON shows the same; a text that is not a flow is refused and the steps stay.
  await page.getByRole('button', { name: 'JSON' }).click();
  const json = JSON.parse(await editorText(page.getByLabel('The flow as JSON')));
  assert.equal(json.value.modules[2].value.branches[0].expr, 'results.b.length > 5');
  await setCode(page.getByLabel('The flow as JSON'), '{"value": 1}');
  await page.getByRole('button', { name: 'Steps' }).click();
  await page.getByRole('alert').filter({ hasText: 'does not read as a flow' }).waitFor();
  await setCode(page.getByLabel('The flow as JSON'), JSON.stringify(json, null, 2));
  await page.getByRole('button', { name: 'Steps' }).click();
  await step(page, 'e').waitFor();

  // Saved: the default branch now runs (5 > 2 items is false).
  await page.getByRole('button', { name: 'Save new version' }).click();
  await page.waitForURL(/\/flows\/get\/u\/admin\/loop_and_branch$/);
  const r = await server.api('POST', `/api/w/${WORKSPACE}/jobs/run_wait_result/f/u/admin/loop_and_branch`, { n: 5 });
  assert.equal(r.json(), 0);
  const flow = (await server.api('GET', `/api/w/${WORKSPACE}/flows/get/u/admin/loop_and_branch`)).json();
  assert.equal(flow.summary, 'Edited as YAML');
  assert.deepEqual(flow.value.modules.map((m) => m.id), ['a', 'b', 'd']);
  assert.deepEqual(flow.schema.required, ['n']);
  chrome.assertNoProblems();
});

test('a flow page runs, edits and archives; its run page shows each step’s logs', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/flows/get/u/admin/loop_and_branch');
  const form = page.getByRole('form', { name: 'Run' });
  await form.getByLabel(/^n/).fill('1');
  await form.getByRole('button', { name: 'Run' }).click();
  await page.getByRole('link', { name: 'Open the run' }).click();
  await page.waitForURL(/\/run\//);
  const outputs = page.getByRole('region', { name: 'Step outputs' });
  await outputs.getByText('a', { exact: true }).click();
  await outputs.getByText('doubling 1').waitFor();
  assert.equal(await page.getByText('This run printed nothing.').filter({ visible: true }).count(), 0);
  await screenshot(page, 'flow-run-steps');

  await page.goto(server.url + '/flows/get/u/admin/loop_and_branch');
  await page.getByRole('link', { name: 'Edit' }).click();
  await page.waitForURL(/\/flows\/edit\/u\/admin\/loop_and_branch$/);
  await page.goBack();
  await page.getByRole('button', { name: 'Archive' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Archive' }).click();
  await page.waitForURL(/\/flows$/);
  page.expectApiError(/\/jobs\/run_wait_result\/f\//);
  const r = await server.fetch('POST', `/api/w/${WORKSPACE}/jobs/run_wait_result/f/u/admin/loop_and_branch`, { n: 1 }, await server.adminToken());
  assert.equal(r.status, 404);
  chrome.assertNoProblems();
});

test('a flow built in the app round-trips through wmill sync pull and wmill flow push', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/flows/add');
  await page.getByLabel('Path').fill('f/builder/pulled');
  await page.getByRole('button', { name: 'Add an input' }).click();
  await page.getByLabel('Input input1: name').fill('items');
  await page.getByLabel('Input input1: name').press('Tab');
  await page.getByLabel('Input items: type').selectOption('array');
  await addStep(page, 'Steps of the flow', 'For-loop');
  await step(page, 'a').getByLabel('a: iterate over').fill('flow_input.items');
  await addStep(page, 'a: steps of each iteration', 'Inline script', 'Bash');
  await setCode(step(page, 'b').getByLabel('Code of step b'), 'x="$1"\necho "item $x"\n');
  await step(page, 'b').getByLabel('b: how x is given').waitFor();
  await expression(page, 'b', 'x', 'flow_input.iter.value');
  await step(page, 'b').getByText('Options: retries, timeout, conditions, approval').click();
  await step(page, 'b').getByLabel('Step b: retries').fill('2');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForURL(/\/flows\/get\/f\/builder\/pulled$/);
  const saved = (await server.api('GET', `/api/w/${WORKSPACE}/flows/get/f/builder/pulled`)).json();
  assert.equal(saved.value.modules[0].value.modules[0].retry.constant.attempts, 2);

  // The official CLI, with a home of its own: pull the workspace, push the flow back unchanged.
  const home = mkdtempSync(join(tmpdir(), 'millrace-wmill-'));
  const project = join(home, 'project');
  mkdirSync(project);
  const wmill = (...args) => run(join(repo, 'node_modules', '.bin', 'wmill'), args,
    { cwd: project, env: { PATH: process.env.PATH, HOME: home, WMILL_CONFIG_DIR: join(home, '.config'), NO_COLOR: '1' } });
  try {
    await wmill('workspace', 'add', 'browser', WORKSPACE, server.url + '/', '--token', await server.adminToken());
    await wmill('init');
    await wmill('sync', 'pull', '--yes');
    const folder = join(project, 'f', 'builder', 'pulled__flow');
    assert.match(readFileSync(join(folder, 'flow.yaml'), 'utf8'), /type: forloopflow/);
    await wmill('flow', 'push', 'f/builder/pulled__flow', 'f/builder/pulled');
    const after = (await server.api('GET', `/api/w/${WORKSPACE}/flows/get/f/builder/pulled`)).json();
    assert.deepEqual(after.value, saved.value);
    assert.deepEqual(after.schema, saved.schema);
    const history = (await server.api('GET', `/api/w/${WORKSPACE}/flows/history/p/f/builder/pulled`)).json();
    assert.equal(history.length, 1, 'nothing was lost, so nothing new was saved');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  chrome.assertNoProblems();
});
