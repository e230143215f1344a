// One run: what ran, who triggered it, when, with which arguments, and what came out. While the
// run is queued or running the page follows it (getupdate, which holds a no-news answer for
// 250 ms): logs stream in, and the whole run is read again once it completes.
import { api, ws, query } from '../api.js';
import { h, clear, errorBox, copyButton, spinner } from '../dom.js';
import { timeAgo, dateTime, duration, jobStatus, shortId, triggerName, triggeredBy } from '../format.js';
import { renderJobResult, jsonBlock, scriptHref, flowHref } from '../job_view.js';
import { flowStepsView } from '../flow_steps.js';
import { stepOutputs } from '../flow_run_view.js';

const CANCEL_REASON = 'stopped from its run page';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// getupdate counts log offsets in characters (code points), as Windmill does.
const codePoints = (text) => [...(text || '')].length;

// Whole seconds while they tick by every second; longer times as format.duration says them.
function elapsedText(ms) {
  return ms < 60000 ? `${Math.floor(ms / 1000)} s` : duration(ms);
}

function when(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  return h('span', {}, h('time', { datetime: iso }, dateTime(iso)), h('span', { class: 'muted small' }, ` (${timeAgo(iso)})`));
}

function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(Boolean).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// The run's heading: its script or flow, linked; an inline step or a loop body is named by
// what it is (its page links to the run it is part of).
function titleOf(job) {
  if (!job.script_path) return job.job_kind;
  if (job.job_kind === 'flow') return h('a', { href: flowHref(job.script_path) }, job.script_path);
  if (job.job_kind === 'script') return h('a', { href: scriptHref(job.script_path) }, job.script_path);
  return job.script_path;
}

// While a flow runs, its steps change without new logs: it is read again this often.
const FLOW_REFRESH_MS = 1000;

