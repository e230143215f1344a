// New script, or a new version of an existing one. Saving creates a version (a new hash);
// the previous versions stay callable by their hash.
import { api, ws } from '../api.js';
import { h, clear, errorBox, field, uid } from '../dom.js';

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

// Replaces [start, end) with text through the browser's editing command, so Ctrl+Z undoes it
// (setRangeText would clear the undo history).
function replaceRange(textarea, start, end, text) {
  textarea.setSelectionRange(start, end);
  if (!document.execCommand('insertText', false, text)) textarea.setRangeText(text, start, end, 'end');
}

// Tab indents inside the editor, Shift+Tab dedents the lines of the selection. Escape releases
// the key, so the next Tab leaves the editor (keyboard users are never trapped).
function codeEditor(textarea) {
  let released = false;
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      released = true;
      return;
    }
    if (e.key !== 'Tab' || released) {
      if (e.key !== 'Tab') released = false;
      return;
    }
    e.preventDefault();
    const { selectionStart: start, selectionEnd: end, value } = textarea;
    const lineStart = value.lastIndexOf('\n', start - 1) + 1;
    const block = value.slice(lineStart, end);
    if (e.shiftKey) {
      // Whole lines lose one level, wherever the caret is in them.
      const lineEnd = value.indexOf('\n', end) < 0 ? value.length : value.indexOf('\n', end);
      const lines = value.slice(lineStart, lineEnd).split('\n');
      const dedented = lines.map((l) => l.replace(/^( {1,4}|\t)/, ''));
      const removedIn = (i) => lines[i].length - dedented[i].length;
      const removed = lines.reduce((n, _, i) => n + removedIn(i), 0);
      if (!removed) return;
      const last = lines.length - 1;
      const lastStart = lineEnd - lines[last].length;
      replaceRange(textarea, lineStart, lineEnd, dedented.join('\n'));
      // A position moves left by what was removed before it (on its own line, at most its column).
      const newStart = start - Math.min(removedIn(0), start - lineStart);
      const newEnd = end - (removed - removedIn(last)) - Math.min(removedIn(last), end - lastStart);
      textarea.setSelectionRange(newStart, Math.max(newStart, newEnd));
    } else if (start !== end && block.includes('\n')) {
      const out = block.replace(/^/gm, '    ');
      replaceRange(textarea, lineStart, end, out);
      textarea.setSelectionRange(start + 4, end + out.length - block.length);
    } else {
      replaceRange(textarea, start, end, '    ');
    }
  });
  textarea.addEventListener('blur', () => (released = false));
  return textarea;
}

export default async function scriptEditPage(ctx) {
  const editing = ctx.params[0];
  ctx.title(editing ? `Edit ${editing}` : 'New script');
  let existing = null;
  if (editing) {
    existing = await api.get(ws(`/scripts/get/p/${editing}`));
    if (!ctx.isCurrent()) return;
  }
  const username = ctx.session.member.username;
  const path = h('input', { id: uid('path'), class: 'mono', required: true, value: existing ? existing.path : `u/${username}/`,
    readonly: !!existing, spellcheck: 'false' });
  const language = h('select', { id: uid('language') },
    languages.map((l) => h('option', { value: l.id, selected: existing ? existing.language === l.id : l.id === 'python3' }, l.label)),
    existing && !languages.some((l) => l.id === existing.language) ? h('option', { value: existing.language, selected: true }, existing.language) : null);
  const summary = h('input', { id: uid('summary'), value: existing ? existing.summary : '', maxlength: 300 });
  const description = h('textarea', { id: uid('description'), rows: 2 });
  description.value = existing ? existing.description || '' : '';
  const code = codeEditor(h('textarea', { id: uid('code'), class: 'code', spellcheck: 'false', autocapitalize: 'off' }));
  code.value = existing ? existing.content : templates.python3;
  // A fresh template follows the language until the user types.
  let untouched = !existing;
  code.addEventListener('input', () => (untouched = false));
  language.addEventListener('change', () => {
    if (untouched && templates[language.value]) code.value = templates[language.value];
  });

  const pathError = h('div');
  const saveError = h('div');
  const save = h('button', { type: 'submit', class: 'primary' }, existing ? 'Save new version' : 'Save');
  const form = h('form', { 'aria-label': existing ? 'Edit script' : 'New script', novalidate: true },
    h('div', { class: 'card' },
      h('div', { class: 'row' },
        h('div', { class: 'field', style: { flex: '2 1 300px' } },
          h('label', { for: path.id }, 'Path', h('span', { class: 'hint' }, ` — under u/${username}/ or f/<folder>/; it names the webhook`)),
          path, pathError),
        field('Language', language)),
      field('Summary', summary, 'one line, shown in lists'),
      field('Description', description),
      h('div', { class: 'field' },
        h('label', { for: code.id }, 'Code', h('span', { class: 'hint' }, ' — Tab indents, Shift+Tab dedents; Esc then Tab leaves the editor')),
        code)),
    saveError,
    h('div', { class: 'actions' }, save,
      h('a', { class: 'button', href: existing ? `/scripts/get/${existing.path}` : '/scripts' }, 'Cancel')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(pathError);
    clear(saveError);
    const p = path.value.trim();
    if (!pathRule.test(p)) {
      pathError.append(errorBox(`“${p}” is not a script path: write u/${username}/<name> or f/<folder>/<name>, with letters, digits, _ and -.`));
      return path.focus();
    }
    save.disabled = true;
    try {
      const body = { path: p, summary: summary.value, description: description.value, content: code.value, language: language.value };
      if (existing) body.parent_hash = existing.hash;
      await api.post(ws('/scripts/create'), body, { raw: true, keepPage: true });
      ctx.navigate(`/scripts/get/${p}`);
    } catch (err) {
      // An ended session must not throw the code away: log in elsewhere, then Save again.
      saveError.append(err.status === 401
        ? h('div', { class: 'error', role: 'alert' }, 'Your session has ended, so nothing was saved. ',
          h('a', { href: '/user/login', target: '_blank' }, 'Log in again in a new tab'), ', then press Save: your code is still here.')
        : errorBox(err));
      save.disabled = false;
    }
  });

  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, existing ? `Edit ${existing.path}` : 'New script'),
        h('div', { class: 'sub' }, existing ? 'Saving makes a new version; the current one keeps its by-version webhook.' : 'Saved scripts are webhooks at once.'))),
    form);
  (existing ? code : path).focus();
}
