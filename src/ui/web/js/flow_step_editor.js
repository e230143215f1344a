// The flow builder's steps: a vertical list of them, each edited in place — inline code (in
// the code editor), a saved script or flow by path, or a group (for-loop, while-loop, branches)
// holding lists of its own — with its inputs, and its options (retries, timeout, stop and skip
// conditions, approval). The objects of the flow value are changed as the user edits them; a
// change of shape (a step added, moved, removed) draws the list again (env.redraw).
import { api, ws } from './api.js';
import { h, clear, uid } from './dom.js';
import { STEP_KINDS, INLINE_TEMPLATES, newStep, suggestionsFor } from './flow_model.js';
import { transformsEditor } from './input_transforms.js';

const SCHEMA_DELAY_MS = 400;
const LANGUAGES = [['python3', 'Python 3'], ['bun', 'TypeScript'], ['bash', 'Bash']];

function kindLabel(type) {
  return (STEP_KINDS.find((k) => k.type === type) || { label: type }).label;
}

// A text input bound to obj[key] (removed when emptied, unless keepEmpty).
function boundInput(obj, key, label, { mono = false, placeholder = '', keepEmpty = false } = {}) {
  const input = h('input', { value: obj[key] ?? '', 'aria-label': label, class: mono ? 'mono' : '', placeholder, spellcheck: 'false' });
  input.addEventListener('input', () => {
    if (input.value === '' && !keepEmpty) delete obj[key];
    else obj[key] = input.value;
  });
  return input;
}

function boundCheck(obj, key, label) {
  const box = h('input', { type: 'checkbox', checked: obj[key] === true });
  box.addEventListener('change', () => (obj[key] = box.checked));
  return h('label', { class: 'inline' }, box, ` ${label}`);
}

// A number input bound to a path of objects (e.g. retry.constant.attempts), created on demand.
function boundNumber(root, path, label, { min = 0 } = {}) {
  const get = () => path.reduce((o, k) => (o ? o[k] : undefined), root);
  const input = h('input', { type: 'number', min, step: '1', value: get() ?? '', 'aria-label': label, class: 'narrow' });
  input.addEventListener('input', () => {
    let o = root;
    for (const k of path.slice(0, -1)) o = o[k] = o[k] || {};
    if (input.value === '') delete o[path[path.length - 1]];
    else o[path[path.length - 1]] = Number(input.value);
  });
  return input;
}

// An expression field of an optional object (stop_after_if: { expr }, skip_if: { expr }).
function boundExpr(owner, key, label, extra = {}) {
  const input = h('input', { class: 'mono', value: owner[key] ? owner[key].expr : '', 'aria-label': label, spellcheck: 'false', placeholder: 'no condition' });
  input.addEventListener('input', () => {
    if (!input.value) delete owner[key];
    else owner[key] = { ...extra, ...(owner[key] || {}), expr: input.value };
  });
  return input;
}

// The options every step has, folded away until wanted.
function stepOptions(step, where, isLoop) {
  const stopKey = isLoop ? 'stop_after_all_iters_if' : 'stop_after_if';
  const open = Boolean(step.retry || step.timeout || step[stopKey] || step.skip_if || step.suspend || step.sleep);
  return h('details', { class: 'step-options', open },
    h('summary', {}, 'Options: retries, timeout, conditions, approval'),
    h('div', { class: 'option-grid' },
      h('span', {}, 'Retries'), h('span', {}, boundNumber(step, ['retry', 'constant', 'attempts'], `${where}: retries`),
        ' times, ', boundNumber(step, ['retry', 'constant', 'seconds'], `${where}: seconds between retries`), ' s apart'),
      h('span', {}, 'Timeout'), h('span', {}, boundNumber(step, ['timeout'], `${where}: timeout`, { min: 1 }), ' s'),
      h('span', {}, isLoop ? 'Stop after all iterations if' : 'Stop the flow after it if'),
      boundExpr(step, stopKey, `${where}: stop after if`, { skip_if_stopped: false }),
      h('span', {}, 'Skip it if'), boundExpr(step, 'skip_if', `${where}: skip if`),
      h('span', {}, 'Approval before going on'),
      h('span', {}, boundNumber(step, ['suspend', 'required_events'], `${where}: approvals needed`), ' approvals, waiting at most ',
        boundNumber(step, ['suspend', 'timeout'], `${where}: approval timeout`), ' s')));
}

// The inputs of a step that runs something with a schema, redrawn when that schema changes.
function inputsBox(env, step) {
  const box = h('div', { class: 'step-inputs' });
  box.show = (schema) => {
    step.value.input_transforms = step.value.input_transforms || {};
    clear(box, h('div', { class: 'label' }, 'Inputs'),
      transformsEditor({ schema, transforms: step.value.input_transforms, suggestions: suggestionsFor(env.root, step, env.schema), where: step.id }));
  };
  return box;
}

