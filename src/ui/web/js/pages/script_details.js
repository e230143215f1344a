// Script details, the heart of the app: what the script is, its webhooks, a run form, its
// recent runs, its code and its versions. ?hash=<h> shows an older version (and its pinned URL).
import { api, ws, query } from '../api.js';
import { h, clear, errorBox, copyButton, progress, confirmDialog, stackOnPhones } from '../dom.js';
import { timeAgo, dateTime, duration, jobStatus, shortId } from '../format.js';
import { webhooksPanel } from '../webhooks_panel.js';
import { webhookUrls } from '../examples.js';
import { runForm } from '../run_form.js';
import { codeView } from '../code_view.js';
import { renderJobResult } from '../job_view.js';

export default async function scriptDetailsPage(ctx) {
  const path = ctx.params[0];
  const wantedHash = ctx.query.get('hash');
  ctx.title(path);
  clear(ctx.main, h('p', { class: 'muted' }, 'Loading ', path, '…'));
  const [latest, shown] = await Promise.all([
    api.get(ws(`/scripts/get/p/${path}`)),
    wantedHash ? api.get(ws(`/scripts/get/h/${encodeURIComponent(wantedHash)}`)) : null,
  ]);
  if (!ctx.isCurrent()) return;
  const script = shown || latest;
  const isLatest = script.hash === latest.hash;

  const runsBox = h('div', {}, h('p', { class: 'muted' }, 'Loading runs…'));
  const versionsBox = h('div', {}, h('p', { class: 'muted' }, 'Loading versions…'));
  const archiveError = h('div');
  const archive = h('button', { type: 'button', class: 'danger', onclick: async () => {
    clear(archiveError);
    if (!(await confirmDialog(`Archive ${path}? Its webhooks stop answering.`, 'Archive'))) return;
    try {
      await api.post(ws(`/scripts/archive/p/${path}`), {}, { raw: true });
      ctx.navigate('/scripts');
    } catch (e) {
      archiveError.append(errorBox(e));
    }
  } }, 'Archive');

  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', { class: 'mono' }, script.path),
        h('div', { class: 'sub' },
          script.summary ? `${script.summary} · ` : '', script.language, ' · version ', h('code', {}, script.hash),
          ` · edited ${timeAgo(script.created_at)} by ${script.created_by}`)),
      h('div', { class: 'actions' },
        h('a', { class: 'button primary', href: '#run' }, 'Run'),
        h('a', { class: 'button', href: `/scripts/edit/${path}` }, 'Edit'),
        archive)),
    archiveError,
    isLatest ? null : h('p', { class: 'caution' }, 'You are looking at an older version. Its by-version webhook runs exactly this code. ',
      h('a', { href: `/scripts/get/${path}` }, 'Show the latest version')),
    script.description ? h('p', {}, script.description) : null,
    webhooksPanel({ kind: 'script', path, version: script.hash, schema: script.schema, workspace: ctx.workspace }),
    runSection(ctx, script, isLatest, () => loadRuns(ctx, path, runsBox)),
    h('section', { class: 'card', 'aria-labelledby': 'runs-title' },
      h('h2', { id: 'runs-title' }, 'Recent runs'), runsBox,
      h('a', { href: `/runs?path=${encodeURIComponent(path)}` }, 'All runs of this script →')),
    h('section', { class: 'card', 'aria-labelledby': 'code-title' },
      h('h2', { id: 'code-title' }, 'Code'), codeView(script.content, script.language)),
    h('section', { class: 'card', 'aria-labelledby': 'versions-title' },
      h('h2', { id: 'versions-title' }, 'Versions'), versionsBox));

  loadRuns(ctx, path, runsBox);
  loadVersions(ctx, path, script.hash, versionsBox);
}

