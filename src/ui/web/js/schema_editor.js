// A flow's inputs, edited as a form: one row per input (name, type, required, default,
// description) over the JSON schema object, which is changed in place (its `properties`,
// `required` and `order`). onChange() after each edit (the steps' suggestions follow).
import { h, clear } from './dom.js';

const TYPES = ['string', 'integer', 'number', 'boolean', 'object', 'array'];

function defaultText(prop) {
  if (prop.default === undefined) return '';
  return prop.type === 'string' && typeof prop.default === 'string' ? prop.default : JSON.stringify(prop.default);
}

export function schemaEditor(schema, onChange) {
  schema.type = 'object';
  schema.properties = schema.properties || {};
  schema.required = schema.required || [];
  const box = h('div', { class: 'schema-editor' });
  const order = () => (Array.isArray(schema.order) ? schema.order.filter((n) => schema.properties[n]) : []);
  const names = () => [...new Set([...order(), ...Object.keys(schema.properties)])];
  const changed = () => {
    schema.order = names();
    onChange();
  };

  function row(name) {
    const prop = schema.properties[name];
    const nameInput = h('input', { class: 'mono', value: name, 'aria-label': `Input ${name}: name`, spellcheck: 'false' });
    const type = h('select', { 'aria-label': `Input ${name}: type` },
      TYPES.map((t) => h('option', { value: t, selected: (prop.type || 'string') === t }, t)));
    const required = h('input', { type: 'checkbox', checked: schema.required.includes(name), 'aria-label': `Input ${name}: required` });
    const def = h('input', { class: 'mono', value: defaultText(prop), 'aria-label': `Input ${name}: default`, placeholder: 'no default' });
    const description = h('input', { value: prop.description || '', 'aria-label': `Input ${name}: description`, placeholder: 'what it is' });
    const remove = h('button', { type: 'button', class: 'small', 'aria-label': `Remove input ${name}` }, 'Remove');
    const problem = h('span', { class: 'error-text small', role: 'alert' });
    nameInput.addEventListener('change', () => {
      const next = nameInput.value.trim();
      problem.textContent = '';
      if (next === name) return;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(next) || schema.properties[next]) {
        problem.textContent = schema.properties[next] ? `${next} is already an input.` : 'A name is letters, digits and _, not starting with a digit.';
        nameInput.value = name;
        return;
      }
      // Renamed in place: the order of the inputs stays.
      const props = {};
      for (const [k, v] of Object.entries(schema.properties)) props[k === name ? next : k] = v;
      schema.properties = props;
      schema.required = schema.required.map((r) => (r === name ? next : r));
      if (Array.isArray(schema.order)) schema.order = schema.order.map((r) => (r === name ? next : r));
      render();
      changed();
    });
    type.addEventListener('change', () => {
      prop.type = type.value;
      changed();
    });
    required.addEventListener('change', () => {
      schema.required = schema.required.filter((r) => r !== name);
      if (required.checked) schema.required.push(name);
      changed();
    });
    def.addEventListener('input', () => {
      if (def.value === '') delete prop.default;
      else if (prop.type === 'string') prop.default = def.value;
      else {
        try {
          prop.default = JSON.parse(def.value);
        } catch {
          prop.default = def.value;
        }
      }
      changed();
    });
    description.addEventListener('input', () => {
      if (description.value) prop.description = description.value;
      else delete prop.description;
      changed();
    });
    remove.addEventListener('click', () => {
      delete schema.properties[name];
      schema.required = schema.required.filter((r) => r !== name);
      render();
      changed();
    });
    return h('div', { class: 'schema-row', role: 'group', 'aria-label': `Input ${name}` },
      nameInput, type, h('label', { class: 'inline' }, required, ' required'), def, description, remove, problem);
  }

  const add = h('button', { type: 'button', class: 'small' }, 'Add an input');
  add.addEventListener('click', () => {
    let n = 1;
    while (schema.properties[`input${n}`]) n++;
    schema.properties[`input${n}`] = { type: 'string' };
    render();
    changed();
    box.querySelector(`[aria-label="Input input${n}: name"]`)?.select();
  });

  function render() {
    const list = names();
    clear(box, list.length ? list.map(row) : h('p', { class: 'muted small' }, 'The flow takes no inputs.'), h('div', {}, add));
  }
  render();
  return box;
}
