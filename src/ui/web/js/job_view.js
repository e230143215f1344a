// A job's outcome as people read it: the result (or the error, in words) and the logs. Shared by
// the run page and the script page, which shows the result of a run inline.
import { h, copyButton } from './dom.js';
import { jobStatus, prettyJson } from './format.js';

// The script page of a path (and of one version of it, with its hash).
export function scriptHref(path, hash) {
  const href = `/scripts/get/${path.split('/').map(encodeURIComponent).join('/')}`;
  return hash ? `${href}?hash=${encodeURIComponent(hash)}` : href;
}

// The page of a flow.
export function flowHref(path) {
  return `/flows/get/${path.split('/').map(encodeURIComponent).join('/')}`;
}

// Windmill's failed jobs (and canceled ones) have {"error": {name, message, stack?}} as result.
export function jobError(job) {
  const status = jobStatus(job);
  const r = job.result;
  if (status !== 'failure' && status !== 'canceled') return null;
  if (r && typeof r === 'object' && !Array.isArray(r) && r.error !== undefined) {
    const e = r.error;
    if (e && typeof e === 'object') return { name: e.name || 'Error', message: e.message ?? '', stack: e.stack || '' };
    return { name: 'Error', message: typeof e === 'string' ? e : prettyJson(e), stack: '' };
  }
  return { name: status === 'canceled' ? 'Canceled' : 'Error', message: 'The job did not succeed.', stack: '' };
}

// Pretty JSON in a code block with a copy button (what = "result", "arguments"… for the label).
export function jsonBlock(value, what) {
  const text = prettyJson(value);
  return h('div', { class: 'codeblock' },
    copyButton(text, 'Copy', what),
    h('pre', { tabindex: '0', 'aria-label': what }, text));
}

// The logs of a job, in a <pre> that keeps the newest line in view while it grows (unless the
// reader scrolled up to read something). Appending with .appendLogs(text).
// `done`: the job has finished, so no logs means none, not none yet.
export function logsView(text, { done = false } = {}) {
  const pre = h('pre', { class: 'logs', tabindex: '0', 'aria-label': 'Logs' }, text || '');
  const empty = h('p', { class: 'muted small' }, done ? 'This run printed nothing.' : 'No logs yet.');
  empty.hidden = Boolean(text);
  const el = h('div', { class: 'job-logs' }, empty, pre);
  pre.hidden = !text;
  el.appendLogs = (more) => {
    if (!more) return;
    const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
    pre.append(more);
    pre.hidden = false;
    empty.hidden = true;
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  };
  return el;
}

// The result (or error) and the logs of a job from jobs_u/get (or a completed one from
// jobs/list with its logs). `heading` is the level of the two headings, so the block fits
// the page it sits in; `sectionClass` e.g. 'card'. The returned element has .appendLogs(text)
// for a page that streams the logs of a running job into it. A flow prints nothing itself:
// `logs: false` leaves its logs out (its steps' are shown with them, flow_run_view.js).
export function renderJobResult(job, { heading = 'h3', sectionClass = '', logs: withLogs = true } = {}) {
  const status = jobStatus(job);
  const error = jobError(job);
  let outcome;
  if (status === 'queued' || status === 'running') {
    outcome = h('section', { class: sectionClass, 'aria-label': 'Result' },
      h(heading, {}, 'Result'),
      h('p', { class: 'muted' }, status === 'queued' ? 'Not yet: the run waits for a worker.' : 'Not yet: the run is running.'));
  } else if (error) {
    outcome = h('section', { class: sectionClass, 'aria-label': status === 'canceled' ? 'Canceled' : 'Error' },
      h(heading, {}, status === 'canceled' ? 'Canceled' : 'Error'),
      h('div', { class: 'job-error' },
        // A cancel's message says it all ("Job canceled: <reason> by <user>"); an error is "Name: message".
        status === 'canceled' && error.message
          ? h('p', {}, h('strong', {}, error.message))
          : h('p', {}, h('strong', {}, error.name), error.message ? `: ${error.message}` : ''),
        error.stack ? h('pre', { class: 'mono small', tabindex: '0', 'aria-label': 'Stack trace' }, error.stack) : null),
      h('details', {}, h('summary', {}, 'Raw result'), jsonBlock(job.result, 'result')));
  } else {
    outcome = h('section', { class: sectionClass, 'aria-label': 'Result' },
      h(heading, {}, 'Result'), jsonBlock(job.result, 'result'));
  }
  const logs = logsView(job.logs, { done: jobStatus(job) !== 'running' && jobStatus(job) !== 'queued' });
  const el = h('div', { class: 'job-result' }, outcome,
    withLogs ? h('section', { class: sectionClass, 'aria-label': 'Logs' }, h(heading, {}, 'Logs'), logs) : null);
  el.appendLogs = logs.appendLogs;
  return el;
}
