// Flow details: the same Webhooks panel, run form and recent runs as scripts, and the steps
// drawn top to bottom.
import { api, ws } from '../api.js';
import { h, clear, errorBox, copyButton, stackOnPhones, confirmDialog } from '../dom.js';
import { timeAgo, dateTime } from '../format.js';
import { webhooksPanel } from '../webhooks_panel.js';
import { routesPanel } from '../routes_panel.js';
import { webhookUrls } from '../examples.js';
import { runSection, loadRuns } from '../run_panel.js';

function stepLabel(module) {
  const v = module.value || {};
  const what = v.type === 'script' ? `script ${v.path || v.hash || ''}` : v.type === 'rawscript' ? `inline ${v.language || ''}` : v.type || 'step';
  return `${module.id} · ${what}${module.summary ? ` — ${module.summary}` : ''}`;
}

// Steps as a vertical graph; loops and branches show their inner steps indented.
function stepsGraph(modules) {
  const graph = h('div', { class: 'graph', role: 'list', 'aria-label': 'Steps' });
  modules.forEach((m, i) => {
    if (i > 0) graph.append(h('div', { class: 'edge', 'aria-hidden': 'true' }));
    const inner = (m.value && (m.value.modules || (m.value.branches || []).flatMap((b) => b.modules || []))) || [];
    graph.append(h('div', { class: 'node', role: 'listitem' }, stepLabel(m),
      inner.length ? stepsGraph(inner) : null));
  });
  return graph;
}

export default async function flowDetailsPage(ctx) {
  const path = ctx.params[0];
  ctx.title(path);
  let flow;
  try {
    flow = await api.get(ws(`/flows/get/${path}`));
  } catch (e) {
    if (!ctx.isCurrent()) return;
    return clear(ctx.main, h('h1', { class: 'mono' }, path),
      e.status === 404 ? h('p', { class: 'empty card' }, 'No such flow here. ',
        h('a', { href: '/flows' }, 'Back to flows')) : errorBox(e));
  }
  if (!ctx.isCurrent()) return;
  const modules = (flow.value && flow.value.modules) || [];
  const versionsBox = h('div', {}, h('p', { class: 'muted' }, 'Loading versions…'));
  const runsBox = h('div', {}, h('p', { class: 'muted' }, 'Loading runs…'));
  const archived = flow.archived;
  const archiveError = h('div');
  // Archived means stopped: no webhook answers until it is brought back.
  const setArchived = async (value) => {
    clear(archiveError);
    if (value && !(await confirmDialog(`Archive ${path}? Its webhooks stop answering.`, 'Archive'))) return;
    try {
      await api.post(ws(`/flows/archive/${path}`), { archived: value }, { raw: true });
      ctx.navigate(value ? '/flows' : `/flows/get/${path}`);
    } catch (e) {
      archiveError.append(errorBox(e));
    }
  };
  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', { class: 'mono' }, flow.path,
        archived ? [' ', h('span', { class: 'badge' }, 'archived')] : null),
      h('div', { class: 'sub' }, flow.summary ? `${flow.summary} · ` : '', `${modules.length} steps · edited ${timeAgo(flow.edited_at)}`)),
      h('div', { class: 'actions' },
        archived ? null : h('a', { class: 'button primary', href: '#run' }, 'Run'),
        h('a', { class: 'button', href: `/flows/edit/${path}` }, 'Edit'),
        h('button', { type: 'button', class: archived ? '' : 'danger', onclick: () => setArchived(!archived) }, archived ? 'Unarchive' : 'Archive'))),
    archiveError,
    archived ? h('p', { class: 'caution' }, 'This flow is archived: its webhooks answer 404 until it is unarchived.') : null,
    flow.description ? h('p', {}, flow.description) : null,
    archived ? null : webhooksPanel({ kind: 'flow', path, version: flow.version_id ?? null, schema: flow.schema, workspace: ctx.workspace }),
    archived ? null : routesPanel(ctx, { kind: 'flow', path }),
    archived ? null : runSection(ctx, { kind: 'flow', path, version: flow.version_id, isLatest: true, schema: flow.schema },
      () => loadRuns(ctx, path, runsBox)),
    h('section', { class: 'card', 'aria-labelledby': 'runs-title' },
      h('h2', { id: 'runs-title' }, 'Recent runs'), runsBox,
      h('a', { href: `/runs?path=${encodeURIComponent(path)}` }, 'All runs of this flow →')),
    h('section', { class: 'card', 'aria-labelledby': 'steps-title' }, h('h2', { id: 'steps-title' }, 'Steps'),
      modules.length ? stepsGraph(modules) : h('p', { class: 'empty' }, 'This flow has no steps.')),
    h('section', { class: 'card', 'aria-labelledby': 'flow-versions-title' },
      h('h2', { id: 'flow-versions-title' }, 'Versions'), versionsBox));
  loadRuns(ctx, path, runsBox);
  loadVersions(ctx, path, flow.version_id, versionsBox);
}

// Every save is a version; its by-version webhook runs exactly that definition.
async function loadVersions(ctx, path, current, box) {
  try {
    const versions = await api.get(ws(`/flows/history/p/${path}`));
    if (!ctx.isCurrent()) return;
    clear(box, stackOnPhones(h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, 'Version'), h('th', {}, 'Saved'), h('th', {}, 'By'),
        h('th', {}, 'Message'), h('th', {}, 'By-version webhook'))),
      h('tbody', {}, versions.map((v) => {
        const url = webhookUrls(location.origin, ctx.workspace, 'flow', path, v.id).asyncByVersion;
        return h('tr', { 'aria-current': v.id === current ? 'true' : null },
          h('td', { class: 'mono' }, String(v.id), v.id === current ? [' ', h('span', { class: 'badge' }, 'latest')] : null),
          h('td', { title: dateTime(v.created_at) }, timeAgo(v.created_at)),
          h('td', {}, v.created_by),
          h('td', {}, v.deployment_msg || h('span', { class: 'muted' }, '—')),
          h('td', {}, copyButton(url, 'Copy URL', `by-version webhook of version ${v.id}`)));
      }))))));
  } catch (e) {
    clear(box, errorBox(e));
  }
}
