// A secret variable's value as a list shows it: hidden (••••) until the user asks. Reveal reads
// it with variables/get, which opens the secret and writes a variables.decrypt_secret audit row:
// the user is told so, since someone reviewing the log will see their name.
import { api, ws } from './api.js';
import { h, clear, errorBox, copyButton } from './dom.js';

export function secretValue(path) {
  const box = h('div', { class: 'secret-value' });
  const hide = () => clear(box,
    h('span', { class: 'masked', 'aria-hidden': 'true' }, '••••'),
    h('span', { class: 'sr-only' }, 'hidden'), ' ',
    h('button', { type: 'button', class: 'small', 'aria-label': `Reveal ${path}`, title: 'Recorded in the audit log',
      onclick: reveal }, 'Reveal'));
  async function reveal(e) {
    const button = e.currentTarget;
    button.disabled = true;
    box.querySelector('.error')?.remove();
    try {
      const variable = await api.get(ws(`/variables/get/${path}?decrypt_secret=true`));
      const value = variable.value ?? '';
      clear(box,
        h('div', { class: 'secret' }, h('code', {}, value), copyButton(value, 'Copy', `value of ${path}`),
          h('button', { type: 'button', class: 'small', 'aria-label': `Hide ${path}`, onclick: hide }, 'Hide')),
        h('div', { class: 'small muted' }, 'This reveal is recorded in the audit log (',
          h('code', {}, 'variables.decrypt_secret'), ').'));
    } catch (err) {
      button.disabled = false;
      box.append(errorBox(err));
    }
  }
  hide();
  return box;
}
