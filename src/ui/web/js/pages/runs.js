// Runs: every job of the workspace, newest first — the place to check that a webhook call ran.
// The filters and the page live in the URL, so reload, deep links and the back button keep them;
// while a listed run is queued or running the table refreshes itself every second.
import { api, ws, query } from '../api.js';
import { h, clear, errorBox, field, pager, spinner } from '../dom.js';
import { timeAgo, dateTime, duration, jobStatus, shortId, triggerName, triggeredBy, createdByQuery } from '../format.js';
import { scriptHref, flowHref } from '../job_view.js';

const PER_PAGE = 25;
const REFRESH_MS = 1000;

// Status choice → jobs/list filters. "failure" is Windmill's success=false, which also holds
// canceled runs (the list API has no filter of its own for them).
const STATUSES = [
  { value: '', label: 'All', filter: {} },
  { value: 'success', label: 'Success', filter: { success: true } },
  { value: 'failure', label: 'Failure or canceled', filter: { success: false } },
  { value: 'running', label: 'Running', filter: { running: true } },
  { value: 'queued', label: 'Queued', filter: { running: false } },
];

// Filters re-render the page through ctx.navigate; this puts the keyboard focus back where it was.
let refocusId = null;

// A path that may wrap after its slashes (u/admin/ | hello) rather than anywhere in a name.
function breakable(path) {
  return path.split('/').flatMap((part, i, all) => (i < all.length - 1 ? [part + '/', h('wbr')] : [part]));
}

function isActive(job) {
  const st = jobStatus(job);
  return st === 'queued' || st === 'running';
}

// Completed: its duration; running: time since it started (kept current by the refresh).
function durationText(job, now) {
  const st = jobStatus(job);
  if (st === 'queued') return '—';
  if (st === 'running') return job.started_at ? duration(Math.max(0, now - Date.parse(job.started_at))) : '';
  return duration(job.duration_ms);
}

