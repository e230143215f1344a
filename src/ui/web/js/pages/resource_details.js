// One resource: its type, description and value as stored (the "$var:" and "$res:" strings
// stay as written: they are resolved only when a job or get_value_interpolated reads it, so
// this page opens no secret), what it names, and Edit / Delete.
import { api, ws } from '../api.js';
import { h, clear } from '../dom.js';
import { timeAgo, dateTime } from '../format.js';
import { jsonBlock } from '../job_view.js';
import { usesPanel } from '../uses_panel.js';
import { deleteResource } from '../resource_delete.js';

export default async function resourceDetailsPage(ctx) {
  const path = ctx.params[0];
  ctx.title(path);
  clear(ctx.main, h('p', { class: 'muted' }, 'Loading ', path, '…'));
  const resource = await api.get(ws(`/resources/get/${path}`));
  if (!ctx.isCurrent()) return;

  const actions = h('div', { class: 'actions' },
    h('a', { class: 'button', href: `/resources/edit/${path}` }, 'Edit'),
    h('button', { type: 'button', class: 'danger', onclick: async () => {
      if (await deleteResource(path, actions)) ctx.navigate('/resources');
    } }, 'Delete'));

  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', { class: 'mono' }, resource.path),
        h('div', { class: 'sub' }, h('span', { class: 'badge' }, resource.resource_type),
          ' · ', h('span', { title: dateTime(resource.edited_at) }, `edited ${timeAgo(resource.edited_at)}`),
          ` · created by ${resource.created_by}`)),
      actions),
    resource.description ? h('p', {}, resource.description) : null,
    h('section', { class: 'card', 'aria-labelledby': 'value-title' },
      h('h2', { id: 'value-title' }, 'Value'),
      h('p', { class: 'muted small' }, 'As stored: a job reading it gets each ', h('code', {}, '$var:'), ' and ',
        h('code', {}, '$res:'), ' string replaced by what it names.'),
      jsonBlock(resource.value, 'value')),
    usesPanel(ctx, JSON.stringify(resource.value), 'the value'),
    h('p', {}, h('a', { href: `/resources?type=${encodeURIComponent(resource.resource_type)}` },
      `All ${resource.resource_type} resources →`)));
}
