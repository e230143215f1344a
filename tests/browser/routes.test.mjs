// HTTP routes in the app: made from the script's page with the URL previewed as it is typed,
// called with the curl example the page shows (run for real, signed with openssl as GitHub
// signs), the call among the route's deliveries with its headers masked, a refused call beside
// it, and a replay that makes a new run shown as an http route on the Runs page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, openBrowser, login, screenshot, eventually, WORKSPACE } from './harness.mjs';

let server;
let chrome;
before(async () => {
  server = await startServer();
  chrome = await openBrowser();
  await server.api('POST', `/api/w/${WORKSPACE}/scripts/create`, {
    path: 'u/admin/on_push', summary: 'GitHub pushes', language: 'python3',
    content: 'def main(ref: str = "", **kwargs):\n    return {"ref": ref}\n' });
  await server.api('POST', `/api/w/${WORKSPACE}/variables/create`, {
    path: 'u/admin/gh_secret', value: 'It is a secret to everybody', is_secret: true, description: '' });
  await server.api('POST', `/api/w/${WORKSPACE}/resources/create`, {
    path: 'u/admin/gh', resource_type: 'webhook_signature',
    value: { provider: 'github', secret: '$var:u/admin/gh_secret' } });
});
after(async () => {
  await chrome?.close();
  await server?.stop();
});

test('a signed route made from the script page, called with its own curl, then replayed', async () => {
  const page = await chrome.newPage();
  await login(page, server);
  await page.goto(`${server.url}/scripts/get/u/admin/on_push`);
  const panel = page.getByRole('region', { name: 'HTTP routes' });
  await panel.getByText('No route runs it.').waitFor();
  await panel.getByRole('link', { name: 'New route' }).click();
  await page.waitForURL(/\/routes\/add\?script_path=/);

  const form = page.getByRole('form', { name: 'New HTTP route' });
  assert.equal(await form.getByLabel(/^Script or flow path/).inputValue(), 'u/admin/on_push');
  await form.getByLabel(/^Path/).fill('u/admin/github_push');
  await form.getByLabel(/^Route/).fill('github/push');
  assert.equal(await form.locator('.url-preview').textContent(), `POST ${server.url}/api/r/github/push`);
  await form.getByLabel(/^Answers with/).selectOption('sync');
  await form.getByLabel(/^Authentication —/).selectOption('signature');
  await form.getByLabel(/^Authentication resource/).fill('u/admin/gh');
  // The example follows the resource's provider: GitHub's header, signed with openssl.
  const example = page.getByRole('region', { name: 'Call it' }).locator('pre');
  await eventually(async () => /X-Hub-Signature-256: sha256=\$SIG/.test(await example.textContent()));
  await screenshot(page, 'route-new');
  await form.getByRole('button', { name: 'Create route' }).click();
  await page.waitForURL(/\/routes\/get\/u\/admin\/github_push$/);

  // The page's own curl, run as a user would (the secret exported), passes the signature check.
  const code = await page.getByRole('region', { name: 'Call it' }).locator('pre').textContent();
  const answer = execFileSync('bash', ['-c', `${code} -s -w ' %{http_code}'`],
    { env: { ...process.env, SECRET: 'It is a secret to everybody' } }).toString();
  assert.match(answer, / 200$/);
  assert.deepEqual(JSON.parse(answer.replace(/ 200$/, '')), { ref: '' });
  // A forged one is refused before any job.
  const forged = execFileSync('bash', ['-c', `${code} -s -o /dev/null -w '%{http_code}'`],
    { env: { ...process.env, SECRET: 'a guess' } }).toString();
  assert.equal(forged, '401');

  const deliveries = page.getByRole('region', { name: 'Deliveries' });
  await eventually(async () => {
    await deliveries.getByRole('button', { name: 'Refresh' }).click();
    return (await deliveries.getByRole('row').count()) === 3; // a header and two calls
  });
  const rows = deliveries.getByRole('row');
  assert.match(await rows.nth(1).textContent(), /401/);
  assert.match(await rows.nth(1).textContent(), /refused/);
  assert.match(await rows.nth(2).textContent(), /200/);
  await rows.nth(2).getByText('POST /api/r/github/push').click();
  assert.match(await rows.nth(2).getByLabel('Headers').textContent(), /x-hub-signature-256: sha256=/);
  assert.equal(await rows.nth(1).getByRole('button', { name: /Replay/ }).count(), 0);
  await screenshot(page, 'route-deliveries');

  await rows.nth(2).getByRole('button', { name: /Replay/ }).click();
  const replayed = rows.nth(2).getByRole('link', { name: /^run / });
  await replayed.waitFor();
  await replayed.click();
  await page.waitForURL(/\/run\//);
  await page.getByText('http route').first().waitFor();

  // The script page now lists the route beside its webhooks.
  await page.goto(`${server.url}/scripts/get/u/admin/on_push`);
  await panel.getByRole('link', { name: `POST ${server.url}/api/r/github/push` }).waitFor();
  // And the Routes page lists it.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Routes' }).click();
  await page.getByRole('link', { name: 'POST /api/r/github/push' }).waitFor();
  await screenshot(page, 'routes');
  await page.close();
});

// Every preset's example, as the page would show it, run with bash against the real server:
// each must pass its own signature check (and a wrong secret must not).
test('the curl example of every authentication passes the route it is for', async () => {
  const { routeUrl, routeCurl } = await import('../../src/ui/web/js/route_examples.js');
  const whsec = `whsec_${Buffer.from('a Standard Webhooks key!').toString('base64')}`;
  const cases = [
    ['github', { provider: 'github', secret: 's1' }, 's1'],
    ['stripe', { provider: 'stripe', secret: 'whsec_stripe' }, 'whsec_stripe'],
    ['slack', { provider: 'slack', secret: 'slack-secret' }, 'slack-secret'],
    ['shopify', { provider: 'shopify', secret: 'shpss' }, 'shpss'],
    ['standard', { provider: 'standard_webhooks', secret: whsec }, whsec],
    ['custom', { provider: 'custom', secret: 'c', header: 'X-Sig', algorithm: 'sha512', encoding: 'base64', prefix: 'sig=' }, 'c'],
  ];
  for (const [name, value, secret] of cases) {
    await server.api('POST', `/api/w/${WORKSPACE}/resources/create`, { path: `u/admin/${name}_sig`, resource_type: 'webhook_signature', value });
    const route = { path: `u/admin/${name}_route`, script_path: 'u/admin/on_push', is_flow: false, route_path: `presets/${name}`,
      http_method: 'post', request_type: 'async', authentication_method: 'signature',
      authentication_resource_path: `u/admin/${name}_sig`, is_static_website: false };
    const created = await server.api('POST', `/api/w/${WORKSPACE}/http_triggers/create`, route);
    assert.equal(created.status, 201, name);
    const code = routeCurl(routeUrl(server.url, { ...route, workspace_id: WORKSPACE }), route, value, '{"ref": "main"}');
    const run = (s) => execFileSync('bash', ['-c', `${code} -s -o /dev/null -w '%{http_code}'`],
      { env: { ...process.env, SECRET: s } }).toString();
    assert.equal(run(secret), '201', `${name}:\n${code}`);
    const wrong = name === 'standard' ? `whsec_${Buffer.from('another key of 24 bytes.').toString('base64')}` : `${secret}x`;
    assert.equal(run(wrong), '401', `${name} with a wrong secret`);
  }
});
