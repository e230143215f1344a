// New resource, or an edit of one: path (a change moves it), resource type, description and its
// JSON value, which may name variables and other resources as "$var:<path>" / "$res:<path>".
// The value is checked as JSON here, so a typo is shown before anything is sent.
import { api, ws } from '../api.js';
import { h, clear, errorBox, field, uid } from '../dom.js';
import { showSaveError } from '../save_error.js';
import { jsonEditor } from '../json_editor.js';
import { resourceTypeField } from '../resource_type_field.js';

export default async function resourceEditPage(ctx) {
  const editing = ctx.params[0];
  ctx.title(editing ? `Edit ${editing}` : 'New resource');
  let existing = null;
  if (editing) {
    existing = await api.get(ws(`/resources/get/${editing}`));
    if (!ctx.isCurrent()) return;
  }
  const username = ctx.session.member.username;
  const path = h('input', { id: uid('path'), class: 'mono', spellcheck: 'false', autocomplete: 'off', 'aria-required': 'true',
    value: existing ? existing.path : ctx.query.get('path') || `u/${username}/` });
  const type = resourceTypeField(ctx, existing ? existing.resource_type : '');
  const description = h('textarea', { id: uid('description'), rows: 2 });
  description.value = existing ? existing.description || '' : '';
  const value = jsonEditor(existing ? existing.value : undefined);

  const pathBox = h('div');
  const formBox = h('div');
  const save = h('button', { type: 'submit', class: 'primary' }, existing ? 'Save' : 'Create resource');
  const form = h('form', { 'aria-label': existing ? 'Edit resource' : 'New resource', novalidate: true },
    h('div', { class: 'card' },
      h('div', { class: 'row top' },
        h('div', { class: 'field', style: { flex: '2 1 300px' } },
          h('label', { for: path.id }, 'Path', h('span', { class: 'hint' }, ` — under u/${username}/ or f/<folder>/`)),
          path, pathBox),
        type.element),
      field('Description', description),
      h('div', { class: 'field' },
        h('label', { for: value.textarea.id }, 'Value (JSON)',
          h('span', { class: 'hint' }, ' — a string "$var:u/…" or "$res:u/…" stands for that variable or resource when a job reads it')),
        value.textarea, value.problem)),
    formBox,
    h('div', { class: 'actions' }, save,
      h('a', { class: 'button', href: existing ? `/resources/get/${existing.path}` : '/resources' }, 'Cancel')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(pathBox);
    clear(formBox);
    clear(type.problem);
    path.removeAttribute('aria-invalid');
    const p = path.value.trim();
    if (!p) {
      path.setAttribute('aria-invalid', 'true');
      pathBox.append(errorBox(`Give the resource a path, like u/${username}/main_db.`));
      return path.focus();
    }
    const resourceType = type.value();
    if (!resourceType) {
      type.problem.append(errorBox('Name the resource type (for example postgresql).'));
      return type.focus();
    }
    const parsed = value.read();
    if (parsed === undefined) return;
    const body = { path: p, resource_type: resourceType, description: description.value, value: parsed };
    save.disabled = true;
    try {
      if (existing) await api.post(ws(`/resources/update/${existing.path}`), body, { raw: true, keepPage: true });
      else await api.post(ws('/resources/create'), body, { raw: true, keepPage: true });
      ctx.navigate(`/resources/get/${p}`);
    } catch (err) {
      showSaveError(err, p, { pathBox, formBox, pathInput: path });
      save.disabled = false;
    }
  });

  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, existing ? `Edit ${existing.path}` : 'New resource'),
        h('div', { class: 'sub' }, existing
          ? 'Changing the path moves the resource: scripts that name the old path stop finding it.'
          : 'Keep passwords in secret variables and name them here with "$var:<path>".'))),
    form);
  (existing ? value.textarea : path).focus();
}
