// Flows: the list of the workspace's flows.
import { api, ws } from '../api.js';
import { h, clear, errorBox } from '../dom.js';
import { timeAgo, dateTime } from '../format.js';

export default async function flowsPage(ctx) {
  ctx.title('Flows');
  const list = h('div', {}, h('p', { class: 'muted' }, 'Loading flows…'));
  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Flows'), h('div', { class: 'sub' }, 'Multi-step flows get the same webhooks as scripts.')),
      h('div', { class: 'actions' }, h('a', { class: 'button primary', href: '/flows/add' }, 'New flow'))),
    list);
  let flows;
  try {
    flows = await api.get(ws('/flows/list'));
  } catch (e) {
    return clear(list, errorBox(e));
  }
  if (!ctx.isCurrent()) return;
  if (!flows.length) return clear(list, h('div', { class: 'empty card' }, 'No flows yet — ', h('a', { href: '/flows/add' }, 'build one'), ', or push one with wmill flow push.'));
  clear(list, h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, h('th', {}, 'Path'), h('th', {}, 'Summary'), h('th', { class: 'hide-phone' }, 'Last edited'))),
    h('tbody', {}, flows.map((f) => h('tr', {},
      h('td', { class: 'mono' }, h('a', { href: `/flows/get/${f.path}` }, f.path)),
      h('td', {}, f.summary || h('span', { class: 'muted' }, '—')),
      h('td', { class: 'hide-phone', title: dateTime(f.edited_at) }, `${timeAgo(f.edited_at)} by ${f.edited_by || ''}`)))))));
}
