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
