// A step's inputs (Windmill's input_transforms): for each argument of what the step runs, a
// static value or a JavaScript expression over flow_input and results.<id>, with those names
// offered as suggestions. Edits change `transforms` in place.
import { h, uid } from './dom.js';

// The text a static value is edited as: strings as they are, the rest as JSON.
function staticText(value, type) {
  if (value === undefined) return '';
  return type === 'string' && typeof value === 'string' ? value : JSON.stringify(value);
}

function parseStatic(text, type) {
  if (type === 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text; // kept as typed: the step's schema check will say what is wrong
  }
}

// schema: the arguments' JSON schema (of the inline code, script or flow); suggestions: names
// an expression may use. `where` names the step, for the labels ("a: x").
export function transformsEditor({ schema, transforms, suggestions, where }) {
  const props = (schema && schema.properties) || {};
  const names = [...new Set([...Object.keys(props), ...Object.keys(transforms)])];
  if (!names.length) return h('p', { class: 'muted small' }, 'No inputs.');
  const listId = uid('suggest');
  const datalist = h('datalist', { id: listId }, suggestions.map((s) => h('option', { value: s })));
  const required = new Set((schema && schema.required) || []);
  const rows = names.map((name) => {
    const type = props[name] ? props[name].type : undefined;
    const t = transforms[name];
    const kind = h('select', { 'aria-label': `${where}: how ${name} is given` },
      h('option', { value: 'static', selected: !t || t.type === 'static' }, 'value'),
      h('option', { value: 'javascript', selected: t && t.type === 'javascript' }, 'expression'));
    const input = h('input', { class: 'mono', 'aria-label': `${where}: ${name}`, spellcheck: 'false', autocomplete: 'off' });
    const show = () => {
      const cur = transforms[name];
      if (kind.value === 'javascript') {
        input.value = cur && cur.type === 'javascript' ? cur.expr : '';
        input.setAttribute('list', listId);
        input.placeholder = suggestions[0] || 'flow_input.x';
      } else {
        input.value = cur && cur.type === 'static' ? staticText(cur.value, type) : '';
        input.removeAttribute('list');
        input.placeholder = props[name] && props[name].default !== undefined ? `default: ${JSON.stringify(props[name].default)}` : '';
      }
    };
    const store = () => {
      if (kind.value === 'javascript') transforms[name] = { type: 'javascript', expr: input.value };
      else if (input.value === '') delete transforms[name]; // the argument's default then
      else transforms[name] = { type: 'static', value: parseStatic(input.value, type) };
    };
    kind.addEventListener('change', () => {
      show();
      store();
    });
    input.addEventListener('input', store);
    show();
    const about = [type, required.has(name) ? 'required' : null].filter(Boolean).join(' · ');
    return h('div', { class: 'transform' },
      h('span', { class: 'mono transform-name' }, name, about ? h('span', { class: 'hint' }, ` ${about}`) : null),
      kind, input);
  });
  return h('div', { class: 'transforms' }, datalist, rows);
}
