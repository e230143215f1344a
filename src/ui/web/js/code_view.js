// Read-only code with light syntax colouring (comments, strings, keywords, numbers) for Python,
// Bash and TypeScript. Builds text nodes and spans, never HTML strings.
import { h } from './dom.js';

const keywords = {
  python3: 'def return if elif else for while in not and or import from as with try except finally raise class lambda None True False async await yield pass break continue global',
  bash: 'if then else elif fi for while do done case esac in function return local export set echo exit',
  default: 'function return if else for while const let var import from export async await new class try catch finally throw true false null undefined of in',
};

export function codeView(content, language) {
  const words = new Set((keywords[language] || keywords.default).split(' '));
  const comment = language === 'python3' || language === 'bash' ? '#' : '//';
  const pre = h('pre', { class: 'code-view', tabindex: '0', 'aria-label': 'Code' });
  // One regex, alternatives in priority order: comment, string, word, number.
  const re = new RegExp(`(${comment === '#' ? '#' : '\\/\\/'}[^\\n]*)|("(?:[^"\\\\\\n]|\\\\.)*"|'(?:[^'\\\\\\n]|\\\\.)*'|\`(?:[^\`\\\\]|\\\\.)*\`)|([A-Za-z_][A-Za-z0-9_]*)|(\\b\\d+(?:\\.\\d+)?\\b)`, 'g');
  let last = 0;
  for (const m of content.matchAll(re)) {
    if (m.index > last) pre.append(content.slice(last, m.index));
    if (m[1]) pre.append(h('span', { class: 'tok-comment' }, m[1]));
    else if (m[2]) pre.append(h('span', { class: 'tok-string' }, m[2]));
    else if (m[3]) pre.append(words.has(m[3]) ? h('span', { class: 'tok-keyword' }, m[3]) : m[3]);
    else pre.append(h('span', { class: 'tok-number' }, m[4]));
    last = m.index + m[0].length;
  }
  pre.append(content.slice(last));
  return pre;
}

// Long code starts collapsed to its first `lines` lines, with a button that shows it all: a
// page with a large script stays quick to draw and to scroll past.
export function collapsedCodeView(content, language, lines = 40) {
  const all = content.split('\n');
  if (all.length <= lines + 5) return codeView(content, language); // a few more lines are no burden
  const box = h('div', { class: 'code-collapsed' });
  const more = h('button', { type: 'button', class: 'small' }, `Show all ${all.length} lines`);
  more.addEventListener('click', () => {
    const full = codeView(content, language);
    box.replaceWith(full);
    full.focus();
  });
  box.append(codeView(all.slice(0, lines).join('\n'), language),
    h('p', { class: 'muted small' }, `The first ${lines} of ${all.length} lines. `, more));
  return box;
}
