// Variables: plain values and secrets at paths, which scripts read with wmill.get_variable or
// receive as "$var:<path>" arguments. Secrets are never listed: each row reveals its own on
// request. ?q= narrows the list (the script page's "Uses" links here with the path).
import { api, ws } from '../api.js';
import { h, clear, errorBox, uid, confirmDialog, progress, stackOnPhones } from '../dom.js';
import { secretValue } from '../secret_reveal.js';

const SHOWN_CHARS = 120; // a long plain value (a key, a certificate) is cut in the list

export default async function variablesPage(ctx) {
  ctx.title('Variables');
  const search = h('input', { id: uid('search'), type: 'search', placeholder: 'Search path or description',
    value: ctx.query.get('q') || '', 'aria-label': 'Search variables' });
  const list = h('div', {}, progress('Loading variables'));
  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Variables'),
        h('div', { class: 'sub' }, 'Values and secrets that scripts read by path: ',
          h('code', {}, 'wmill.get_variable("u/…")'), ', or ', h('code', {}, '$var:<path>'), ' as an argument.')),
      h('div', { class: 'actions' }, h('a', { class: 'button primary', href: '/variables/add' }, 'New variable'))),
    h('div', { class: 'filters' }, h('div', { class: 'field' }, search)),
    list);

  let variables;
  const load = async () => {
    try {
      variables = await api.get(ws('/variables/list'));
    } catch (e) {
      if (ctx.isCurrent()) clear(list, errorBox(e));
      return;
    }
    if (ctx.isCurrent()) show();
  };
  const show = () => {
    if (!variables.length) {
      return clear(list, h('div', { class: 'empty card' }, 'No variables yet — ', h('a', { href: '/variables/add' }, 'New variable'), '.'));
    }
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    const rows = variables.filter((v) => words.every((w) => `${v.path} ${v.description}`.toLowerCase().includes(w)));
    if (!rows.length) return clear(list, h('div', { class: 'empty card' }, `No variable matches “${search.value}”.`));
    clear(list, variableTable(rows, load));
  };
  search.addEventListener('input', () => {
    // Kept in the URL, so reload and back show the same list.
    history.replaceState(null, '', `/variables${search.value ? `?q=${encodeURIComponent(search.value)}` : ''}`);
    show();
  });
  await load();
}

function variableTable(rows, reload) {
  return stackOnPhones(h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Path'),
      h('th', { scope: 'col' }, 'Value'),
      h('th', { scope: 'col' }, 'Secret'),
      h('th', { scope: 'col' }, 'Description'),
      h('th', { scope: 'col', class: 'actions-col' }, h('span', { class: 'sr-only' }, 'Actions')))),
    h('tbody', {}, rows.map((v) => variableRow(v, reload))))));
}

function variableRow(v, reload) {
  const actions = h('td', { class: 'row-actions' });
  const del = h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete ${v.path}` }, 'Delete');
  del.addEventListener('click', async () => {
    if (!(await confirmDialog(`Delete the variable ${v.path}? Scripts and resources that read it will fail.`))) return;
    actions.querySelector('.error')?.remove();
    del.disabled = true;
    try {
      await api.del(ws(`/variables/delete/${v.path}`));
      await reload();
      document.querySelector('main')?.focus(); // the focused button went with its row
    } catch (e) {
      del.disabled = false;
      actions.append(errorBox(e));
    }
  });
  actions.append(h('div', { class: 'actions' },
    h('a', { class: 'button small', href: `/variables/edit/${v.path}`, 'aria-label': `Edit ${v.path}` }, 'Edit'), del));
  return h('tr', {},
    h('td', { class: 'mono' }, v.path),
    h('td', { class: 'variable-value' }, v.is_secret ? secretValue(v.path) : plainValue(v.value)),
    h('td', {}, v.is_secret ? h('span', { class: 'badge' }, 'secret') : h('span', { class: 'muted' }, '—')),
    h('td', {}, v.description || h('span', { class: 'muted' }, '—')),
    actions);
}

function plainValue(value) {
  const text = value ?? '';
  if (!text) return h('span', { class: 'muted' }, '(empty)');
  const cut = text.length > SHOWN_CHARS;
  return h('code', { title: cut ? text : null }, cut ? `${text.slice(0, SHOWN_CHARS)}…` : text);
}
