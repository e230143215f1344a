// Audit logs: who did what in this workspace. The filters live in the URL (?operation=…&page=2),
// so a reload, a shared link and the back button all show the same list.
import { api, ws, query } from '../api.js';
import { h, clear, errorBox, field, uid, pager, progress, stackOnPhones } from '../dom.js';
import { dateTime, timeAgo, shortId } from '../format.js';

const PER_PAGE = 25;
// What the server writes (see src/api/*_routes.cc); the operation filter matches the start of
// an operation, so "jobs.run" finds every kind of run.
// What a workspace's log holds. Logins, users and tokens not bound to a workspace are
// recorded in the instance's own log ("global"), not here.
const OPERATIONS = ['jobs.run', 'jobs.run.script', 'jobs.run.flow', 'jobs.run.dependencies',
  'jobs.run.flow_dependencies', 'jobs.cancel', 'scripts', 'scripts.create', 'scripts.update',
  'scripts.archive', 'variables', 'variables.decrypt_secret', 'variables.create', 'variables.update',
  'variables.delete', 'resources', 'resource_types', 'users.token.create', 'users.token.delete',
  'users.add_to_workspace', 'users.login', 'users.logout', 'users.create'];
const FILTERS = ['operation', 'resource', 'username', 'from', 'to', 'scope'];

export default async function auditLogsPage(ctx) {
  ctx.title('Audit logs');
  const current = Object.fromEntries(FILTERS.map((k) => [k, (ctx.query.get(k) || '').trim()]));
  const page = Math.max(1, Number.parseInt(ctx.query.get('page') || '1', 10) || 1);
  // Superadmins may read every workspace's entries and the instance's own ("global": logins,
  // logouts, users, tokens not bound to a workspace).
  const superAdmin = Boolean(ctx.session.user.super_admin);
  const instance = superAdmin && current.scope === 'instance';
  const filtered = FILTERS.some((k) => k !== 'scope' && current[k]);
  const results = h('div', {}, progress('Loading audit entries'));

  const show = (filters, newPage) =>
    ctx.navigate('/audit_logs' + query({ ...filters, page: newPage > 1 ? newPage : undefined }));

  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Audit logs'),
        h('div', { class: 'sub' }, instance ? 'Who did what in every workspace and in the instance (logins, logouts, users, tokens)'
          : ['Who did what in workspace ', h('code', {}, ctx.workspace)],
        ', newest first. A webhook call shows its token label as the user.'))),
    filterForm(current, filtered, superAdmin, (filters) => show(filters, 1)),
    results);

  const range = dateRange(current.from, current.to);
  if (range instanceof Error) {
    clear(results, errorBox(range));
    return;
  }
  const params = { operation: current.operation, resource: current.resource, username: current.username, ...range,
    all_workspaces: instance ? true : undefined };
  try {
    const [entries, next] = await Promise.all([
      api.get(ws('/audit/list' + query({ ...params, page, per_page: PER_PAGE }))),
      // The first entry of the next page, if any (per_page=1 makes page N the Nth entry), so
      // Next is offered only when there is something behind it.
      api.get(ws('/audit/list' + query({ ...params, page: page * PER_PAGE + 1, per_page: 1 }))),
    ]);
    if (!ctx.isCurrent()) return;
    clear(results,
      entries.length ? auditTable(entries, instance) : h('p', { class: 'empty' }, emptyText(filtered, page)),
      page > 1 || next.length ? pager(page, next.length > 0, (p) => show(current, p)) : null);
  } catch (e) {
    if (ctx.isCurrent()) clear(results, errorBox(e));
  }
}

function emptyText(filtered, page) {
  if (page > 1) return 'No more audit entries — go back to the previous page.';
  if (filtered) return 'No audit entries match these filters.';
  return 'No audit entries yet — they appear when someone runs a script or saves one.';
}