function inlineBody(env, step) {
  const v = step.value;
  const language = h('select', { 'aria-label': `${step.id}: language` },
    LANGUAGES.map(([id, label]) => h('option', { value: id, selected: v.language === id }, label)),
    LANGUAGES.some(([id]) => id === v.language) ? null : h('option', { value: v.language, selected: true }, v.language));
  const inputs = inputsBox(env, step);
  let timer = null;
  let asked = 0;
  const refresh = async () => {
    const n = ++asked;
    try {
      const { schema } = await api.post(ws('/scripts/infer_schema'), { language: v.language, content: v.content || '' });
      if (n === asked && env.isCurrent()) inputs.show(schema);
    } catch (e) {
      if (n === asked && env.isCurrent()) clear(inputs, h('p', { class: 'muted small' }, `Inputs not read: ${e.message}`));
    }
  };
  const editor = env.code({
    doc: v.content || '', language: v.language, label: `Code of step ${step.id}`, minLines: 4,
    onChange: (text) => {
      v.content = text;
      clearTimeout(timer);
      timer = setTimeout(refresh, SCHEMA_DELAY_MS);
    },
    onSave: env.save,
  });
  env.editors.push(editor);
  language.addEventListener('change', () => {
    const wasTemplate = (v.content || '') === (INLINE_TEMPLATES[v.language] || '');
    v.language = language.value;
    editor.setLanguage(v.language);
    if (wasTemplate && INLINE_TEMPLATES[v.language]) editor.setValue(INLINE_TEMPLATES[v.language]);
    refresh();
  });
  refresh();
  return [h('div', { class: 'row' }, h('span', { class: 'label' }, 'Language'), language), editor.dom, inputs];
}

function pathBody(env, step) {
  const v = step.value;
  const isFlow = v.type === 'flow';
  const listId = uid('paths');
  const paths = isFlow ? env.flowPaths : env.scriptPaths;
  const path = h('input', { class: 'mono', value: v.path || '', list: listId, 'aria-label': `${step.id}: ${isFlow ? 'flow' : 'script'} path`,
    placeholder: isFlow ? 'f/folder/flow' : 'u/you/script', spellcheck: 'false' });
  const inputs = inputsBox(env, step);
  const load = async () => {
    v.path = path.value.trim();
    if (!paths.includes(v.path)) return clear(inputs, v.path ? h('p', { class: 'muted small' }, `No ${isFlow ? 'flow' : 'script'} at ${v.path} yet.`) : null);
    try {
      const found = await api.get(ws(isFlow ? `/flows/get/${v.path}` : `/scripts/get/p/${v.path}`));
      if (env.isCurrent()) inputs.show(found.schema);
    } catch (e) {
      clear(inputs, h('p', { class: 'muted small' }, e.message));
    }
  };
  path.addEventListener('change', load);
  load();
  return [h('datalist', { id: listId }, paths.map((p) => h('option', { value: p }))),
    h('div', { class: 'field' }, h('span', { class: 'label' }, isFlow ? 'Flow' : 'Script'), path), inputs];
}

function loopBody(env, step) {
  const v = step.value;
  const parts = [];
  if (v.type === 'forloopflow') {
    v.iterator = v.iterator || { type: 'javascript', expr: '[]' };
    const iter = h('input', { class: 'mono', value: v.iterator.expr || '', 'aria-label': `${step.id}: iterate over`, spellcheck: 'false',
      list: env.suggestionList(step) });
    iter.addEventListener('input', () => (v.iterator = { type: 'javascript', expr: iter.value }));
    parts.push(h('div', { class: 'field' }, h('span', { class: 'label' }, 'For each item of (an expression)'), iter),
      h('div', { class: 'row' }, boundCheck(v, 'parallel', 'iterations in parallel'), boundCheck(v, 'skip_failures', 'go on past a failed iteration')));
  } else {
    parts.push(h('p', { class: 'muted small' }, 'Runs its steps again and again until one of them stops it (its “stop after if”).'),
      boundCheck(v, 'skip_failures', 'go on past a failed iteration'));
  }
  v.modules = v.modules || [];
  parts.push(h('div', { class: 'group' }, stepsList(env, v.modules, `${step.id}: steps of each iteration`)));
  return parts;
}

