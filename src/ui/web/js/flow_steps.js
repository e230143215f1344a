// The steps of a flow run, from its flow_status: each step's state, its run (a link), a loop's
// iterations and a branch's choice. A loop iteration or a branch is a run of its own, whose
// page shows its inner steps the same way.
import { h } from './dom.js';
import { shortId } from './format.js';

const STATES = {
  WaitingForPriorSteps: ['queued', 'waiting'],
  InProgress: ['running', 'running'],
  Success: ['success', 'success'],
  Failure: ['failure', 'failed'],
  WaitingForEvents: ['queued', 'waiting for approval'],
};
// Iteration links shown before "and N more".
const MAX_ITERATION_LINKS = 24;

function runLink(id, text) {
  return h('a', { href: `/run/${encodeURIComponent(id)}`, class: 'mono' }, text || `run ${shortId(id)}`);
}

function what(module) {
  const v = (module && module.value) || {};
  switch (v.type) {
    case 'rawscript': return `inline ${v.language || 'script'}`;
    case 'script': return `script ${v.path || v.hash || ''}`;
    case 'flow': return `flow ${v.path || ''}`;
    case 'forloopflow': return v.parallel ? 'for-loop, in parallel' : 'for-loop';
    case 'whileloopflow': return 'while-loop';
    case 'branchone': return 'branch (one)';
    case 'branchall': return v.parallel ? 'branches (all, in parallel)' : 'branches (all)';
    default: return v.type || 'step';
  }
}

function details(state) {
  const parts = [];
  if (state.skipped) parts.push(h('span', { class: 'badge' }, 'skipped'));
  if (state.type === 'WaitingForEvents') {
    parts.push(h('span', {}, `${state.count} more approval${state.count === 1 ? '' : 's'} needed`));
  }
  if (Array.isArray(state.approvers) && state.approvers.length) {
    parts.push(h('span', {}, 'approved by ', state.approvers.map((a) => a.approver).join(', ')));
  }
  // A step waiting for an approval names the job of the step before it: not its own run.
  if (state.job && !state.flow_jobs && state.type !== 'WaitingForEvents') parts.push(runLink(state.job));
  if (state.branch_chosen) {
    parts.push(h('span', {}, state.branch_chosen.type === 'default' ? 'default branch' : `branch ${state.branch_chosen.branch + 1}`));
  }
  if (state.retry && state.retry.fail_count) {
    parts.push(h('span', { class: 'muted' }, `${state.retry.fail_count} failed attempt${state.retry.fail_count > 1 ? 's' : ''} before: `,
      state.retry.failed_jobs.map((id, i) => [i ? ', ' : '', runLink(id, shortId(id))])));
  }
  if (Array.isArray(state.flow_jobs)) {
    const done = (state.flow_jobs_success || []).filter((s) => s !== null).length;
    const total = state.iterator && Array.isArray(state.iterator.itered) ? state.iterator.itered.length
      : state.branchall ? state.branchall.len : null;
    const noun = state.branchall ? 'branches' : 'iterations';
    const shown = state.flow_jobs.slice(0, MAX_ITERATION_LINKS);
    parts.push(h('span', {}, `${done}${total !== null ? ` of ${total}` : ''} ${noun} done: `,
      shown.map((id, i) => [i ? ', ' : '', runLink(id, `#${i + 1}`)]),
      state.flow_jobs.length > shown.length ? ` and ${state.flow_jobs.length - shown.length} more` : ''));
  }
  return parts;
}

function stepItem(module, state, label) {
  const [cls, word] = STATES[state.type] || ['queued', state.type || 'waiting'];
  return h('li', { class: 'flow-step' },
    h('span', { class: `status ${cls}` }, word),
    h('span', {}, h('code', {}, label || state.id), ' ', h('span', { class: 'muted' }, `· ${what(module)}`),
      module && module.summary ? ` — ${module.summary}` : ''),
    h('span', { class: 'flow-step-details' }, details(state)));
}

// `job`: a jobs_u/get object of a flow (or of a loop iteration or branch) run.
export function flowStepsView(job) {
  const status = job.flow_status;
  const modules = (job.raw_flow && job.raw_flow.modules) || [];
  if (!status || !Array.isArray(status.modules) || !status.modules.length) {
    return h('p', { class: 'muted' }, 'This flow has no steps.');
  }
  const byId = new Map(modules.map((m) => [m.id, m]));
  const items = status.modules.map((s) => stepItem(byId.get(s.id), s));
  const failure = status.failure_module;
  if (failure && failure.type !== 'WaitingForPriorSteps' && job.raw_flow && job.raw_flow.failure_module) {
    items.push(stepItem(job.raw_flow.failure_module, failure, 'failure handler'));
  }
  return h('ol', { class: 'flow-steps', 'aria-label': 'Steps of this run' }, items);
}
