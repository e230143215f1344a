// The OpenFlow value the flow builder edits, as plain objects: new steps of each kind, their
// ids, and what a step may refer to. The builder changes these objects in place, so every
// field it does not know (set by `wmill` or by hand in the YAML view) is kept as it was.

export const STEP_KINDS = [
  { type: 'rawscript', label: 'Inline script' },
  { type: 'script', label: 'Existing script' },
  { type: 'flow', label: 'Another flow' },
  { type: 'forloopflow', label: 'For-loop' },
  { type: 'whileloopflow', label: 'While-loop' },
  { type: 'branchone', label: 'Branch to one' },
  { type: 'branchall', label: 'Branch to all' },
];

export const INLINE_TEMPLATES = {
  python3: 'def main(x: str = ""):\n    return x\n',
  bun: 'export async function main(x: string = "") {\n  return x;\n}\n',
  bash: 'x="$1"\necho "$x"\n',
};

// Every module of the flow, in order, nested ones after their parent, with the list it is in.
export function allModules(value) {
  const out = [];
  const walk = (modules, parent) => {
    for (const m of modules || []) {
      out.push({ module: m, list: modules, parent });
      const v = m.value || {};
      if (v.modules) walk(v.modules, m);
      for (const b of v.branches || []) walk(b.modules, m);
      if (v.default) walk(v.default, m);
    }
  };
  walk(value.modules, null);
  if (value.failure_module) out.push({ module: value.failure_module, list: null, parent: null });
  return out;
}

// The next free id: a, b, …, z, then aa, ab, … as Windmill names steps.
export function nextId(value) {
  const used = new Set(allModules(value).map((e) => e.module.id));
  for (let n = 0; ; n++) {
    let id = '';
    for (let k = n; ; k = Math.floor(k / 26) - 1) {
      id = String.fromCharCode(97 + (k % 26)) + id;
      if (k < 26) break;
    }
    if (!used.has(id)) return id;
  }
}

export function newStep(type, value, language = 'python3') {
  const id = nextId(value);
  switch (type) {
    case 'rawscript':
      return { id, value: { type, language, content: INLINE_TEMPLATES[language] || '', input_transforms: {} } };
    case 'script':
    case 'flow':
      return { id, value: { type, path: '', input_transforms: {} } };
    case 'forloopflow':
      return { id, value: { type, iterator: { type: 'javascript', expr: '[]' }, skip_failures: false, parallel: false, modules: [] } };
    case 'whileloopflow':
      return { id, value: { type, skip_failures: false, modules: [] } };
    case 'branchone':
      return { id, value: { type, branches: [{ summary: '', expr: 'false', modules: [] }], default: [] } };
    case 'branchall':
      return { id, value: { type, parallel: false, branches: [{ summary: '', skip_failure: false, modules: [] }] } };
    default:
      throw new Error(`unknown step kind ${type}`);
  }
}

// What an expression at `module` may name: the flow's inputs, and the results of the steps
// before it (at its level and at its parents' levels), plus a loop's iteration.
export function suggestionsFor(value, module, schema) {
  const names = Object.keys((schema && schema.properties) || {}).map((n) => `flow_input.${n}`);
  const found = [];
  const search = (modules, before, loops) => {
    for (const m of modules || []) {
      if (m === module) {
        found.push(...before, ...loops);
        return true;
      }
      const v = m.value || {};
      const inner = [v.modules, ...(v.branches || []).map((b) => b.modules), v.default].filter(Boolean);
      const loop = v.type === 'forloopflow' ? ['flow_input.iter.value', 'flow_input.iter.index'] : [];
      for (const list of inner) if (search(list, before.slice(), [...loops, ...loop])) return true;
      before.push(`results.${m.id}`);
    }
    return false;
  };
  search(value.modules, [], []);
  return [...new Set([...names, ...found, 'previous_result'])];
}