function filterForm(current, filtered, superAdmin, onApply) {
  const listId = uid('operations');
  const inputs = {
    operation: h('input', { id: uid('f-operation'), name: 'operation', list: listId, autocomplete: 'off',
      placeholder: 'jobs.run', value: current.operation }),
    resource: h('input', { id: uid('f-resource'), name: 'resource', autocomplete: 'off',
      placeholder: 'u/admin/', value: current.resource }),
    username: h('input', { id: uid('f-username'), name: 'username', autocomplete: 'off',
      placeholder: 'webhook-hello', value: current.username }),
    from: h('input', { id: uid('f-from'), type: 'date', name: 'from', value: current.from }),
    to: h('input', { id: uid('f-to'), type: 'date', name: 'to', value: current.to }),
    scope: h('select', { id: uid('f-scope'), name: 'scope' },
      h('option', { value: '' }, 'This workspace'),
      h('option', { value: 'instance', selected: current.scope === 'instance' }, 'Every workspace and the instance')),
  };
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter audit entries' },
    field('Operation', inputs.operation, 'starts with'),
    h('datalist', { id: listId }, OPERATIONS.map((op) => h('option', { value: op }))),
    field('Resource', inputs.resource, 'starts with'),
    field('User', inputs.username, 'exact; tokens show as webhook-… or label-<label>'),
    field('From', inputs.from),
    field('To', inputs.to),
    superAdmin ? field('Entries of', inputs.scope) : null,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Apply filters'),
      filtered ? h('button', { type: 'button', onclick: () => onApply({}) }, 'Clear filters') : null));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    onApply(Object.fromEntries(FILTERS.map((k) => [k, inputs[k].value.trim()])));
  });
  return form;
}

// The API's after/before (exclusive, RFC 3339) for whole local days from..to (inclusive).
function dateRange(from, to) {
  const day = (text, name) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!m) throw new Error(`${name}: expected a date like 2024-05-31, got “${text}”.`);
    return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  };
  try {
    const out = {};
    if (from) out.after = new Date(day(from, 'From').getTime() - 1).toISOString();
    if (to) {
      const end = day(to, 'To');
      end.setDate(end.getDate() + 1);
      out.before = end.toISOString();
    }
    if (from && to && from > to) throw new Error('“From” is after “To”: pick a range that starts before it ends.');
    return out;
  } catch (e) {
    return e;
  }
}

function auditTable(entries, withWorkspace) {
  return stackOnPhones(h('div', { class: 'table-wrap' },
    h('table', {},
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Time'),
        withWorkspace ? h('th', { scope: 'col' }, 'Where') : null,
        h('th', { scope: 'col' }, 'User'),
        h('th', { scope: 'col' }, 'Operation'),
        h('th', { scope: 'col' }, 'Resource'),
        h('th', { scope: 'col', class: 'hide-phone' }, 'Details'))),
      h('tbody', {}, entries.map((a) => auditRow(a, withWorkspace))))));
}

function auditRow(a, withWorkspace) {
  const params = a.parameters && typeof a.parameters === 'object' ? a.parameters : null;
  const runId = a.operation.startsWith('jobs.run') && params && typeof params.uuid === 'string' ? params.uuid : null;
  return h('tr', {},
    h('td', { class: 'audit-time' }, h('time', { datetime: a.timestamp, title: timeAgo(a.timestamp) },
      // Date and time on two lines on phones (see app.css), to leave room for the rest.
      dateTime(a.timestamp).split(' ').map((part) => h('span', {}, part, ' ')))),
    withWorkspace ? h('td', {}, a.workspace_id === 'global' ? 'instance' : h('code', {}, a.workspace_id)) : null,
    h('td', {}, a.username,
      a.email && a.email !== a.username ? h('div', { class: 'small muted hide-phone' }, a.email) : null),
    h('td', { class: 'nowrap' }, h('code', {}, a.operation),
      a.action_kind ? h('div', { class: 'small muted hide-phone' }, a.action_kind) : null),
    h('td', {}, a.resource ? h('code', {}, a.resource) : h('span', { class: 'muted' }, '—'),
      // The run is what people look for; it stays visible on phones (details are hidden there).
      runId ? h('div', {}, h('a', { href: `/run/${encodeURIComponent(runId)}`, title: `Run ${runId}` }, 'View run')) : null),
    h('td', { class: 'hide-phone' }, details(params, a.parameters, runId)));
}

// Parameters as compact key=value pairs; long values are cut, with the full text on hover.
function details(params, raw, runId) {
  if (!params) return raw === null || raw === undefined ? '' : h('code', { class: 'small' }, JSON.stringify(raw));
  const pairs = Object.entries(params);
  if (!pairs.length) return '';
  return h('ul', { class: 'plain audit-details' }, pairs.map(([k, v]) => {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    const short = k === 'uuid' && v === runId ? shortId(text) : text.length > 48 ? text.slice(0, 47) + '…' : text;
    return h('li', { title: text !== short ? text : null },
      h('span', { class: 'muted' }, `${k}=`), h('code', {}, short));
  }));
}
