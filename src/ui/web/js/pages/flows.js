// Flows: the list of the workspace's flows. The flow engine lands with its own API
// (flows/list); until then the page says so instead of failing.
import { api, ws } from '../api.js';
import { h, clear, errorBox } from '../dom.js';
import { timeAgo, dateTime } from '../format.js';

export default async function flowsPage(ctx) {
  ctx.title('Flows');
  const list = h('div', {}, h('p', { class: 'muted' }, 'Loading flows…'));
  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Flows'), h('div', { class: 'sub' }, 'Multi-step flows get the same webhooks as scripts.'))),
    list);
  let flows;
  try {
    flows = await api.get(ws('/flows/list'));
  } catch (e) {
    if (e.status === 404) {
      return clear(list, h('div', { class: 'empty card' }, 'Flows are not available on this server yet. ',
        'Scripts are: ', h('a', { href: '/scripts' }, 'open Scripts'), '.'));
    }
    return clear(list, errorBox(e));
  }
  if (!ctx.isCurrent()) return;
  if (!flows.length) return clear(list, h('div', { class: 'empty card' }, 'No flows yet — push one with wmill flow push.'));
  clear(list, h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, h('th', {}, 'Path'), h('th', {}, 'Summary'), h('th', { class: 'hide-phone' }, 'Last edited'))),
    h('tbody', {}, flows.map((f) => h('tr', {},
      h('td', { class: 'mono' }, h('a', { href: `/flows/get/${f.path}` }, f.path)),
      h('td', {}, f.summary || h('span', { class: 'muted' }, '—')),
      h('td', { class: 'hide-phone', title: dateTime(f.edited_at) }, `${timeAgo(f.edited_at)} by ${f.edited_by || ''}`)))))));
}
