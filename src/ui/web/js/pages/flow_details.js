// Flow details: the same Webhooks panel as scripts and the steps drawn top to bottom.
import { api, ws } from '../api.js';
import { h, clear, errorBox } from '../dom.js';
import { timeAgo } from '../format.js';
import { webhooksPanel } from '../webhooks_panel.js';

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
  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', { class: 'mono' }, flow.path),
        h('div', { class: 'sub' }, flow.summary ? `${flow.summary} · ` : '', `${modules.length} steps · edited ${timeAgo(flow.edited_at)}`))),
    flow.description ? h('p', {}, flow.description) : null,
    // Flows are stored and versioned; the engine that runs them is the next piece of work.
    h('p', { class: 'caution' }, 'This server stores flows but does not run them yet: until the flow engine lands, ',
      'their webhooks answer 404.'),
    webhooksPanel({ kind: 'flow', path, version: flow.version_id ?? null, schema: flow.schema, workspace: ctx.workspace }),
    h('section', { class: 'card', 'aria-labelledby': 'steps-title' }, h('h2', { id: 'steps-title' }, 'Steps'),
      modules.length ? stepsGraph(modules) : h('p', { class: 'empty' }, 'This flow has no steps.')));
}