export default async function runsPage(ctx) {
  ctx.title('Runs');
  const q = ctx.query;
  const filters = {
    path: q.get('path') || '',
    created_by: q.get('created_by') || '',
    status: STATUSES.some((s) => s.value === q.get('status')) ? q.get('status') : '',
  };
  const page = Math.max(1, parseInt(q.get('page') || '1', 10) || 1);
  const filtered = Boolean(filters.path || filters.created_by || filters.status);
  // The user's token labels: the filter names them as the Settings page does.
  const labels = filters.created_by
    ? await api.get('/users/tokens/list').then((ts) => ts.map((t) => t.label).filter(Boolean)).catch(() => [])
    : [];
  if (!ctx.isCurrent()) return;

  const go = (changes) => {
    const next = { ...filters, page: undefined, ...changes };
    if (next.page === 1) next.page = undefined;
    refocusId = document.activeElement && document.activeElement.id ? document.activeElement.id : null;
    ctx.navigate('/runs' + query(next));
  };

  const pathInput = h('input', { id: 'runs-path', type: 'text', value: filters.path, autocomplete: 'off',
    spellcheck: 'false', placeholder: 'u/admin/hello_world', class: 'mono' });
  const byInput = h('input', { id: 'runs-created-by', type: 'text', value: filters.created_by,
    autocomplete: 'off', spellcheck: 'false', placeholder: 'webhook-hello' });
  const statusSelect = h('select', { id: 'runs-status', onchange: () => form.requestSubmit() },
    STATUSES.map((s) => h('option', { value: s.value, selected: s.value === filters.status }, s.label)));
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter runs',
    onsubmit: (e) => {
      e.preventDefault();
      go({ path: pathInput.value.trim(), created_by: byInput.value.trim(), status: statusSelect.value });
    } },
  field('Script path', pathInput, 'or folder/'),
  field('Triggered by', byInput),
  field('Status', statusSelect),
  h('div', { class: 'actions' },
    h('button', { type: 'submit', id: 'runs-apply' }, 'Filter'),
    filtered ? h('button', { type: 'button', id: 'runs-clear',
      onclick: () => go({ path: '', created_by: '', status: '' }) }, 'Clear filters') : null));

  const liveNote = h('span', { class: 'muted small', role: 'status' });
  const refreshButton = h('button', { type: 'button', onclick: () => refresh() }, 'Refresh');
  // The table changes every second while runs are active: not something to read aloud each time
  // (the app's frame is a polite live region).
  const body = h('div', { 'aria-live': 'off' }, h('p', { class: 'muted' }, spinner('Loading runs'), ' Loading runs…'));
  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Runs'),
        h('div', { class: 'sub' }, 'Every run in workspace ', h('code', {}, ctx.workspace),
          ', newest first. Webhook calls show the label of their token under “Triggered by”.')),
      h('div', { class: 'actions' }, liveNote, refreshButton)),
    form, body);
  if (refocusId) {
    document.getElementById(refocusId)?.focus();
    refocusId = null;
  }

  const listQuery = {
    // A flow's steps are reached from its run page.
    page, per_page: PER_PAGE, has_null_parent: true,
    ...(filters.path.endsWith('/') ? { script_path_start: filters.path } : { script_path_exact: filters.path }),
    created_by: createdByQuery(filters.created_by, labels),
    ...STATUSES.find((s) => s.value === filters.status).filter,
  };

  let timer = null;
  let stopped = false;
  let shownKey = null; // what the table shows (ids and statuses): redrawn only when it changes
  let durationCells = []; // [job, td] of running jobs, updated in place
  ctx.onLeave(() => {
    stopped = true;
    clearTimeout(timer);
  });

  let loads = 0; // only the latest answer counts (Refresh may be pressed while a poll is out)
  async function refresh() {
    clearTimeout(timer);
    const load = ++loads;
    let jobs;
    try {
      jobs = await api.get(ws('/jobs/list' + query(listQuery)));
    } catch (e) {
      if (stopped || !ctx.isCurrent() || load !== loads) return;
      shownKey = null;
      clear(body, errorBox(e));
      liveNote.textContent = '';
      return;
    }
    if (stopped || !ctx.isCurrent() || load !== loads) return;
    show(jobs);
    const active = jobs.filter(isActive).length;
    liveNote.textContent = active ? `Live: ${active} active run${active > 1 ? 's' : ''}` : '';
    if (active) timer = setTimeout(refresh, REFRESH_MS);
  }

  function show(jobs) {
    const now = Date.now();
    const key = JSON.stringify(jobs.map((j) => [j.id, jobStatus(j)]));
    if (key === shownKey) {
      for (const [job, td] of durationCells) td.textContent = durationText(job, now);
      return;
    }
    shownKey = key;
    durationCells = [];
    if (!jobs.length) {
      if (page > 1) {
        clear(body, h('p', { class: 'empty' }, 'No more runs.'), pager(page, false, (p) => go({ page: p })));
      } else if (filtered) {
        clear(body, h('p', { class: 'empty' }, 'No runs match these filters —',
          h('button', { type: 'button', onclick: () => go({ path: '', created_by: '', status: '' }) }, 'Clear filters')));
      } else {
        clear(body, h('p', { class: 'empty' }, 'No runs yet — run a script from its page:',
          h('a', { href: '/scripts' }, 'Scripts'), ', or call its webhook.'));
      }
      return;
    }
    const rows = jobs.map((j) => {
      const st = jobStatus(j);
      const durationCell = h('td', { class: 'hide-phone nowrap' }, durationText(j, now));
      if (st === 'running') durationCells.push([j, durationCell]);
      return h('tr', {},
        h('td', {}, h('span', { class: `status ${st}` }, st)),
        h('td', { class: 'mono' }, j.script_path
          ? h('a', { href: j.job_kind === 'flow' ? flowHref(j.script_path) : scriptHref(j.script_path) }, breakable(j.script_path))
          : h('span', { class: 'muted' }, j.job_kind),
        // On a phone the columns of who and when are hidden: they are said here instead.
        h('div', { class: 'phone-only small muted' }, `${triggeredBy(j.created_by)} · ${timeAgo(j.created_at, now)}`)),
        h('td', { class: 'hide-phone' }, triggeredBy(j.created_by)),
        h('td', { class: 'hide-phone' }, j.trigger_kind ? triggerName(j.trigger_kind) : h('span', { class: 'muted' }, '—')),
        h('td', { class: 'nowrap hide-phone' }, h('time', { datetime: j.created_at, title: dateTime(j.created_at) }, timeAgo(j.created_at, now))),
        durationCell,
        // Named "Run <full id>" for assistive technology; the eye gets its distinctive end.
        h('td', { class: 'nowrap' }, h('a', { href: `/run/${j.id}`, class: 'mono', title: j.id, 'aria-label': `Run ${j.id}` }, shortId(j.id))));
    });
    clear(body,
      h('div', { class: 'table-wrap' },
        h('table', { class: 'runs' },
          h('caption', { class: 'sr-only' }, filtered ? 'Runs matching the filters' : 'Runs'),
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, 'Status'),
            h('th', { scope: 'col' }, 'Script'),
            h('th', { scope: 'col', class: 'hide-phone' }, 'Triggered by'),
            h('th', { scope: 'col', class: 'hide-phone' }, 'Trigger'),
            h('th', { scope: 'col', class: 'hide-phone' }, 'Created'),
            h('th', { scope: 'col', class: 'hide-phone' }, 'Duration'),
            h('th', { scope: 'col' }, 'Run'))),
          h('tbody', {}, rows))),
      pager(page, jobs.length === PER_PAGE, (p) => go({ page: p })));
  }

  await refresh();
}
