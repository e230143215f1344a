// The script editor: CodeMirror with highlighting, the argument form following the code as it
// is typed, a test run of the unsaved code with its logs, Ctrl+S, the unsaved-changes prompt
// (in the app and from the browser), a save that lost a race, errors next to their field,
// the size limit, and long code collapsed on the script's page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, login, screenshot, eventually, editorText, WORKSPACE, setCode } from './harness.mjs';

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

const exists = async (path) =>
  (await server.fetch('GET', `/api/w/${WORKSPACE}/scripts/exists/p/${path}`, undefined, await server.adminToken())).text;

test('code is highlighted, its arguments follow it, and a test run shows logs and result without saving', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  page.onBeforeUnload = (d) => d.accept(); // left unsaved at the end
  await page.goto(server.url + '/scripts/add');
  const code = page.getByLabel('Code');
  await setCode(code, 'import time\n\ndef main(who: str, count: int = 2):\n    for i in range(count):\n        print("step", i, flush=True)\n' +
    '        time.sleep(0.6)\n    return {"hello": who, "count": count}\n');
  // Highlighted: a keyword and a string are drawn in the colours the app's theme gives them.
  const colour = (text) => page.locator('.code-editor .cm-line span', { hasText: text }).first()
    .evaluate((el) => getComputedStyle(el).color);
  const plain = await page.locator('.code-editor .cm-content').evaluate((el) => getComputedStyle(el).color);
  assert.notEqual(await colour('def'), plain);
  assert.notEqual(await colour('"step"'), plain);
  assert.notEqual(await colour('def'), await colour('"step"'));
  // Line numbers; the bracket at the caret and its match are marked; Ctrl+F searches.
  await page.locator('.code-editor .cm-lineNumbers').getByText('7', { exact: true }).waitFor();
  await code.press('Control+Home');
  await code.press('ArrowDown');
  await code.press('ArrowDown');
  await code.press('End');
  await code.press('ArrowLeft'); // after the ")" that closes main's parameters
  assert.equal(await page.locator('.code-editor .cm-matchingBracket').count(), 2);
  await code.press('Control+f');
  const find = page.getByRole('textbox', { name: 'Find' });
  await find.fill('range');
  await find.press('Enter');
  assert.ok(await page.locator('.code-editor .cm-searchMatch').count() >= 1);
  await find.press('Escape');
  // Dark, as the app is when the system is: the editor's background is the app's surface.
  const surface = () => page.evaluate(() => {
    const probe = document.createElement('div');
    probe.style.background = 'var(--surface)';
    document.body.append(probe);
    const c = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return c;
  });
  const editorBackground = () => page.locator('.code-editor .cm-editor').evaluate((el) => getComputedStyle(el).backgroundColor);
  await page.emulateMedia({ colorScheme: 'dark' });
  assert.equal(await editorBackground(), await surface());
  assert.equal(await editorBackground(), 'rgb(22, 26, 32)');
  await screenshot(page, 'editor-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  assert.equal(await editorBackground(), 'rgb(255, 255, 255)');

  // The form is read from the code once typing pauses.
  const testArea = page.getByRole('region', { name: 'Test' });
  await testArea.getByLabel(/^who/).waitFor();
  assert.equal(await testArea.getByLabel(/^count/).inputValue(), '2');
  await testArea.getByLabel(/^who/).fill('Ada');
  // A new argument appears; what was typed in the others stays.
  await code.press('Control+End');
  await setCode(code, (await editorText(code)).replace('count: int = 2)', 'count: int = 2, loud: bool = False)'));
  await testArea.getByLabel(/^loud/).waitFor();
  assert.equal(await testArea.getByLabel(/^who/).inputValue(), 'Ada');
  await screenshot(page, 'editor-python');

  await testArea.getByRole('button', { name: 'Test' }).click();
  // The logs come in while it runs, before the result.
  await testArea.getByText('step 0').waitFor();
  assert.equal(await testArea.getByRole('region', { name: 'Result' }).count(), 0, 'still running');
  await testArea.getByRole('region', { name: 'Result' }).getByText('"hello": "Ada"').waitFor();
  await testArea.getByText('step 1').waitFor();
  await screenshot(page, 'editor-test-run');
  assert.equal(await exists('u/admin/'), 'false');
  const audit = await server.api('GET', `/api/w/${WORKSPACE}/audit/list?operation=jobs.run.preview`);
  assert.equal(audit.json().length, 1);
  const scripts = await server.api('GET', `/api/w/${WORKSPACE}/scripts/list`);
  assert.deepEqual(scripts.json(), [], 'a test run saves nothing');

  // A failing test run says why, in the error's words.
  await setCode(code, 'def main():\n    raise ValueError("not today")\n');
  await testArea.getByLabel(/^who/).waitFor({ state: 'detached' });
  await testArea.getByRole('button', { name: 'Test' }).click();
  await testArea.getByRole('region', { name: 'Error' }).getByText('ValueError: not today', { exact: true }).waitFor();
  chrome.assertNoProblems();
});

