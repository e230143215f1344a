// A script's or a flow's run form and its recent runs (both pages show them the same way).
import { api, ws, query } from './api.js';
import { h, clear, errorBox, progress } from './dom.js';
import { timeAgo, dateTime, duration, jobStatus, shortId, triggeredBy } from './format.js';
import { runForm } from './run_form.js';
import { renderJobResult, logsView } from './job_view.js';
import { followJob } from './job_follow.js';
import { followFlowRun } from './flow_run_view.js';

// The run form: runs the version shown (by path when it is the latest) and follows the job:
// a script's logs as they are printed, a flow's steps as they go; then its result, and the
// recent runs are read again. what: { kind: 'script' | 'flow', path, version (hash or flow
// version id), isLatest, schema }.
export function runSection(ctx, what, onFinished) {
  const form = runForm(what.schema);
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
      const flow = what.kind === 'flow';
      const target = what.isLatest ? `/jobs/run/${flow ? 'f' : 'p'}/${what.path}` : `/jobs/run/${flow ? 'fv' : 'h'}/${what.version}`;
      // The form fills main's arguments: a preprocessor is for triggers, not for this.
      const id = await api.post(ws(target + '?skip_preprocessor=true'), args, { raw: true });
      let job;
      if (flow) {
        const box = h('div');
        clear(out, box);
        job = await followFlowRun(ctx, id, box);
        if (!job) return;
        out.append(h('p', {}, h('a', { href: `/run/${id}` }, 'Open the run')));
        onFinished();
        return;
      }
      const logs = logsView('');
      clear(out, h('p', {}, wait, ' ', h('a', { href: `/run/${id}` }, `job ${shortId(id)}`)),
        h('section', { 'aria-label': 'Logs so far' }, h('h3', {}, 'Logs'), logs));
      job = await followJob(ctx, id, { onLogs: (text) => logs.appendLogs(text) });
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

// The last runs of a script or flow (steps of flows left out), with their durations drawn.
export async function loadRuns(ctx, path, box) {
  try {
    const jobs = await api.get(ws('/jobs/list' + query({ script_path_exact: path, has_null_parent: true, per_page: 20 })));
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
          h('td', {}, triggeredBy(j.created_by)),
          h('td', { class: 'hide-phone mono' }, h('a', { href: `/run/${j.id}` }, shortId(j.id))));
      })))));
  } catch (e) {
    clear(box, errorBox(e));
  }
}
