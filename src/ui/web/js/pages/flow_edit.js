// New flow, or a new version of one: its inputs (a form over its JSON schema), its steps
// (flow_step_editor.js) and the flow's own options, or the same OpenFlow as YAML or JSON text,
// editable — switching views reads the text back. "Test the flow" (and "Test up to here" on a
// step) runs the unsaved flow as a preview with each step's state, logs and result; saving
// makes a version. Ctrl/Cmd+S saves; leaving with unsaved changes asks first.
import { api, ws } from '../api.js';
import { h, clear, errorBox, field, uid } from '../dom.js';
import { runForm } from '../run_form.js';
import { flowHref } from '../job_view.js';
import { allModules, suggestionsFor } from '../flow_model.js';
import { stepsList } from '../flow_step_editor.js';
import { schemaEditor } from '../schema_editor.js';
import { followFlowRun } from '../flow_run_view.js';
import { sessionEndedBox, saveOnCtrlS } from '../save_error.js';

const pathRule = /^(u\/[A-Za-z0-9_-]+|f\/[A-Za-z0-9_-]+)\/[A-Za-z0-9_\-/]*[A-Za-z0-9_-]$/;

export default async function flowEditPage(ctx) {
  const editing = ctx.params[0];
  ctx.title(editing ? `Edit ${editing}` : 'New flow');
  const [existing, { createCodeEditor }, { toYaml, fromYaml }, scripts, flows] = await Promise.all([
    editing ? api.get(ws(`/flows/get/${editing}`)) : null,
    import('../bundle/code_editor.js'),
    import('../bundle/yaml_text.js'),
    api.get(ws('/scripts/list')).catch(() => []),
    api.get(ws('/flows/list')).catch(() => []),
  ]);
  if (!ctx.isCurrent()) return;
  const member = ctx.session.member;
  // The OpenFlow being edited; the builder changes it in place.
  const doc = {
    summary: existing ? existing.summary || '' : '',
    description: existing ? existing.description || '' : '',
    value: existing ? existing.value || { modules: [] } : { modules: [] },
    schema: existing && existing.schema ? existing.schema : { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: {}, required: [] },
  };
  doc.value.modules = doc.value.modules || [];

  const path = h('input', { id: uid('path'), class: 'mono', value: existing ? existing.path : `u/${member.username}/`, readonly: !!existing, spellcheck: 'false' });
  const summary = h('input', { id: uid('summary'), value: doc.summary, maxlength: 300 });
  const description = h('textarea', { id: uid('description'), rows: 2 });
  description.value = doc.description;
  summary.addEventListener('input', () => (doc.summary = summary.value));
  description.addEventListener('input', () => (doc.description = description.value));

  const snapshot = () => JSON.stringify([path.value, doc]);
  let saved = snapshot();
  ctx.guardUnsaved(() => (textView && textView.dirty()) || snapshot() !== saved
    ? `Your changes to ${existing ? existing.path : 'this new flow'} are not saved.` : null);

  // --- The steps, drawn again after each change of shape. ---
  const editors = []; // code editors of the steps drawn: destroyed when drawn again
  const suggestionLists = h('div', { hidden: true });
  const stepsBox = h('div');
  const flowOptions = h('div');
  const env = {
    root: doc.value,
    get schema() { return doc.schema; },
    code: createCodeEditor,
    editors,
    scriptPaths: scripts.map((s) => s.path),
    flowPaths: flows.map((f) => f.path).filter((p) => p !== (existing && existing.path)),
    isCurrent: ctx.isCurrent,
    ids: () => allModules(doc.value).map((e) => e.module.id),
    save: () => form.requestSubmit(),
    redraw: (focusId) => drawSteps(focusId),
    suggestionList(step) {
      const id = uid('suggest');
      suggestionLists.append(h('datalist', { id }, suggestionsFor(doc.value, step, doc.schema).map((s) => h('option', { value: s }))));
      return id;
    },
    testUpTo: (step) => testFlow(step),
  };
  function drawSteps(focusId) {
    for (const e of editors.splice(0)) e.destroy();
    clear(suggestionLists);
    env.root = doc.value;
    clear(stepsBox, stepsList(env, doc.value.modules, 'Steps of the flow'));
    drawFlowOptions();
    drawTestForm();
    if (typeof focusId === 'string') stepsBox.querySelector(`[aria-label="Step ${focusId}: id"]`)?.focus();
  }
  function drawFlowOptions() {
    const top = doc.value.modules.map((m) => m.id);
    const early = h('select', { 'aria-label': 'Answer early with the result of' },
      h('option', { value: '' }, 'no step: the flow answers when it ends'),
      top.map((id) => h('option', { value: id, selected: doc.value.early_return === id }, `step ${id}`)));
    early.addEventListener('change', () => {
      if (early.value) doc.value.early_return = early.value;
      else delete doc.value.early_return;
    });
    const onFailure = h('input', { type: 'checkbox', checked: !!doc.value.failure_module });
    onFailure.addEventListener('change', () => {
      if (onFailure.checked) {
        doc.value.failure_module = { id: 'failure', value: { type: 'rawscript', language: 'python3', input_transforms: {},
          content: 'def main(message: str = "", name: str = ""):\n    print("the flow failed at", name, ":", message)\n    return {"failed": name}\n' } };
        doc.value.failure_module.value.input_transforms = {
          message: { type: 'javascript', expr: 'error.message' }, name: { type: 'javascript', expr: 'error.name' } };
      } else {
        delete doc.value.failure_module;
      }
      drawSteps();
    });
    const failure = doc.value.failure_module
      ? h('div', { class: 'group' }, stepsListOf([doc.value.failure_module], 'Failure handler'))
      : null;
    clear(flowOptions,
      h('div', { class: 'field' }, h('span', { class: 'label' }, 'Early return',
        h('span', { class: 'hint' }, ' — a sync webhook gets this step’s result at once; the rest of the flow runs on')), early),
      h('label', { class: 'inline' }, onFailure, ' When a step fails, run a failure handler (it gets the error)'), failure);
  }
  // The failure handler is drawn like a one-step list of its own (not added to or moved).
  function stepsListOf(list, label) {
    const el = stepsList(env, list, label);
    el.querySelector('.add-step')?.remove();
    for (const b of el.querySelectorAll('.step-tools button')) if (!/^Test/.test(b.textContent)) b.remove();
    return el;
  }

  // --- Inputs of the flow. ---
  const inputsBox = h('div');
  const drawInputs = () => clear(inputsBox, schemaEditor(doc.schema, () => drawTestForm()));

  // --- The YAML / JSON view of the same OpenFlow. ---
  let textView = null; // { format, editor, dirty() } while a text view is shown
  const viewChoice = h('div', { class: 'segmented', role: 'group', 'aria-label': 'View the flow as' });
  const textBox = h('div');
  const textError = h('div');
  const builder = h('div', {}, stepsBox, h('h3', {}, 'Flow options'), flowOptions);
  const views = ['Steps', 'YAML', 'JSON'];
  const viewButtons = views.map((v) => h('button', { type: 'button', 'aria-pressed': String(v === 'Steps') }, v));
  viewButtons.forEach((b) => b.addEventListener('click', () => showView(b.textContent)));
  viewChoice.append(...viewButtons);
  // Reads the text view back into the flow; false (with the reason shown) when it does not parse.
  function readText() {
    if (!textView) return true;
    clear(textError);
    let parsed;
    try {
      parsed = textView.format === 'JSON' ? JSON.parse(textView.editor.value()) : fromYaml(textView.editor.value());
      if (!parsed || typeof parsed !== 'object' || !parsed.value || !Array.isArray(parsed.value.modules)) {
        throw new Error('expected an OpenFlow: summary, description, value (with its modules) and schema');
      }
    } catch (e) {
      textError.append(errorBox(`The ${textView.format} does not read as a flow, so the steps were not changed: ${e.message}`));
      return false;
    }
    doc.summary = parsed.summary || '';
    doc.description = parsed.description || '';
    doc.value = parsed.value;
    doc.schema = parsed.schema || { type: 'object', properties: {}, required: [] };
    summary.value = doc.summary;
    description.value = doc.description;
    return true;
  }
  function showView(name) {
    if (!readText()) return;
    if (textView) textView.editor.destroy();
    textView = null;
    viewButtons.forEach((b) => b.setAttribute('aria-pressed', String(b.textContent === name)));
    if (name === 'Steps') {
      clear(textBox);
      builder.hidden = false;
      drawInputs();
      drawSteps();
      return;
    }
    builder.hidden = true;
    const text = name === 'JSON' ? JSON.stringify(doc, null, 2) + '\n' : toYaml(doc);
    const editor = createCodeEditor({ doc: text, language: name === 'JSON' ? 'json' : 'yaml', label: `The flow as ${name}`, minLines: 20, onSave: env.save });
    textView = { format: name, editor, dirty: () => editor.value() !== text };
    clear(textBox, h('p', { class: 'muted small' }, 'The whole flow as the CLI stores it. Edits are read back when you switch view, test or save.'), editor.dom);
    clear(inputsBox, h('p', { class: 'muted small' }, `The inputs are in the ${name} (schema).`));
  }

  // --- Test the flow, unsaved. ---
  let testArgs = runForm(doc.schema);
  const testArgsBox = h('div');
  const testOut = h('div', { 'aria-live': 'polite' });
  const testButton = h('button', { type: 'button', class: 'primary' }, 'Test the flow');
  function drawTestForm() {
    testArgs = runForm(doc.schema, testArgs);
    clear(testArgsBox, testArgs.element);
  }
  async function testFlow(upTo = null) {
    if (!readText()) return;
    clear(testOut);
    let args;
    try {
      args = testArgs.values();
    } catch (err) {
      return testOut.append(errorBox(err));
    }
    let value = doc.value;
    if (upTo) {
      const at = value.modules.indexOf(upTo);
      value = { ...value, modules: value.modules.slice(0, at + 1) };
      delete value.early_return;
    }
    testButton.disabled = true;
    try {
      const body = { value, args };
      if (pathRule.test(path.value.trim())) body.path = path.value.trim();
      const id = await api.post(ws('/jobs/run/preview_flow'), body, { raw: true, keepPage: true });
      testOut.append(h('p', { class: 'muted small' }, upTo ? `Testing the steps up to ${upTo.id}…` : 'Testing the whole flow…'));
      const box = h('div');
      testOut.append(box);
      testCard.scrollIntoView({ block: 'start' });
      await followFlowRun(ctx, id, box);
    } catch (err) {
      clear(testOut, errorBox(err));
    } finally {
      testButton.disabled = false;
    }
  }
  testButton.addEventListener('click', () => testFlow());
  const testCard = h('section', { class: 'card', 'aria-labelledby': 'flow-test-title' },
    h('h2', { id: 'flow-test-title' }, 'Test'),
    h('p', { class: 'muted small' }, 'Runs the flow as it is here, unsaved, with these inputs.'),
    testArgsBox, h('div', { class: 'actions' }, testButton), testOut);

  // --- Save. ---
  const pathError = h('div');
  const saveError = h('div');
  const save = h('button', { type: 'submit', class: 'primary' }, existing ? 'Save new version' : 'Save');
  const form = h('form', { 'aria-label': existing ? 'Edit flow' : 'New flow', novalidate: true });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (save.disabled) return;
    clear(pathError);
    clear(saveError);
    path.removeAttribute('aria-invalid');
    const p = path.value.trim();
    const owner = p.match(/^u\/([^/]+)\//);
    const problem = !pathRule.test(p)
      ? `“${p}” is not a flow path: write u/${member.username}/<name> or f/<folder>/<name>, with letters, digits, _ and -.`
      : owner && owner[1] !== member.username && !member.is_admin
        ? `Only ${owner[1]} saves under u/${owner[1]}/: save under u/${member.username}/ or in a folder (f/<folder>/).` : null;
    if (problem) {
      path.setAttribute('aria-invalid', 'true');
      pathError.append(errorBox(problem));
      return path.focus();
    }
    if (!readText()) return;
    save.disabled = true;
    try {
      const body = { path: p, summary: doc.summary, description: doc.description, value: doc.value, schema: doc.schema };
      await api.post(ws(existing ? `/flows/update/${p}` : '/flows/create'), body, { raw: true, keepPage: true });
      saved = snapshot();
      if (textView) textView.dirty = () => false;
      ctx.navigate(flowHref(p));
    } catch (err) {
      save.disabled = false;
      if (err.status === 401) {
        saveError.append(sessionEndedBox('the flow'));
      } else if (!existing && /already exists/.test(err.message)) {
        path.setAttribute('aria-invalid', 'true');
        pathError.append(h('div', { class: 'error', role: 'alert' }, `A flow already exists at ${p} — `,
          h('a', { href: flowHref(p) }, 'open it'), ', or choose another path.'));
        path.focus();
      } else if (/\bpath\b/i.test(err.message) || err.status === 403) {
        path.setAttribute('aria-invalid', 'true');
        pathError.append(errorBox(err));
        path.focus();
      } else {
        saveError.append(errorBox(err));
      }
    }
  });
  const stopKeys = saveOnCtrlS(form);
  ctx.onLeave(() => {
    stopKeys();
    for (const e of editors.splice(0)) e.destroy();
    if (textView) textView.editor.destroy();
  });

  form.append(
    h('div', { class: 'card' },
      h('div', { class: 'field' },
        h('label', { for: path.id }, 'Path', h('span', { class: 'hint' }, ` — under u/${member.username}/ or f/<folder>/; it names the webhook`)),
        path, pathError),
      field('Summary', summary, 'one line, shown in lists'),
      field('Description', description)),
    h('section', { class: 'card', 'aria-labelledby': 'flow-inputs-title' }, h('h2', { id: 'flow-inputs-title' }, 'Inputs'), inputsBox),
    h('section', { class: 'card', 'aria-labelledby': 'flow-steps-title' },
      h('div', { class: 'card-head' }, h('h2', { id: 'flow-steps-title' }, 'Steps'), viewChoice),
      builder, textBox, textError, suggestionLists),
    testCard,
    saveError,
    h('div', { class: 'actions' }, save, h('a', { class: 'button', href: existing ? flowHref(existing.path) : '/flows' }, 'Cancel')));
  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, existing ? `Edit ${existing.path}` : 'New flow'),
        h('div', { class: 'sub' }, existing ? 'Saving makes a new version; the current one keeps its by-version webhook.' : 'A saved flow is a webhook at once.'))),
    form);
  drawInputs();
  drawSteps();
  saved = snapshot(); // drawing fills in defaults (input_transforms: {}): not a change of the user's
  (existing ? summary : path).focus();
}
