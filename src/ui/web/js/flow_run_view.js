// A flow run as it goes: its steps' states (flow_steps.js), then its result, and each step's
// own logs and result, opened on demand. The flow builder's test runs and the run page of a
// flow show it.
import { api, ws } from './api.js';
import { h, clear, errorBox, spinner } from './dom.js';
import { jobStatus, duration, shortId } from './format.js';
import { renderJobResult } from './job_view.js';
import { flowStepsView } from './flow_steps.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const FLOW_POLL_MS = 500;

// The steps that ran a job of their own (not a loop or branch group, whose runs have pages),
// each in a <details> that reads its job when opened.
export function stepOutputs(job) {
  const status = job.flow_status;
  const states = status && Array.isArray(status.modules) ? [...status.modules] : [];
  if (status && status.failure_module && status.failure_module.job) states.push({ ...status.failure_module, id: 'failure handler' });
  const ran = states.filter((s) => s.job && !Array.isArray(s.flow_jobs) && s.type !== 'WaitingForEvents' && s.type !== 'WaitingForPriorSteps');
  if (!ran.length) return null;
  return h('section', { class: 'step-outputs', 'aria-label': 'Step outputs' },
    h('h3', {}, 'Each step’s logs and result'),
    ran.map((s) => {
      const body = h('div', {}, h('p', { class: 'muted small' }, spinner('Loading'), ' Loading…'));
      const details = h('details', { class: 'step-output' },
        h('summary', {}, h('code', {}, s.id), ` · ${s.type === 'Failure' ? 'failed' : s.type === 'Success' ? 'succeeded' : 'running'} · run ${shortId(s.job)}`),
        body);
      let loaded = false;
      details.addEventListener('toggle', async () => {
        if (!details.open || loaded) return;
        loaded = true;
        try {
          const step = await api.get(ws(`/jobs_u/get/${encodeURIComponent(s.job)}`));
          clear(body, renderJobResult(step, { heading: 'h4' }), h('a', { href: `/run/${encodeURIComponent(s.job)}` }, 'Open this step’s run'));
        } catch (e) {
          loaded = false;
          clear(body, errorBox(e));
        }
      });
      // A failed step is what the reader came for: open at once.
      if (s.type === 'Failure') queueMicrotask(() => (details.open = true));
      return details;
    }));
}

// Follows the run `id` into `box` until it ends (or the page is left); resolves with the job.
export async function followFlowRun(ctx, id, box) {
  let shown = null;
  for (;;) {
    let job;
    try {
      job = await api.get(ws(`/jobs_u/get/${encodeURIComponent(id)}`));
    } catch (e) {
      if (!ctx.isCurrent() || e.status === 401) return null;
      clear(box, errorBox(e));
      return null;
    }
    if (!ctx.isCurrent()) return null;
    const st = jobStatus(job);
    const done = st !== 'queued' && st !== 'running';
    const key = JSON.stringify([st, job.flow_status]);
    if (key !== shown) {
      shown = key;
      clear(box,
        h('p', {}, done ? h('span', { class: `status ${st}` }, st) : spinner(st === 'queued' ? 'Queued' : 'Running'),
          done ? ` in ${duration(job.duration_ms)} · ` : ` ${st}… · `,
          h('a', { href: `/run/${encodeURIComponent(id)}`, target: '_blank' }, `run ${shortId(id)}`)),
        flowStepsView(job),
        done ? renderJobResult(job, { logs: false }) : null,
        stepOutputs(job));
    }
    if (done) return job;
    await sleep(FLOW_POLL_MS);
  }
}
