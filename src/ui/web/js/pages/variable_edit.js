// New variable, or an edit of one (its value, description, secrecy, and its path: a move).
// Editing a secret does not open it (decrypt_secret=false, so no audit row): an empty value
// keeps the sealed one.
import { api, ws } from '../api.js';
import { h, clear, errorBox, field, uid } from '../dom.js';
import { showSaveError } from '../save_error.js';

export default async function variableEditPage(ctx) {
  const editing = ctx.params[0];
  ctx.title(editing ? `Edit ${editing}` : 'New variable');
  let existing = null;
  if (editing) {
    existing = await api.get(ws(`/variables/get/${editing}?decrypt_secret=false`));
    if (!ctx.isCurrent()) return;
  }
  const username = ctx.session.member.username;
  const path = h('input', { id: uid('path'), class: 'mono', spellcheck: 'false', autocomplete: 'off', 'aria-required': 'true',
    value: existing ? existing.path : ctx.query.get('path') || `u/${username}/` });
  const value = h('textarea', { id: uid('value'), class: 'mono', rows: 3, spellcheck: 'false', autocomplete: 'off',
    placeholder: existing?.is_secret ? '(unchanged)' : '' });
  value.value = existing && !existing.is_secret ? existing.value ?? '' : '';
  const secret = h('input', { id: uid('secret'), type: 'checkbox', checked: existing ? existing.is_secret : false });
  const description = h('textarea', { id: uid('description'), rows: 2 });
  description.value = existing ? existing.description || '' : '';

  const pathBox = h('div');
  const formBox = h('div');
  const save = h('button', { type: 'submit', class: 'primary' }, existing ? 'Save' : 'Create variable');
  const form = h('form', { 'aria-label': existing ? 'Edit variable' : 'New variable', novalidate: true },
    h('div', { class: 'card' },
      h('div', { class: 'field' },
        h('label', { for: path.id }, 'Path', h('span', { class: 'hint' }, ` — under u/${username}/ or f/<folder>/; scripts read it by this path`)),
        path, pathBox),
      field('Value', value, existing?.is_secret ? 'leave empty to keep it as it is' : null),
      h('div', { class: 'field check' },
        h('label', {}, secret, ' Secret',
          h('span', { class: 'hint' }, ' — sealed at rest, never listed, hidden in job logs; each reveal is audited'))),
      field('Description', description)),
    formBox,
    h('div', { class: 'actions' }, save, h('a', { class: 'button', href: '/variables' }, 'Cancel')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(pathBox);
    clear(formBox);
    path.removeAttribute('aria-invalid');
    const p = path.value.trim();
    if (!p) {
      path.setAttribute('aria-invalid', 'true');
      pathBox.append(errorBox(`Give the variable a path, like u/${username}/db_password.`));
      return path.focus();
    }
    const body = { path: p, description: description.value, is_secret: secret.checked };
    // A secret's value is only sent when a new one was typed (the old one is not known here).
    if (!existing || !existing.is_secret || value.value !== '') body.value = value.value;
    save.disabled = true;
    try {
      if (existing) await api.post(ws(`/variables/update/${existing.path}`), body, { raw: true, keepPage: true });
      else await api.post(ws('/variables/create'), body, { raw: true, keepPage: true });
      ctx.navigate(`/variables?q=${encodeURIComponent(p)}`);
    } catch (err) {
      showSaveError(err, p, { pathBox, formBox, pathInput: path });
      save.disabled = false;
    }
  });

  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, existing ? `Edit ${existing.path}` : 'New variable'),
        h('div', { class: 'sub' }, existing
          ? 'Changing the path moves the variable: scripts that name the old path stop finding it.'
          : 'A secret is sealed with the workspace key before it is stored.'))),
    form);
  (existing ? value : path).focus();
}
