// Where the API's answer to a save goes: next to the Path field when it is about the path (an
// invalid path, one already taken, one the user may not write at), else under the form. An
// ended session keeps the form: what was typed is still there after logging in again.
import { h, clear, errorBox } from './dom.js';

export function showSaveError(err, path, { pathBox, formBox, pathInput }) {
  clear(pathBox);
  clear(formBox);
  if (err.status === 401) {
    formBox.append(h('div', { class: 'error', role: 'alert' }, 'Your session has ended, so nothing was saved. ',
      h('a', { href: '/user/login', target: '_blank' }, 'Log in again in a new tab'), ', then save again: the form is still here.'));
    return;
  }
  if (/\bpath\b/i.test(err.message) || (path && err.message.includes(path))) {
    pathInput.setAttribute('aria-invalid', 'true');
    pathBox.append(errorBox(err));
    pathInput.focus();
    return;
  }
  formBox.append(errorBox(err));
}