test('Ctrl+S saves, from the editor and from any field', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/scripts/add');
  await page.getByLabel('Path').fill('u/admin/saved_by_keys');
  const code = page.getByLabel('Code');
  await setCode(code, 'def main():\n    return "first"\n');
  await code.press('Control+s');
  await page.waitForURL(/\/scripts\/get\/u\/admin\/saved_by_keys$/);
  await page.getByRole('link', { name: 'Edit' }).click();
  await page.waitForURL(/\/scripts\/edit\/u\/admin\/saved_by_keys$/);
  await setCode(code, 'def main():\n    return "second"\n');
  await page.getByLabel('Summary').fill('Saved with the keyboard');
  await page.getByLabel('Summary').press('Control+s');
  await page.waitForURL(/\/scripts\/get\/u\/admin\/saved_by_keys$/);
  const r = await server.api('POST', `/api/w/${WORKSPACE}/jobs/run_wait_result/p/u/admin/saved_by_keys`, {});
  assert.equal(r.json(), 'second');
  chrome.assertNoProblems();
});

test('leaving with unsaved changes asks first, in the app and from the browser', async () => {
  await server.createScript('u/admin/guarded', 'def main():\n    return 1\n', 'python3', 'Guarded');
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/scripts/get/u/admin/guarded');
  await page.getByRole('link', { name: 'Edit' }).click();
  const code = page.getByLabel('Code');
  await code.waitFor();
  // Nothing changed yet: leaving asks nothing.
  await page.evaluate(() => history.back());
  await page.waitForURL(/\/scripts\/get\/u\/admin\/guarded$/);
  await page.evaluate(() => history.forward());
  await page.waitForURL(/\/scripts\/edit\/u\/admin\/guarded$/);
  await code.press('Control+End');
  await code.pressSequentially('# not saved');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('Your changes to u/admin/guarded are not saved. Leave this page anyway?').waitFor();
  await screenshot(page, 'editor-unsaved');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.match(page.url(), /\/scripts\/edit\/u\/admin\/guarded$/);
  assert.match(await editorText(code), /# not saved$/);

  // Back asks too, and staying keeps the page where it was.
  await page.evaluate(() => history.back());
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await eventually(async () => /\/scripts\/edit\/u\/admin\/guarded$/.test(page.url()));
  assert.match(await editorText(code), /# not saved$/);

  // A reload is the browser's to ask about.
  const asked = [];
  page.onBeforeUnload = (d) => (asked.push(d.type()), d.dismiss());
  await page.reload({ timeout: 3000 }).catch(() => {}); // dismissed: the page stays
  assert.deepEqual(asked, ['beforeunload']);
  assert.match(await editorText(code), /# not saved$/);

  // Leaving for real.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Scripts' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Leave without saving' }).click();
  await page.waitForURL(/\/scripts$/);
  const r = await server.api('GET', `/api/w/${WORKSPACE}/scripts/get/p/u/admin/guarded`);
  assert.equal(r.json().content, 'def main():\n    return 1\n');
  chrome.assertNoProblems();
});

test('a version saved meanwhile is said, its differences shown, and mine saved over it on demand', async () => {
  await server.createScript('u/admin/raced', 'def main():\n    a = 1\n    return a\n', 'python3', 'Raced');
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/scripts/edit/u/admin/raced');
  const code = page.getByLabel('Code');
  await code.waitFor();
  await setCode(code, 'def main():\n    a = 1\n    return a * 10\n');
  // Someone else saves first.
  const first = await server.api('GET', `/api/w/${WORKSPACE}/scripts/get/p/u/admin/raced`);
  await server.api('POST', `/api/w/${WORKSPACE}/scripts/create`, {
    path: 'u/admin/raced', summary: 'Raced', language: 'python3', parent_hash: first.json().hash,
    content: 'def main():\n    a = 2\n    return a\n',
  });
  page.expectApiError(/\/scripts\/create$/);
  await page.getByRole('button', { name: 'Save new version' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Someone saved a newer version of u/admin/raced meanwhile' });
  await alert.waitFor();
  await alert.getByRole('button', { name: 'Show the differences' }).click();
  const diff = page.getByLabel('Differences between the saved version and yours');
  await diff.locator('.removed', { hasText: 'a = 2' }).waitFor();
  await diff.locator('.added', { hasText: 'return a * 10' }).waitFor();
  await diff.locator('.added', { hasText: 'a = 1' }).waitFor();
  await screenshot(page, 'editor-conflict');
  await alert.getByRole('button', { name: 'Save mine over it' }).click();
  await page.waitForURL(/\/scripts\/get\/u\/admin\/raced$/);
  const r = await server.api('POST', `/api/w/${WORKSPACE}/jobs/run_wait_result/p/u/admin/raced`, {});
  assert.equal(r.json(), 10);
  chrome.assertNoProblems();
});

test('errors are said next to the path, in words; a member saves only under their own name', async () => {
  await server.createScript('u/admin/taken', 'def main():\n    return 1\n', 'python3', 'Taken');
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(server.url + '/scripts/add');
  const path = page.getByLabel('Path');
  await path.fill('u/admin/taken');
  await setCode(page.getByLabel('Code'), 'def main():\n    return 2\n');
  page.expectApiError(/\/scripts\/create$/);
  await page.getByRole('button', { name: 'Save' }).click();
  const next = path.locator('xpath=following-sibling::*[1]');
  await next.getByText('A script already exists at u/admin/taken — open it, or choose another path.').waitFor();
  assert.equal(await path.getAttribute('aria-invalid'), 'true');
  await next.getByRole('link', { name: 'open it' }).waitFor();
  page.onBeforeUnload = (d) => d.accept();

  // A member is told before anything is sent; the server refuses it too.
  await server.api('POST', '/api/users/create', { email: 'mia@example.com', password: 'mia-password-1', super_admin: false, name: 'Mia' });
  await server.api('POST', `/api/w/${WORKSPACE}/workspaces/add_user`, { email: 'mia@example.com', is_admin: false, operator: false });
  const member = await chrome.newPage();
  await login(member, server, { email: 'mia@example.com', password: 'mia-password-1' });
  await member.goto(server.url + '/scripts/add');
  const memberPath = member.getByLabel('Path');
  assert.equal(await memberPath.inputValue(), 'u/mia/');
  await memberPath.fill('u/admin/not_mine');
  const sent = [];
  member.on('request', (r) => r.url().endsWith('/scripts/create') && sent.push(r.url()));
  await member.getByRole('button', { name: 'Save' }).click();
  await memberPath.locator('xpath=following-sibling::*[1]')
    .getByText('Only admin saves under u/admin/: save under u/mia/ or in a folder (f/<folder>/).').waitFor();
  assert.deepEqual(sent, []);
  const direct = await server.fetch('POST', `/api/w/${WORKSPACE}/scripts/create`,
    { path: 'u/admin/not_mine', summary: '', content: 'x=1', language: 'bash' },
    (await server.fetch('POST', '/api/auth/login', { email: 'mia@example.com', password: 'mia-password-1' })).text);
  assert.ok(direct.status === 403 || direct.status === 404, `the API refuses it too: ${direct.status}`);
  member.onBeforeUnload = (d) => d.accept();
  chrome.assertNoProblems();
});

test('a script over the size limit is refused in words; long code is shown collapsed', async () => {
  // A server with a small limit, so the test need not type a megabyte.
  const small = await startServer({ env: { SCRIPT_SIZE_LIMIT: '2048' } });
  try {
    const page = await chrome.newPage();
    await login(page, small);
    page.onBeforeUnload = (d) => d.accept();
    await page.goto(small.url + '/scripts/add');
    await page.getByLabel('Path').fill('u/admin/huge');
    await setCode(page.getByLabel('Code'), 'def main():\n    return 1\n' + '# a comment line that pads the file out\n'.repeat(60));
    page.expectApiError(/\/scripts\/(create|infer_schema)$/);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: "The code is too large to save: the script's code is 2.37 KiB, over the limit of 2 KiB (SCRIPT_SIZE_LIMIT)." }).waitFor();
    await page.close();
  } finally {
    await small.stop();
  }
  const page = await chrome.newPage();
  await login(page, server);

  const long = 'def main():\n' + Array.from({ length: 120 }, (_, i) => `    x${i} = ${i}\n`).join('') + '    return x119\n';
  await server.createScript('u/admin/long', long, 'python3', 'Long');
  await page.goto(server.url + '/scripts/get/u/admin/long');
  const codeCard = page.getByRole('region', { name: 'Code' });
  await codeCard.getByText('The first 40 of 123 lines.').waitFor();
  assert.equal(await codeCard.getByText('x119 = 119').count(), 0);
  await codeCard.getByRole('button', { name: 'Show all 123 lines' }).click();
  await codeCard.getByText('x119 = 119').waitFor();
  chrome.assertNoProblems();
});

test('a missing script says so without a loading line', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  page.expectApiError(/\/scripts\/get\/p\/u\/admin\/nowhere$/);
  await page.goto(server.url + '/scripts/get/u/admin/nowhere');
  await page.getByRole('heading', { name: 'Script not found' }).waitFor();
  await page.getByRole('alert').filter({ hasText: 'script not found' }).waitFor();
  assert.equal(await page.getByText('Loading').count(), 0);
  chrome.assertNoProblems();
});
