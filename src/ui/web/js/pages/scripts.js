// Scripts: every script of the workspace, searchable by path, summary and language.
import { api, ws } from '../api.js';
import { h, clear, errorBox, uid } from '../dom.js';
import { timeAgo, dateTime } from '../format.js';

export default async function scriptsPage(ctx) {
  ctx.title('Scripts');
  const search = h('input', { id: uid('search'), type: 'search', placeholder: 'Search path, summary or language',
    value: ctx.query.get('q') || '', 'aria-label': 'Search scripts' });
  const list = h('div', {}, h('p', { class: 'muted' }, 'Loading scripts…'));
  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Scripts'), h('div', { class: 'sub' }, 'Each script is a webhook: open one for its URLs.')),
      h('div', { class: 'actions' }, h('a', { class: 'button primary', href: '/scripts/add' }, 'New script'))),
    h('div', { class: 'filters' }, h('div', { class: 'field' }, search)),
    list);

  let scripts;
  try {
    scripts = await api.get(ws('/scripts/list?per_page=1000'));
  } catch (e) {
    return clear(list, errorBox(e));
  }
  if (!ctx.isCurrent()) return;

  const show = () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    const match = (s) => words.every((w) => `${s.path} ${s.summary} ${s.language}`.toLowerCase().includes(w));
    const rows = scripts.filter(match);
    if (!scripts.length) {
      return clear(list, h('div', { class: 'empty card' }, 'No scripts yet — ', h('a', { href: '/scripts/add' }, 'New script'), '.'));
    }
    if (!rows.length) return clear(list, h('div', { class: 'empty card' }, `No script matches “${search.value}”.`));
    clear(list, scripts.length >= 1000
      ? h('p', { class: 'caution' }, 'Only the 1000 most recently saved scripts are listed here; search narrows them.')
      : null,
    h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, 'Path'), h('th', {}, 'Summary'), h('th', {}, 'Language'),
        h('th', { class: 'hide-phone' }, 'Last edited'))),
      h('tbody', {}, rows.map((s) => h('tr', {},
        h('td', { class: 'mono' }, h('a', { href: `/scripts/get/${s.path}` }, s.path)),
        h('td', {}, s.summary || h('span', { class: 'muted' }, '—')),
        h('td', {}, h('span', { class: 'badge' }, s.language)),
        h('td', { class: 'hide-phone', title: dateTime(s.created_at) }, `${timeAgo(s.created_at)} by ${s.created_by}`)))))));
  };
  search.addEventListener('input', () => {
    // Keep the search in the URL, so reload and back show the same list.
    const q = search.value ? `?q=${encodeURIComponent(search.value)}` : '';
    history.replaceState(null, '', `/scripts${q}`);
    show();
  });
  show();
}
