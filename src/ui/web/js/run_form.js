// A form generated from a script's argument schema (Windmill's JSON Schema shape). values()
// returns the arguments, or throws an Error naming the field that is wrong.
import { h, field, uid } from './dom.js';

function control(name, prop, required) {
  const id = uid('arg');
  const type = prop.type;
  let input;
  if (Array.isArray(prop.enum)) {
    // Option values are indexes into the enum, so a number stays a number.
    input = h('select', { id, name }, prop.enum.map((v, i) => h('option', { value: String(i), selected: v === prop.default }, String(v))));
  } else if (type === 'boolean') {
    input = h('input', { id, name, type: 'checkbox', checked: prop.default === true });
  } else if (type === 'integer' || type === 'number') {
    input = h('input', { id, name, type: 'number', step: type === 'integer' ? '1' : 'any', required, value: prop.default ?? '' });
  } else if (type === 'string') {
    input = h('input', { id, name, type: 'text', required, value: prop.default ?? '', class: 'mono' });
  } else {
    // Objects, arrays and untyped arguments are typed in as JSON.
    input = h('textarea', { id, name, rows: 3, class: 'code', required, style: { minHeight: '0' } });
    if (prop.default !== undefined) input.value = JSON.stringify(prop.default, null, 2);
  }
  const hint = [type === 'object' || type === 'array' || !type ? `${type || 'any'} as JSON` : type,
    required ? 'required' : null, prop.description || null].filter(Boolean).join(' · ');
  return { input, element: field(name, input, hint) };
}

// previous: a form this one replaces (the schema changed as the code was edited): what was
// typed into an argument of the same name and kind stays.
export function runForm(schema, previous = null) {
  const props = (schema && schema.properties) || {};
  const order = (schema && Array.isArray(schema.order) && schema.order) || Object.keys(props);
  const required = new Set((schema && schema.required) || []);
  const fields = order.filter((n) => props[n]).map((name) => ({ name, prop: props[name], ...control(name, props[name], required.has(name)) }));
  for (const f of fields) {
    const old = previous && previous.fields.find((p) => p.name === f.name);
    if (!old || old.input.tagName !== f.input.tagName || old.input.type !== f.input.type) continue;
    if (f.input.type === 'checkbox') f.input.checked = old.input.checked;
    else if (f.input.tagName !== 'SELECT' || [...f.input.options].some((o) => o.value === old.input.value)) f.input.value = old.input.value;
  }

  function values() {
    const args = {};
    for (const { name, prop, input } of fields) {
      const type = prop.type;
      if (input.type === 'checkbox') {
        args[name] = input.checked;
        continue;
      }
      if (input.validity && input.validity.badInput) throw new Error(`${name} must be ${type === 'integer' ? 'an integer' : 'a number'}.`);
      if (Array.isArray(prop.enum)) {
        args[name] = prop.enum[Number(input.value)];
        continue;
      }
      const text = input.value;
      if (text === '') {
        if (required.has(name)) throw new Error(`${name} is required.`);
        continue;
      }
      if (type === 'string') {
        args[name] = text;
      } else if (type === 'integer' || type === 'number') {
        const n = Number(text);
        if (!Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) throw new Error(`${name} must be ${type === 'integer' ? 'an integer' : 'a number'}.`);
        args[name] = n;
      } else {
        try {
          args[name] = JSON.parse(text);
        } catch (e) {
          throw new Error(`${name} is not valid JSON: ${e.message}`);
        }
      }
    }
    return args;
  }
  const element = fields.length
    ? h('div', {}, fields.map((f) => f.element))
    : h('p', { class: 'muted' }, 'This script takes no arguments.');
  return { element, values, fields };
}
