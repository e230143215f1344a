// Web app figures: what a browser downloads and how long the script page takes to show its
// webhooks, cold (fresh profile, no cache) and when navigating inside the app; what the editor
// pages add (the bundled code editor, the flow builder's YAML), loaded only there. Prints JSON.
// Run by bench/run; alone: node bench/ui_load.mjs (needs build/millrace, chromium, npm ci).
import { readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, openBrowser, login } from '../tests/browser/harness.mjs';

const ROUNDS = 15;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;

function folderBytes(dir) {
  let bytes = 0;
  let files = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) {
      const sub = folderBytes(p);
      bytes += sub.bytes;
      files += sub.files;
    } else {
      bytes += st.size;
      files += 1;
    }
  }
  return { bytes, files };
}

const web = folderBytes(join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'ui', 'web'));
const server = await startServer();
const chrome = await openBrowser();
try {
  await server.createScript('u/admin/hello', 'def main(name: str = "world"):\n    return "hello " + name\n');
  // Times are taken inside the page (performance.now(), from the start of the navigation or the
  // click to the moment the Webhooks panel is in the document), not by the test driver.
  const watchForWebhooks = () => {
    const seen = () => document.querySelector('[aria-labelledby="webhooks-title"]');
    window.__webhooksShown = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (seen()) {
          observer.disconnect();
          resolve(performance.now());
        }
      });
      observer.observe(document, { childList: true, subtree: true });
    });
  };
  const cold = [];
  let transferred = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const page = await chrome.newPage(); // a new context: an empty cache
    // Everything but the API a first visit downloads: the login page, then the script page
    // (files already loaded are revalidated with their ETag: 304, no body).
    const bodies = [];
    page.on('response', (res) => {
      if (!res.url().includes('/api/')) bodies.push(res.body().then((b) => b.length, () => 0));
    });
    await login(page, server);
    await page.addInitScript(watchForWebhooks);
    await page.goto(server.url + '/scripts/get/u/admin/hello');
    cold.push(await page.evaluate(() => window.__webhooksShown));
    transferred = (await Promise.all(bodies)).reduce((a, b) => a + b, 0);
    await page.context().close();
  }
  const inApp = [];
  const page = await chrome.newPage();
  await login(page, server);
  for (let i = 0; i < ROUNDS; i++) {
    await page.goto(server.url + '/scripts');
    await page.getByRole('link', { name: 'u/admin/hello' }).waitFor();
    await page.waitForTimeout(300); // the other pages' modules are loaded once the first is up
    inApp.push(await page.evaluate(async () => {
      const link = [...document.querySelectorAll('a')].find((a) => a.textContent === 'u/admin/hello');
      const shown = new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          if (document.querySelector('[aria-labelledby="webhooks-title"]')) {
            observer.disconnect();
            resolve(performance.now());
          }
        });
        observer.observe(document, { childList: true, subtree: true });
      });
      const t0 = performance.now();
      link.click();
      return (await shown) - t0;
    }));
  }
  // A first visit in full (the other pages' modules are fetched once the first page is up),
  // then what opening the script editor and the flow builder adds to it.
  const visit = await chrome.newPage();
  const bytesOf = [];
  visit.on('response', (res) => {
    if (!res.url().includes('/api/')) bytesOf.push(res.body().then((b) => [res.url(), b.length], () => [res.url(), 0]));
  });
  await login(visit, server);
  await visit.goto(server.url + '/scripts/get/u/admin/hello');
  await visit.getByRole('region', { name: 'Webhooks' }).waitFor();
  await visit.waitForTimeout(1500);
  const sum = async (from) => (await Promise.all(bytesOf.slice(from))).reduce((a, [, n]) => a + n, 0);
  const firstVisit = await sum(0);
  const beforeEditor = bytesOf.length;
  await visit.getByRole('link', { name: 'Edit' }).click();
  await visit.getByLabel('Code').waitFor();
  await visit.waitForTimeout(500);
  const editorExtra = await sum(beforeEditor);
  const beforeFlow = bytesOf.length;
  await visit.goto(server.url + '/flows/add');
  await visit.getByRole('button', { name: 'Add an input' }).waitFor();
  await visit.waitForTimeout(500);
  const flowPage = (await Promise.all(bytesOf.slice(beforeFlow))).filter(([url]) => url.includes('/js/bundle/'));
  await visit.context().close();
  const bundles = folderBytes(join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'src', 'ui', 'bundle'));

  const served = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await fetch(server.url + '/scripts/get/u/admin/hello');
    served.push(performance.now() - t0);
  }
  console.log(JSON.stringify({
    ui_files: web.files,
    ui_bytes: web.bytes,
    ui_bytes_first_visit_login_then_script_page: transferred,
    ui_bytes_first_visit_with_every_page_module: firstVisit,
    bundled_editor_files: bundles.files,
    bundled_editor_bytes: bundles.bytes,
    ui_bytes_added_by_opening_the_script_editor: editorExtra,
    ui_bytes_added_by_the_flow_builder_after_the_editor: flowPage.reduce((a, [, n]) => a + n, 0),
    script_page_cold_ms_median_from_navigation_start: round(median(cold)),
    script_page_in_app_ms_median_from_click: round(median(inApp)),
    index_html_fetch_ms_median: round(median(served)),
  }, null, 2));
} finally {
  await chrome.close();
  await server.stop();
}