// The run form: runs the version shown (by path when it is the latest) and follows the job.
function runSection(ctx, script, isLatest, onFinished) {
  const form = runForm(script.schema);
  const out = h('div', { 'aria-live': 'polite' });
  const run = h('button', { type: 'submit', class: 'primary' }, 'Run');
  // novalidate: the form's own messages name the argument and the type it needs.
  const el = h('form', { 'aria-label': 'Run', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    clear(out);
    let args;
    try {
      args = form.values();
    } catch (err) {
      return out.append(errorBox(err));
    }
    run.disabled = true;
    const wait = progress('Running…');
    try {
      const target = isLatest ? `/jobs/run/p/${script.path}` : `/jobs/run/h/${script.hash}`;
      const id = await api.post(ws(target), args, { raw: true });
      clear(out, wait, ' ', h('a', { href: `/run/${id}` }, `job ${shortId(id)}`));
      const job = await waitForJob(ctx, id);
      if (!job) return;
      clear(out, h('p', {}, h('span', { class: `status ${jobStatus(job)}` }, jobStatus(job)),
        ` in ${duration(job.duration_ms)} · `, h('a', { href: `/run/${id}` }, 'Open the run')),
      renderJobResult(job));
      onFinished();
    } catch (err) {
      clear(out, errorBox(err));
    } finally {
      wait.stop();
      run.disabled = false;
    }
  } }, form.element, h('div', { class: 'actions' }, run), out);
  return h('section', { class: 'card', id: 'run', 'aria-labelledby': 'run-title' },
    h('h2', { id: 'run-title' }, 'Run'), el);
}

// Waits for the job with a light question (is it done?), then reads it whole, logs included;
// null if the user left the page.
async function waitForJob(ctx, id) {
  for (let wait = 50; ; wait = Math.min(1000, wait * 2)) {
    const state = await api.get(ws(`/jobs_u/completed/get_result_maybe/${id}`));
    if (!ctx.isCurrent()) return null;
    if (state.completed) return api.get(ws(`/jobs_u/get/${id}`));
    await new Promise((r) => setTimeout(r, wait));
  }
}

async function loadRuns(ctx, path, box) {
  try {
    const jobs = await api.get(ws('/jobs/list' + query({ script_path_exact: path, per_page: 20 })));
    if (!ctx.isCurrent()) return;
    if (!jobs.length) return clear(box, h('p', { class: 'empty' }, 'No runs yet — call a webhook above, or use Run.'));
    const done = jobs.filter((j) => j.duration_ms !== undefined).reverse();
    const max = Math.max(1, ...done.map((j) => j.duration_ms));
    const bars = h('div', { class: 'bars', role: 'img', 'aria-label': `Durations of the last ${done.length} runs, longest ${duration(max)}` },
      done.map((j) => h('span', { class: j.success ? '' : 'failure', title: `${duration(j.duration_ms)} · ${dateTime(j.created_at)}`,
        style: { height: `${Math.max(5, (100 * j.duration_ms) / max)}%` } })));
    clear(box, bars, h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, 'Status'), h('th', {}, 'Started'), h('th', {}, 'Duration'),
        h('th', {}, 'Triggered by'), h('th', { class: 'hide-phone' }, 'Run'))),
      h('tbody', {}, jobs.map((j) => {
        const st = jobStatus(j);
        return h('tr', {},
          h('td', {}, h('a', { href: `/run/${j.id}`, class: `status ${st}`, 'aria-label': `${st}, run ${j.id}` }, st)),
          h('td', { title: dateTime(j.started_at || j.created_at) }, timeAgo(j.started_at || j.created_at)),
          h('td', {}, duration(j.duration_ms)),
          h('td', {}, j.created_by),
          h('td', { class: 'hide-phone mono' }, h('a', { href: `/run/${j.id}` }, shortId(j.id))));
      })))));
  } catch (e) {
    clear(box, errorBox(e));
  }
}

async function loadVersions(ctx, path, shownHash, box) {
  try {
    const versions = await api.get(ws(`/scripts/history/p/${path}`));
    if (!ctx.isCurrent()) return;
    clear(box, stackOnPhones(h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, 'Version'), h('th', {}, 'Saved'), h('th', {}, 'By'), h('th', {}, 'By-version webhook'))),
      h('tbody', {}, versions.map((v, i) => {
        const url = webhookUrls(location.origin, ctx.workspace, 'script', path, v.script_hash).asyncByVersion;
        return h('tr', { 'aria-current': v.script_hash === shownHash ? 'true' : null },
          h('td', { class: 'mono' }, h('a', { href: `/scripts/get/${path}?hash=${v.script_hash}` }, v.script_hash),
            i === 0 ? [' ', h('span', { class: 'badge' }, 'latest')] : null),
          h('td', { title: dateTime(v.created_at) }, timeAgo(v.created_at)),
          h('td', {}, v.created_by),
          h('td', {}, copyButton(url, 'Copy URL', `by-version webhook of ${v.script_hash}`)));
      }))))));
  } catch (e) {
    clear(box, errorBox(e));
  }
}
