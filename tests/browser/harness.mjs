// Browser tests: the real binary (temp data folder, free port) and Debian's Chromium driven by
// playwright-core. Every test file uses startServer() + openBrowser(); screenshots go to
// build/screenshots/ at 1280×800 and 390×844.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ADMIN_EMAIL = 'admin@windmill.dev';
export const ADMIN_PASSWORD = 'browser-admin-password';
export const WORKSPACE = 'admins';
const screenshotDir = process.env.SCREENSHOT_DIR || join(repo, 'build', 'screenshots');

// Jobs run sandboxed (the tests run as root): they see none of the host's files but this one
// folder, which the servers of the tests share with their jobs (JOB_EXTRA_MOUNTS), so that a
// test can hand a job a file. Not under /tmp: each job has a /tmp of its own.
const sharedRoot = mkdtempSync(join('/var/tmp', 'millrace-browser-shared-'));
chmodSync(sharedRoot, 0o1777);
process.on('exit', () => rmSync(sharedRoot, { recursive: true, force: true }));

// A new folder the jobs see (and may write into).
export function sharedFolder(prefix) {
  const path = mkdtempSync(join(sharedRoot, prefix));
  chmodSync(path, 0o777);
  return path;
}

// Starts `millrace serve`; resolves once it prints its port. MILLRACE_UI_DIR (optional) serves
// the web files from the source folder, for editing without a rebuild. `env`: more settings.
export async function startServer({ env = {} } = {}) {
  const bin = process.env.MILLRACE_BIN || join(repo, 'build', 'millrace');
  const data = mkdtempSync(join(tmpdir(), 'millrace-browser-'));
  const args = ['serve', '--port', '0', '--data', data, '--bind', '127.0.0.1'];
  if (process.env.MILLRACE_UI_DIR) args.push('--ui-dir', process.env.MILLRACE_UI_DIR);
  const child = spawn(bin, args, {
    env: { JOB_EXTRA_MOUNTS: sharedRoot, ...process.env, ...env, MILLRACE_ADMIN_PASSWORD: ADMIN_PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-20000)));
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start: ' + stderr)), 30000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on port (\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const server = {
    url, port, data,
    logs: () => stderr,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(data, { recursive: true, force: true });
    },
    // The API as a script would call it, with a token of the admin (for setting up data).
    async adminToken() {
      if (!server.token) server.token = (await server.fetch('POST', '/api/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).text;
      return server.token;
    },
    async fetch(method, path, body, token) {
      const headers = {};
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (token) headers.Authorization = `Bearer ${token}`;
      let res;
      try {
        res = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      } catch (e) {
        // Unanswered: what the server was doing then is what the reader of the failure needs.
        const jobs = await fetch(`${url}/api/w/${WORKSPACE}/jobs/list?per_page=10`, {
          headers: { Authorization: `Bearer ${server.token || ''}` }, signal: AbortSignal.timeout(5000),
        }).then((r) => r.text(), (why) => `(not read: ${why.message})`);
        throw new Error(`${method} ${path}: ${e.message} (${e.cause?.code || 'no code'})\nlast jobs: ${jobs}\n` +
          `server log, last lines:\n${stderr.slice(-6000)}`);
      }
      const text = await res.text();
      return { status: res.status, text, json: () => JSON.parse(text) };
    },
    async api(method, path, body) {
      const res = await server.fetch(method, path, body, await server.adminToken());
      assert.ok(res.status < 300, `${method} ${path} → ${res.status} ${res.text}`);
      return res;
    },
    async createScript(path, content, language = 'python3', summary = '') {
      const res = await server.api('POST', `/api/w/${WORKSPACE}/scripts/create`, { path, content, language, summary });
      return res.text;
    },
  };
  return server;
}

// Chromium from Debian, headless, with a fresh profile. Pages fail their test on any script
// error or console error (a CSP violation, a failed module, an exception in a handler).
export async function openBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const pages = [];
  return {
    browser,
    async newPage({ width = 1280, height = 800 } = {}) {
      const context = await browser.newContext({ viewport: { width, height } });
      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      const page = await context.newPage();
      page.problems = [];
      // API answers of 400 and more are errors the page must show; a test names those it
      // causes on purpose with page.expectApiError(/regex/), any other one fails it (a wrong
      // URL in the app would otherwise go unnoticed). Allowed always: "who am I?" before
      // logging in (how the app finds out).
      page.expectedApiErrors = [/\/api\/users\/whoami$/];
      page.expectApiError = (re) => page.expectedApiErrors.push(re);
      page.on('response', (res) => {
        const url = res.url();
        if (res.status() >= 400 && url.includes('/api/') && !page.expectedApiErrors.some((re) => re.test(url))) {
          page.problems.push(`unexpected API answer ${res.status()} for ${res.request().method()} ${url}`);
        }
      });
      // A test that leaves a page with unsaved changes answers the browser's question itself
      // (page.onBeforeUnload = (dialog) => ...).
      page.onBeforeUnload = null;
      page.on('dialog', (d) => {
        if (d.type() === 'beforeunload' && page.onBeforeUnload) return page.onBeforeUnload(d);
        page.problems.push(`unexpected dialog: ${d.message()}`); // alert() from injected markup, say
        d.dismiss().catch(() => {});
      });
      page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        // A 4xx the page asked for on purpose is shown in the UI; Chromium also logs it.
        // Replacing several highlighted lines of the code editor at once (select all, type) makes
        // Chromium's own editing wrap the text in a styled span, which the app's CSP refuses (and
        // CodeMirror redraws anyway): the one report a page may make without a fault of its own.
        if (/^Applying inline style violates the following Content Security Policy directive/.test(m.text()) &&
            page.url().match(/\/(scripts|flows)\/(add|edit)/)) return;
        if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) {
          page.problems.push(`console error: ${m.text()}`);
        }
      });
      pages.push(page);
      // The clipboard answers only the focused page: the newest page of a test is in front.
      await page.bringToFront();
      return page;
    },
    // Asserts that no page had a script error; call at the end of each test.
    assertNoProblems() {
      const problems = pages.flatMap((p) => p.problems);
      assert.deepEqual(problems, [], 'the pages reported errors');
    },
    close: () => browser.close(),
  };
}

export async function login(page, server, { email = ADMIN_EMAIL, password = ADMIN_PASSWORD } = {}) {
  await page.goto(server.url + '/user/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

// A screenshot of the page as it is, at 1280×800 and at 390×844 (then the size is put back).
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const size = page.viewportSize();
  await page.evaluate(() => window.scrollTo(0, 0)); // a full-page shot of a scrolled page misplaces the sticky sidebar
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: join(screenshotDir, `${name}-1280x800.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(screenshotDir, `${name}-390x844.png`), fullPage: true });
  await page.setViewportSize(size);
}

// Polls until fn() returns a truthy value (or throws after `timeout` ms).
export async function eventually(fn, { timeout = 15000, interval = 100 } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw last || new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, interval));
  }
}

// The text of the code editor that `locator` points into (CodeMirror holds it, no <textarea>).
export function editorText(locator) {
  return locator.evaluate(async (el) => (await import('/js/bundle/code_editor.js')).editorText(el));
}

// Replaces the text of the code editor `locator` points into, as a user would: select all
// (the editor's own Ctrl+A), then the new text typed in at once. (Playwright's fill() selects
// through the page, which may leave the editor's last empty line out.)
export async function setCode(locator, text) {
  await locator.click();
  await locator.press('Control+a');
  if (text) await locator.page().keyboard.insertText(text);
  else await locator.press('Delete');
}
