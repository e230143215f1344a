// The app's code editor: CodeMirror 6, bundled by esbuild at build time into
// /js/bundle/code_editor.js (see src/ui/CMakeLists.txt) and loaded only by the pages that edit
// code. Highlighting for Python, TypeScript/JavaScript, Bash, JSON and YAML; bracket matching,
// indentation, search, line numbers, history. Colours come from the app's CSS variables, so the
// dark theme follows the app's. Tab indents; Esc then Tab leaves the editor, as everywhere.
//
// The editor lives in a shadow root of its host element: there CodeMirror's own styles go into
// a constructed style sheet, which the app's Content-Security-Policy (no inline styles) allows,
// where in the page they would be a <style> element it refuses. CSS variables still reach in.
import { EditorState, Compartment } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  highlightSpecialChars, drawSelection, placeholder as placeholderText,
} from '@codemirror/view';
import {
  defaultKeymap, history, historyKeymap, indentWithTab, temporarilySetTabFocusMode,
} from '@codemirror/commands';
import {
  bracketMatching, indentOnInput, foldGutter, foldKeymap, syntaxHighlighting, StreamLanguage,
  indentUnit, HighlightStyle,
} from '@codemirror/language';
import { search, searchKeymap, highlightSelectionMatches } from '@codemirror/search';
import {
  autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap,
} from '@codemirror/autocomplete';
import { python } from '@codemirror/lang-python';
import { javascript } from '@codemirror/lang-javascript';
import { shell } from '@codemirror/legacy-modes/mode/shell';
import { yaml } from '@codemirror/legacy-modes/mode/yaml';
import { tags as t } from '@lezer/highlight';

// The app's language ids (Windmill's) → CodeMirror's support for them.
function languageSupport(language) {
  switch (language) {
    case 'python3':
      return python();
    case 'bash':
      return StreamLanguage.define(shell);
    case 'javascript':
      return javascript();
    case 'json':
      return javascript(); // JSON highlights as the object literal it is
    case 'yaml':
      return StreamLanguage.define(yaml);
    default: // bun, nativets, deno, typescript
      return javascript({ typescript: true });
  }
}

// Token colours, from app.css's variables (light and dark).
const appHighlight = HighlightStyle.define([
  { tag: [t.comment, t.lineComment, t.blockComment], color: 'var(--muted)', fontStyle: 'italic' },
  { tag: [t.string, t.special(t.string), t.regexp], color: 'var(--ok)' },
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword, t.operatorKeyword, t.self],
    color: 'var(--running)', fontWeight: '600' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--warn)' },
  { tag: [t.function(t.definition(t.variableName)), t.definition(t.variableName), t.className,
    t.function(t.variableName)], color: 'var(--accent)' },
  { tag: [t.typeName, t.standard(t.typeName)], color: 'var(--warn)' },
  { tag: [t.operator, t.punctuation, t.bracket], color: 'var(--muted)' },
  { tag: t.invalid, color: 'var(--bad)' },
]);

// Sizes and colours from app.css (--surface, --border, --accent...), never hard-coded here.
const appTheme = EditorView.theme({
  '&': { color: 'var(--text)', backgroundColor: 'var(--surface)', fontSize: '13px',
    border: '1px solid var(--border)', borderRadius: 'var(--radius)', maxHeight: '70vh' },
  '.cm-scroller': { overflow: 'auto' },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '1px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.45' },
  '.cm-content': { caretColor: 'var(--text)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--text)' },
  '.cm-gutters': { backgroundColor: 'var(--surface-2)', color: 'var(--muted)', border: 'none',
    borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { backgroundColor: 'var(--surface-2)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--surface-2)', color: 'var(--text)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection':
    { backgroundColor: 'var(--accent-soft) !important' },
  '.cm-matchingBracket': { backgroundColor: 'var(--accent-soft)', outline: '1px solid var(--accent)' },
  '.cm-searchMatch': { backgroundColor: 'var(--warn-soft)', outline: '1px solid var(--warn)' },
  '.cm-panels': { backgroundColor: 'var(--surface-2)', color: 'var(--text)' },
  '.cm-tooltip': { backgroundColor: 'var(--surface)', border: '1px solid var(--border)' },
});

// options: { doc, language, label (its accessible name), minLines, onChange(text), onSave(),
// completions(context) (optional extra completion source), readOnly }
export function createCodeEditor(options) {
  const languageSlot = new Compartment();
  const saveKeys = options.onSave
    ? [{ key: 'Mod-s', preventDefault: true, run: () => (options.onSave(), true) }]
    : [];
  const extensions = [
    lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), foldGutter(),
    drawSelection(), indentOnInput(), bracketMatching(), closeBrackets(), highlightActiveLine(),
    highlightSelectionMatches(), search({ top: true }), indentUnit.of('    '),
    autocompletion(options.completions ? { override: [options.completions] } : {}),
    syntaxHighlighting(appHighlight), appTheme,
    keymap.of([
      ...saveKeys, ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap,
      ...foldKeymap, ...completionKeymap, indentWithTab,
      // After the others, so an open completion or search panel takes Escape first.
      { key: 'Escape', run: temporarilySetTabFocusMode },
    ]),
    languageSlot.of(languageSupport(options.language)),
    EditorView.contentAttributes.of({ 'aria-label': options.label || 'Code' }),
    EditorView.updateListener.of((u) => {
      if (u.docChanged && options.onChange) options.onChange(u.state.doc.toString());
    }),
  ];
  if (options.placeholder) extensions.push(placeholderText(options.placeholder));
  if (options.readOnly) extensions.push(EditorState.readOnly.of(true));
  if (options.minLines) {
    extensions.push(EditorView.theme({ '.cm-content, .cm-gutter': { minHeight: `${options.minLines * 1.45}em` } }));
  }
  const host = document.createElement('div');
  host.className = 'code-editor';
  const shadow = host.attachShadow({ mode: 'open' });
  const view = new EditorView({
    state: EditorState.create({ doc: options.doc || '', extensions }), parent: shadow, root: shadow,
  });
  return {
    dom: host,
    view,
    value: () => view.state.doc.toString(),
    // Replaces the whole text (as one undoable change).
    setValue: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    setLanguage: (language) => view.dispatch({ effects: languageSlot.reconfigure(languageSupport(language)) }),
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}

// The text of the editor that `element` (its root or any part of it) belongs to; null when it
// is in none. For the pages' tests, which read what the editor holds.
export function editorText(element) {
  const view = EditorView.findFromDOM(element.closest('.cm-editor') || element);
  return view ? view.state.doc.toString() : null;
}