function branchesBody(env, step) {
  const v = step.value;
  v.branches = v.branches || [];
  const one = v.type === 'branchone';
  const parts = [];
  if (!one) parts.push(boundCheck(v, 'parallel', 'branches in parallel'));
  v.branches.forEach((b, i) => {
    b.modules = b.modules || [];
    const remove = h('button', { type: 'button', class: 'small', 'aria-label': `${step.id}: remove branch ${i + 1}` }, 'Remove branch');
    remove.addEventListener('click', () => {
      v.branches.splice(i, 1);
      env.redraw();
    });
    let condition = null;
    if (one) {
      condition = h('input', { class: 'mono', value: b.expr || '', 'aria-label': `${step.id}: branch ${i + 1} condition`, spellcheck: 'false',
        list: env.suggestionList(step) });
      condition.addEventListener('input', () => (b.expr = condition.value));
    }
    parts.push(h('div', { class: 'branch', role: 'group', 'aria-label': `${step.id}: branch ${i + 1}` },
      h('div', { class: 'row' }, h('strong', {}, `Branch ${i + 1}`),
        boundInput(b, 'summary', `${step.id}: branch ${i + 1} summary`, { placeholder: 'what it is for', keepEmpty: true }), remove),
      one ? h('div', { class: 'field' }, h('span', { class: 'label' }, 'Taken if (the first true one wins)'), condition)
        : boundCheck(b, 'skip_failure', 'a failure here does not fail the flow'),
      h('div', { class: 'group' }, stepsList(env, b.modules, `${step.id}: steps of branch ${i + 1}`))));
  });
  const add = h('button', { type: 'button', class: 'small' }, 'Add a branch');
  add.addEventListener('click', () => {
    v.branches.push(one ? { summary: '', expr: 'false', modules: [] } : { summary: '', skip_failure: false, modules: [] });
    env.redraw();
  });
  parts.push(add);
  if (one) {
    v.default = v.default || [];
    parts.push(h('div', { class: 'branch', role: 'group', 'aria-label': `${step.id}: default branch` },
      h('strong', {}, 'Otherwise (default branch)'), h('div', { class: 'group' }, stepsList(env, v.default, `${step.id}: steps of the default branch`))));
  }
  return parts;
}

function stepEditor(env, list, index) {
  const step = list[index];
  const v = step.value || (step.value = { type: 'identity' });
  const idInput = h('input', { class: 'mono narrow', value: step.id, 'aria-label': `Step ${step.id}: id`, spellcheck: 'false' });
  const idProblem = h('span', { class: 'error-text small', role: 'alert' });
  idInput.addEventListener('change', () => {
    const next = idInput.value.trim();
    idProblem.textContent = '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(next) || (next !== step.id && env.ids().includes(next))) {
      idProblem.textContent = env.ids().includes(next) ? `${next} is another step's id.` : 'An id is letters, digits and _.';
      idInput.value = step.id;
      return;
    }
    if (env.root.early_return === step.id) env.root.early_return = next;
    step.id = next;
    env.redraw();
  });
  const button = (text, label, fn, disabled = false) => {
    const b = h('button', { type: 'button', class: 'small', 'aria-label': label, disabled }, text);
    b.addEventListener('click', fn);
    return b;
  };
  const move = (delta) => () => {
    list.splice(index + delta, 0, list.splice(index, 1)[0]);
    env.redraw();
  };
  const tools = h('div', { class: 'step-tools' },
    button('↑', `Move step ${step.id} up`, move(-1), index === 0),
    button('↓', `Move step ${step.id} down`, move(1), index === list.length - 1),
    env.testUpTo && list === env.root.modules ? button('Test up to here', `Test the flow up to step ${step.id}`, () => env.testUpTo(step)) : null,
    button('Remove', `Remove step ${step.id}`, () => {
      list.splice(index, 1);
      if (env.root.early_return === step.id) delete env.root.early_return;
      env.redraw();
    }));
  let body;
  if (v.type === 'rawscript') body = inlineBody(env, step);
  else if (v.type === 'script' || v.type === 'flow') body = pathBody(env, step);
  else if (v.type === 'forloopflow' || v.type === 'whileloopflow') body = loopBody(env, step);
  else if (v.type === 'branchone' || v.type === 'branchall') body = branchesBody(env, step);
  else body = [h('p', { class: 'muted small' }, `A step of type ${v.type}: edit it in the YAML view.`)];
  const isLoop = v.type === 'forloopflow' || v.type === 'whileloopflow';
  return h('section', { class: `flow-step-edit step-${v.type}`, 'aria-label': `Step ${step.id}` },
    h('div', { class: 'step-head' },
      h('span', { class: 'badge' }, kindLabel(v.type)), idInput,
      boundInput(step, 'summary', `Step ${step.id}: summary`, { placeholder: 'what it does' }), tools, idProblem),
    body, stepOptions(step, `Step ${step.id}`, isLoop));
}

// A list of steps (the flow's, a loop's, a branch's) with an "Add a step" control at its end.
export function stepsList(env, list, label) {
  const kind = h('select', { 'aria-label': `${label}: kind of the new step` },
    STEP_KINDS.map((k) => h('option', { value: k.type }, k.label)));
  const language = h('select', { 'aria-label': `${label}: language of the new step` },
    LANGUAGES.map(([id, name]) => h('option', { value: id }, name)));
  kind.addEventListener('change', () => (language.hidden = kind.value !== 'rawscript'));
  const add = h('button', { type: 'button', class: 'small', 'aria-label': `${label}: add the step` }, 'Add');
  add.addEventListener('click', () => {
    const step = newStep(kind.value, env.root, language.value);
    list.push(step);
    env.redraw(step.id);
  });
  return h('div', { class: 'steps-edit', role: 'group', 'aria-label': label },
    list.length ? h('ol', { class: 'steps-edit-list' }, list.map((_, i) => h('li', {}, stepEditor(env, list, i))))
      : h('p', { class: 'muted small' }, 'No steps yet.'),
    h('div', { class: 'row add-step' }, h('span', {}, 'Add a step:'), kind, language, add));
}
