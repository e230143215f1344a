// Resources: typed JSON values at paths (a database's connection, an API's credentials) that
// scripts read with wmill.get_resource or receive as "$res:<path>" arguments. Filtered by type
// and by words; both live in the URL (?type=…&q=…), so reload and back keep them.
import { api, ws, query } from '../api.js';
import { h, clear, errorBox, uid, progress, stackOnPhones } from '../dom.js';
import { timeAgo, dateTime } from '../format.js';
import { deleteResource } from '../resource_delete.js';

export default async function resourcesPage(ctx) {
  ctx.title('Resources');
  const typeFilter = h('select', { id: uid('type-filter') }, h('option', { value: '' }, 'All types'));
  const search = h('input', { id: uid('search'), type: 'search', placeholder: 'Search path or description',
    value: ctx.query.get('q') || '', 'aria-label': 'Search resources' });
  const list = h('div', {}, progress('Loading resources'));
  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Resources'),
        h('div', { class: 'sub' }, 'JSON values of a type that scripts read by path: ',
          h('code', {}, 'wmill.get_resource("u/…")'), ', or ', h('code', {}, '$res:<path>'), ' as an argument.')),
      h('div', { class: 'actions' }, h('a', { class: 'button primary', href: '/resources/add' }, 'New resource'))),
    h('div', { class: 'filters' },
      h('div', { class: 'field' }, h('label', { for: typeFilter.id }, 'Resource type'), typeFilter),
      h('div', { class: 'field' }, h('label', { for: search.id }, 'Search'), search)),
    list);

  let resources;
  const load = async () => {
    try {
      resources = await api.get(ws('/resources/list'));
    } catch (e) {
      if (ctx.isCurrent()) clear(list, errorBox(e));
      return;
    }
    if (!ctx.isCurrent()) return;
    const wanted = typeFilter.value || ctx.query.get('type') || '';
    const types = [...new Set([...resources.map((r) => r.resource_type), wanted].filter(Boolean))].sort();
    clear(typeFilter, h('option', { value: '' }, 'All types'), types.map((t) => h('option', { value: t }, t)));
    typeFilter.value = wanted;
    show();
  };
  const show = () => {
    if (!resources.length) {
      return clear(list, h('div', { class: 'empty card' }, 'No resources yet — ', h('a', { href: '/resources/add' }, 'New resource'), '.'));
    }
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    const rows = resources.filter((r) => (!typeFilter.value || r.resource_type === typeFilter.value) &&
      words.every((w) => `${r.path} ${r.description}`.toLowerCase().includes(w)));
    if (!rows.length) return clear(list, h('div', { class: 'empty card' }, 'No resource matches these filters.'));
    clear(list, resourceTable(rows, load));
  };
  const remember = () => {
    history.replaceState(null, '', '/resources' + query({ type: typeFilter.value, q: search.value }));
    show();
  };
  typeFilter.addEventListener('change', remember);
  search.addEventListener('input', remember);
  await load();
}

function resourceTable(rows, reload) {
  return stackOnPhones(h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Path'),
      h('th', { scope: 'col' }, 'Type'),
      h('th', { scope: 'col' }, 'Description'),
      h('th', { scope: 'col', class: 'hide-phone' }, 'Edited'),
      h('th', { scope: 'col', class: 'actions-col' }, h('span', { class: 'sr-only' }, 'Actions')))),
    h('tbody', {}, rows.map((r) => resourceRow(r, reload))))));
}

function resourceRow(r, reload) {
  const actions = h('td', { class: 'row-actions' });
  const del = h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete ${r.path}` }, 'Delete');
  del.addEventListener('click', async () => {
    if (!(await deleteResource(r.path, actions))) return;
    await reload();
    document.querySelector('main')?.focus(); // the focused button went with its row
  });
  actions.append(h('div', { class: 'actions' },
    h('a', { class: 'button small', href: `/resources/edit/${r.path}`, 'aria-label': `Edit ${r.path}` }, 'Edit'), del));
  return h('tr', {},
    h('td', { class: 'mono' }, h('a', { href: `/resources/get/${r.path}` }, r.path)),
    h('td', {}, h('span', { class: 'badge' }, r.resource_type)),
    h('td', {}, r.description || h('span', { class: 'muted' }, '—')),
    h('td', { class: 'hide-phone nowrap', title: dateTime(r.edited_at) }, timeAgo(r.edited_at)),
    actions);
}
