// New script, or a new version of an existing one. Saving creates a version (a new hash); the
// previous versions stay callable by their hash. The code is edited in CodeMirror (loaded only
// here), its argument form follows the code as it is typed, and "Test" runs the unsaved code
// (a preview job) with its logs live. Ctrl/Cmd+S saves; leaving with unsaved changes asks
// first; a version saved by someone else meanwhile is said, with the differences.
import { api, ws } from '../api.js';
import { h, clear, errorBox, field, uid, progress } from '../dom.js';
import { runForm } from '../run_form.js';
import { followJob } from '../job_follow.js';
import { renderJobResult, logsView, scriptHref } from '../job_view.js';
import { jobStatus, duration, shortId, timeAgo } from '../format.js';
import { lineDiff } from '../line_diff.js';
import { sessionEndedBox, saveOnCtrlS } from '../save_error.js';

const templates = {
  python3: 'def main(name: str = "world", times: int = 1):\n    return {"greeting": " ".join(["hello " + name] * times)}\n',
  bash: 'name="$1"\ngreeting="${2:-hello}"\n\necho "$greeting $name"\n',
  bun: 'export async function main(name: string = "world", times: number = 1) {\n  return { greeting: Array(times).fill(`hello ${name}`).join(" ") };\n}\n',
};
const languages = [
  { id: 'python3', label: 'Python 3' },
  { id: 'bash', label: 'Bash' },
  { id: 'bun', label: 'TypeScript (runs on Node.js)' },
];
const pathRule = /^(u\/[A-Za-z0-9_-]+|f\/[A-Za-z0-9_-]+)\/[A-Za-z0-9_\-/]*[A-Za-z0-9_-]$/;
const SCHEMA_DELAY_MS = 400; // the argument form is asked for once typing pauses this long

// What the server says when the version being edited is no longer the latest one.
const savedMeanwhile = (err) => err.status === 400 && /already has a child|Path conflict for/.test(err.message);

