// A JSON value typed in a textarea, checked before it is sent: read() returns the parsed value,
// or shows the parse error right under the editor (and marks it invalid) and returns undefined.
import { h, clear, errorBox, uid } from './dom.js';

export function jsonEditor(initial) {
  const textarea = h('textarea', { id: uid('json'), class: 'code json', spellcheck: 'false', autocapitalize: 'off',
    'aria-required': 'true' });
  textarea.value = initial === undefined ? '{\n  \n}' : JSON.stringify(initial, null, 2);
  const problem = h('div');
  // An old error would describe text that is gone.
  textarea.addEventListener('input', () => {
    clear(problem);
    textarea.removeAttribute('aria-invalid');
  });
  return {
    textarea,
    problem,
    read() {
      clear(problem);
      textarea.removeAttribute('aria-invalid');
      try {
        return JSON.parse(textarea.value);
      } catch (e) {
        textarea.setAttribute('aria-invalid', 'true');
        problem.append(errorBox(`Not valid JSON, so nothing was sent: ${e.message}`));
        textarea.focus();
        return undefined;
      }
    },
  };
}