export default async function runDetailsPage(ctx) {
  const id = ctx.params[0];
  ctx.title(`Run ${shortId(id)}`);
  clear(ctx.main, h('p', { class: 'muted' }, spinner('Loading the run'), ' Loading the run…'));

  let job;
  try {
    job = await api.get(ws(`/jobs_u/get/${encodeURIComponent(id)}`));
  } catch (e) {
    if (!ctx.isCurrent() || e.status === 401) return;
    const missing = e.status === 404 || e.status === 400;
    clear(ctx.main,
      h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, missing ? 'Run not found' : 'Run'),
        h('div', { class: 'sub mono' }, id))),
      errorBox(e),
      h('p', {}, h('a', { href: '/runs' }, 'See all runs')));
    return;
  }
  if (!ctx.isCurrent()) return;

  let stopped = false;
  let ticker = null; // updates the elapsed time every second
  let canceling = false; // a cancel was asked for: the button stays disabled until the end
  let logOffset = 0;
  let resultView = null; // renderJobResult's element: appendLogs() while following
  let lastRead = Date.now(); // when the run was last read whole
  const isFlowJob = () => ['flow', 'flownode', 'flowpreview'].includes(job.job_kind);
  const liveError = h('div', {});
  ctx.onLeave(() => {
    stopped = true;
    clearInterval(ticker);
  });

  function render() {
    const st = jobStatus(job);
    const active = st === 'queued' || st === 'running';
    // A re-render (queued → running → done) must not lose the keyboard focus.
    const focusedId = document.activeElement && ctx.main.contains(document.activeElement) ? document.activeElement.id : null;
    clearInterval(ticker);
    ctx.title(`${job.script_path || job.job_kind} · run ${shortId(job.id)}`);

    const cancelMessage = h('span', { class: 'cancel-message' });
    const cancelButton = active ? h('button', {
      type: 'button', id: 'run-cancel', class: 'danger',
      disabled: canceling || job.canceled,
      onclick: () => cancel(cancelButton, cancelMessage),
    }, canceling || job.canceled ? 'Canceling…' : 'Cancel') : null;

    const elapsed = h('span', {});
    const live = active ? h('p', { class: 'run-live muted' }, spinner(st === 'queued' ? 'Queued' : 'Running'), ' ', elapsed) : null;
    const tick = () => {
      const from = st === 'running' && job.started_at ? job.started_at : job.created_at;
      const ms = Math.max(0, Date.now() - Date.parse(from));
      elapsed.textContent = st === 'queued' ? `Waiting for a worker for ${elapsedText(ms)}` : `Running for ${elapsedText(ms)}`;
    };
    if (active) {
      tick();
      ticker = setInterval(tick, 1000);
    }

    const waited = job.started_at ? Date.parse(job.started_at) - Date.parse(job.created_at) : null;
    const scheduledLater = job.scheduled_for && Date.parse(job.scheduled_for) > Date.parse(job.created_at) + 1000;
    const timing = kv([
      ['Created', when(job.created_at)],
      scheduledLater && ['Scheduled for', when(job.scheduled_for)],
      ['Started', job.started_at
        ? h('span', {}, when(job.started_at), waited !== null ? h('span', { class: 'muted small' }, ` · waited ${duration(Math.max(0, waited))}`) : null)
        : h('span', { class: 'muted' }, st === 'canceled' ? 'never (canceled while queued)' : 'not yet')],
      ['Completed', active ? h('span', { class: 'muted' }, 'not yet') : when(job.completed_at)],
      ['Duration', active ? h('span', { class: 'muted' }, st === 'queued' ? 'not started' : 'still running') : duration(job.duration_ms)],
    ]);
    const isFlow = isFlowJob();
    const who = kv([
      job.parent_job && ['Part of', h('span', {}, job.flow_step_id ? [h('span', {}, 'step '), h('code', {}, job.flow_step_id), ' of '] : null,
        h('a', { href: `/run/${encodeURIComponent(job.parent_job)}` }, `run ${shortId(job.parent_job)}`))],
      ['Triggered by', triggeredBy(job.created_by)],
      ['Permissioned as', h('code', {}, job.permissioned_as)],
      ['Trigger', job.trigger_kind ? triggerName(job.trigger_kind) : h('span', { class: 'muted' }, '—')],
      job.script_hash && ['Script version', job.script_path
        ? h('a', { href: scriptHref(job.script_path, job.script_hash), class: 'mono' }, job.script_hash)
        : h('code', {}, job.script_hash)],
      job.language && ['Language', job.language],
      job.worker && ['Worker', h('code', {}, job.worker)],
      job.canceled_by && ['Canceled by', job.canceled_by],
      job.canceled_by && ['Reason', job.canceled_reason || h('span', { class: 'muted' }, 'none given')],
    ]);

    const hasArgs = job.args && typeof job.args === 'object' && Object.keys(job.args).length > 0;
    // A flow prints nothing itself: its steps' logs are shown with its steps.
    resultView = renderJobResult(job, { heading: 'h2', sectionClass: 'card', logs: !isFlowJob() });

    clear(ctx.main,
      h('section', { class: 'page-head', 'aria-label': 'Run summary' },
        h('div', {},
          h('h1', { class: 'mono' }, titleOf(job)),
          h('div', { class: 'sub run-sub' },
            h('span', { class: `status ${st}` }, st),
            h('span', { class: 'muted' }, ' · run '),
            h('code', {}, job.id), ' ',
            copyButton(job.id, 'Copy', 'run id'))),
        h('div', { class: 'actions' }, cancelButton, cancelMessage)),
      live, liveError,
      h('div', { class: 'grid-2' },
        h('section', { class: 'card', 'aria-labelledby': 'run-timing' }, h('h2', { id: 'run-timing' }, 'Timing'), timing),
        h('section', { class: 'card', 'aria-labelledby': 'run-who' }, h('h2', { id: 'run-who' }, 'Who and what'), who)),
      h('section', { class: 'card', 'aria-labelledby': 'run-args' }, h('h2', { id: 'run-args' }, 'Arguments'),
        hasArgs ? jsonBlock(job.args, 'arguments') : h('p', { class: 'muted' }, 'No arguments.')),
      isFlow ? h('section', { class: 'card', 'aria-labelledby': 'run-steps' }, h('h2', { id: 'run-steps' }, 'Steps'),
        flowStepsView(job), stepOutputs(job)) : null,
      resultView);
    if (focusedId) document.getElementById(focusedId)?.focus();
  }

  async function cancel(button, message) {
    button.disabled = true;
    button.textContent = 'Canceling…';
    clear(message);
    try {
      const answer = await api.post(ws(`/jobs/queue/cancel/${encodeURIComponent(job.id)}`), { reason: CANCEL_REASON });
      canceling = true;
      // The API answers with the job id, or says in words why there was nothing to cancel.
      const text = typeof answer === 'string' ? answer.trim() : '';
      if (text && text !== job.id && message.isConnected) clear(message, h('span', { class: 'muted small' }, text));
    } catch (e) {
      if (!message.isConnected) return;
      button.disabled = false;
      button.textContent = 'Cancel';
      clear(message, errorBox(e));
    }
  }

  // Reads the whole run again (a new state: started, or completed) and shows it. A flow read
  // again on a timer is shown again only when its state or a step's changed: the page does
  // not flicker, nor a screen reader repeat, once a second.
  async function reload({ onlyIfChanged = false } = {}) {
    lastRead = Date.now();
    const fresh = await api.get(ws(`/jobs_u/get/${encodeURIComponent(job.id)}`));
    if (stopped || !ctx.isCurrent()) return;
    if (onlyIfChanged && jobStatus(fresh) === jobStatus(job) &&
        JSON.stringify(fresh.flow_status) === JSON.stringify(job.flow_status)) return;
    job = fresh;
    logOffset = codePoints(job.logs);
    render();
  }

  async function follow() {
    while (!stopped && ctx.isCurrent()) {
      const st = jobStatus(job);
      if (st !== 'queued' && st !== 'running') return;
      try {
        const u = await api.get(ws(`/jobs_u/getupdate/${encodeURIComponent(job.id)}` +
          query({ running: st === 'running', log_offset: logOffset })));
        if (stopped || !ctx.isCurrent()) return;
        clear(liveError);
        if (u.new_logs) resultView.appendLogs(u.new_logs);
        if (typeof u.log_offset === 'number') logOffset = u.log_offset;
        if (u.completed || (u.running && st === 'queued')) {
          await reload();
          continue;
        }
        // No news (the server already held its answer 250 ms): a short breath before asking again.
        if (!u.new_logs) await sleep(250);
        if (isFlowJob() && Date.now() - lastRead >= FLOW_REFRESH_MS) await reload({ onlyIfChanged: true });
      } catch (e) {
        if (stopped || !ctx.isCurrent() || e.status === 401) return;
        clear(liveError, errorBox(`Live updates paused: ${e.message} — trying again.`));
        await sleep(2000);
      }
    }
  }

  logOffset = codePoints(job.logs);
  render();
  follow();
}