// Why `p` is not a path this user may save at, in words (null: it is).
function pathProblem(p, member) {
  if (!pathRule.test(p)) return `“${p}” is not a script path: write u/${member.username}/<name> or f/<folder>/<name>, with letters, digits, _ and -.`;
  const owner = p.match(/^u\/([^/]+)\//);
  if (owner && owner[1] !== member.username && !member.is_admin) {
    return `Only ${owner[1]} saves under u/${owner[1]}/: save under u/${member.username}/ or in a folder (f/<folder>/).`;
  }
  return null;
}

export default async function scriptEditPage(ctx) {
  const editing = ctx.params[0];
  ctx.title(editing ? `Edit ${editing}` : 'New script');
  let existing = null;
  if (editing) {
    existing = await api.get(ws(`/scripts/get/p/${editing}`));
    if (!ctx.isCurrent()) return;
  }
  const { createCodeEditor } = await import('../bundle/code_editor.js');
  if (!ctx.isCurrent()) return;
  const member = ctx.session.member;
  const username = member.username;
  const path = h('input', { id: uid('path'), class: 'mono', required: true, value: existing ? existing.path : `u/${username}/`,
    readonly: !!existing, spellcheck: 'false' });
  const language = h('select', { id: uid('language') },
    languages.map((l) => h('option', { value: l.id, selected: existing ? existing.language === l.id : l.id === 'python3' }, l.label)),
    existing && !languages.some((l) => l.id === existing.language) ? h('option', { value: existing.language, selected: true }, existing.language) : null);
  const summary = h('input', { id: uid('summary'), value: existing ? existing.summary : '', maxlength: 300 });
  const description = h('textarea', { id: uid('description'), rows: 2 });
  description.value = existing ? existing.description || '' : '';

  // The version this edit started from: a save makes its child. A save over a newer one moves it.
  let parentHash = existing ? existing.hash : null;
  const form = h('form', { 'aria-label': existing ? 'Edit script' : 'New script', novalidate: true });
  const editor = createCodeEditor({
    doc: existing ? existing.content : templates.python3,
    language: language.value,
    label: 'Code',
    minLines: 16,
    onChange: () => codeChanged(),
    onSave: () => form.requestSubmit(),
  });
  const codeLabelId = uid('code-label');
  editor.view.contentDOM.setAttribute('aria-describedby', codeLabelId);

  // Unsaved: what differs from what was loaded (or from the empty new script).
  const snapshot = () => JSON.stringify([path.value, language.value, summary.value, description.value, editor.value()]);
  let savedState = snapshot();
  let untouched = !existing; // a fresh template follows the language until the user types
  const isDirty = () => snapshot() !== savedState && !(untouched && !existing && path.value === `u/${username}/`);
  ctx.guardUnsaved(() => (isDirty() ? `Your changes to ${existing ? existing.path : 'this new script'} are not saved.` : null));

  language.addEventListener('change', () => {
    editor.setLanguage(language.value);
    if (untouched && templates[language.value]) {
      editor.setValue(templates[language.value]);
      untouched = true; // setValue counts as an edit; the template still follows
    }
    refreshSchema();
  });

  // --- The argument form, inferred from the code as it is typed. ---
  let form_ = runForm(existing ? existing.schema : null);
  const argsBox = h('div', {}, form_.element);
  const schemaNote = h('p', { class: 'muted small', 'aria-live': 'polite' });
  let schemaTimer = null;
  let schemaAsked = 0;
  function codeChanged() {
    untouched = false;
    clearTimeout(schemaTimer);
    schemaTimer = setTimeout(refreshSchema, SCHEMA_DELAY_MS);
  }
  async function refreshSchema() {
    const asked = ++schemaAsked;
    try {
      const { schema } = await api.post(ws('/scripts/infer_schema'), { language: language.value, content: editor.value() });
      if (asked !== schemaAsked || !ctx.isCurrent()) return;
      form_ = runForm(schema, form_);
      clear(argsBox, form_.element);
      clear(schemaNote);
    } catch (e) {
      if (asked !== schemaAsked || !ctx.isCurrent() || e.status === 401) return;
      clear(schemaNote, `The arguments could not be read from the code: ${e.message}`);
    }
  }

  // --- Test: the unsaved code runs as a preview job; its logs come in as they are printed. ---
  const testOut = h('div', { 'aria-live': 'polite' });
  const testButton = h('button', { type: 'button', class: 'primary' }, 'Test');
  testButton.addEventListener('click', async () => {
    clear(testOut);
    let args;
    try {
      args = form_.values();
    } catch (err) {
      return testOut.append(errorBox(err));
    }
    testButton.disabled = true;
    const wait = progress('Running…');
    try {
      const body = { content: editor.value(), language: language.value, args };
      if (pathRule.test(path.value.trim())) body.path = path.value.trim();
      const id = await api.post(ws('/jobs/run/preview'), body, { raw: true, keepPage: true });
      const logs = logsView('');
      clear(testOut, h('p', {}, wait, ' ', h('a', { href: `/run/${id}`, target: '_blank' }, `test run ${shortId(id)}`)),
        h('section', { 'aria-label': 'Test logs' }, h('h3', {}, 'Logs'), logs));
      const job = await followJob(ctx, id, { onLogs: (text) => logs.appendLogs(text) });
      if (!job) return;
      clear(testOut, h('p', {}, h('span', { class: `status ${jobStatus(job)}` }, jobStatus(job)),
        ` in ${duration(job.duration_ms)} · `, h('a', { href: `/run/${id}`, target: '_blank' }, 'Open the test run')),
      renderJobResult(job));
    } catch (err) {
      clear(testOut, errorBox(err));
    } finally {
      wait.stop();
      testButton.disabled = false;
    }
  });

  // --- Save. ---
  const pathError = h('div');
  const saveError = h('div');
  const save = h('button', { type: 'submit', class: 'primary' }, existing ? 'Save new version' : 'Save');
  async function submit(overHash = null) {
    clear(pathError);
    clear(saveError);
    path.removeAttribute('aria-invalid');
    const p = path.value.trim();
    const problem = pathProblem(p, member);
    if (problem) {
      path.setAttribute('aria-invalid', 'true');
      pathError.append(errorBox(problem));
      return path.focus();
    }
    save.disabled = true;
    try {
      const body = { path: p, summary: summary.value, description: description.value, content: editor.value(), language: language.value };
      if (overHash || parentHash) body.parent_hash = overHash || parentHash;
      await api.post(ws('/scripts/create'), body, { raw: true, keepPage: true });
      savedState = snapshot();
      untouched = false;
      ctx.navigate(scriptHref(p));
    } catch (err) {
      save.disabled = false;
      if (err.status === 401) {
        saveError.append(sessionEndedBox('your code'));
      } else if (existing && savedMeanwhile(err)) {
        await showConflict(p);
      } else if (!existing && /^Bad request: Path conflict for /.test(err.message)) {
        path.setAttribute('aria-invalid', 'true');
        pathError.append(h('div', { class: 'error', role: 'alert' }, `A script already exists at ${p} — `,
          h('a', { href: scriptHref(p) }, 'open it'), ', or choose another path.'));
        path.focus();
      } else if (err.status === 413) {
        saveError.append(errorBox(`The code is too large to save: ${err.message.replace(/^Payload Too Large: /, '')}.`));
      } else if (/\bpath\b/i.test(err.message) || err.status === 403) {
        path.setAttribute('aria-invalid', 'true');
        pathError.append(errorBox(err));
        path.focus();
      } else {
        saveError.append(errorBox(err));
      }
    }
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!save.disabled) submit();
  });

  // Someone saved a newer version since this page was opened: what changed, and a choice.
  async function showConflict(p) {
    let latest;
    try {
      latest = await api.get(ws(`/scripts/get/p/${p}`));
    } catch (e) {
      return saveError.append(errorBox(e));
    }
    const diffBox = h('div');
    const show = h('button', { type: 'button' }, 'Show the differences');
    show.addEventListener('click', () => {
      show.hidden = true;
      const lines = lineDiff(latest.content, editor.value());
      clear(diffBox, h('p', { class: 'small muted' }, 'Lines marked − are in the saved version only, + in yours only.'),
        h('pre', { class: 'diff', tabindex: '0', 'aria-label': 'Differences between the saved version and yours' },
          lines.map((l) => h('span', { class: l.kind === '+' ? 'added' : l.kind === '-' ? 'removed' : '' }, `${l.kind === ' ' ? ' ' : l.kind === '-' ? '−' : '+'} ${l.text}\n`))));
    });
    const overwrite = h('button', { type: 'button', class: 'danger' }, 'Save mine over it');
    overwrite.addEventListener('click', () => {
      parentHash = latest.hash;
      submit(latest.hash);
    });
    saveError.append(h('div', { class: 'error', role: 'alert' },
      h('p', {}, `Someone saved a newer version of ${p} meanwhile (${latest.created_by}, ${timeAgo(latest.created_at)}), so yours was not saved. `,
        h('a', { href: scriptHref(p), target: '_blank' }, 'Open it in a new tab')),
      h('div', { class: 'actions' }, show, overwrite), diffBox));
  }

  const stopKeys = saveOnCtrlS(form);
  ctx.onLeave(() => {
    stopKeys();
    clearTimeout(schemaTimer);
    editor.destroy();
  });

  form.append(
    h('div', { class: 'card' },
      h('div', { class: 'row' },
        h('div', { class: 'field', style: { flex: '2 1 300px' } },
          h('label', { for: path.id }, 'Path', h('span', { class: 'hint' }, ` — under u/${username}/ or f/<folder>/; it names the webhook`)),
          path, pathError),
        field('Language', language)),
      field('Summary', summary, 'one line, shown in lists'),
      field('Description', description),
      h('div', { class: 'field' },
        h('span', { class: 'label', id: codeLabelId }, 'Code',
          h('span', { class: 'hint' }, ' — Tab indents, Shift+Tab dedents; Esc then Tab leaves the editor; Ctrl+S saves; Ctrl+F searches')),
        editor.dom)),
    h('section', { class: 'card', 'aria-labelledby': 'test-title' },
      h('h2', { id: 'test-title' }, 'Test'),
      h('p', { class: 'muted small' }, 'Runs the code as it is in the editor, unsaved, with these arguments (read from the code as you type).'),
      argsBox, schemaNote, h('div', { class: 'actions' }, testButton), testOut),
    saveError,
    h('div', { class: 'actions' }, save,
      h('a', { class: 'button', href: existing ? scriptHref(existing.path) : '/scripts' }, 'Cancel')));

  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, existing ? `Edit ${existing.path}` : 'New script'),
        h('div', { class: 'sub' }, existing ? 'Saving makes a new version; the current one keeps its by-version webhook.' : 'Saved scripts are webhooks at once.'))),
    form);
  if (!existing || !existing.schema) refreshSchema();
  (existing ? editor : path).focus();
  if (!existing) path.setSelectionRange(path.value.length, path.value.length);
}
