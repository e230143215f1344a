// The resource type of a resource: a choice among the types the workspace knows (its resource
// types, and those its resources already use) or any other name, typed in. Without any known
// type there is only the text field.
import { api, ws } from './api.js';
import { h, uid } from './dom.js';

const OTHER = '\u0000other'; // not a valid type name, so never mistaken for one

export function resourceTypeField(ctx, current) {
  const typed = h('input', { id: uid('rtype-name'), class: 'mono', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'postgresql', value: current || '' });
  const typedName = h('span', {}, 'Resource type');
  const hint = h('span', { class: 'hint' }, ' — loading the known types…');
  const typedField = h('div', { class: 'field' }, h('label', { for: typed.id }, typedName, hint), typed);
  const problem = h('div'); // a missing type is said here
  const element = h('div', { class: 'rtype' }, typedField, problem);
  let select = null; // added once known types are loaded, if there are any

  (async () => {
    const problems = [];
    const get = (path) => api.get(ws(path)).catch((e) => (problems.push(e.message), []));
    const [named, resources] = await Promise.all([get('/resources/type/listnames'), get('/resources/list')]);
    if (!ctx.isCurrent()) return;
    const types = [...new Set([...named, ...resources.map((r) => r.resource_type)].filter(Boolean))].sort();
    if (!types.length) {
      hint.textContent = problems.length ? ` — the known types could not be loaded (${problems[0]})` : ' — a name like postgresql or slack';
      return;
    }
    select = h('select', { id: uid('rtype') },
      types.map((t) => h('option', { value: t }, t)), h('option', { value: OTHER }, 'Other…'));
    // What may have been typed while the types loaded wins over the stored type.
    const wanted = typed.value.trim();
    select.value = !wanted ? types[0] : types.includes(wanted) ? wanted : OTHER;
    const choose = () => {
      typedField.hidden = select.value !== OTHER;
      if (!typedField.hidden && document.activeElement === select) typed.focus();
    };
    select.addEventListener('change', choose);
    // With the select shown, the text field is its "Other…" branch and says so.
    typedName.textContent = 'Other type name';
    hint.textContent = '';
    const hadFocus = document.activeElement === typed;
    element.prepend(h('div', { class: 'field' }, h('label', { for: select.id }, 'Resource type'), select));
    choose();
    if (hadFocus && typedField.hidden) select.focus();
  })();

  return {
    element,
    problem,
    value: () => (!select || select.value === OTHER ? typed.value.trim() : select.value),
    focus: () => (select && typedField.hidden ? select : typed).focus(),
  };
}
