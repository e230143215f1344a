// Where the API's answer to a save goes: next to the Path field when it is about the path (an
// invalid path, one already taken, one the user may not write at), else under the form. An
// ended session keeps the form: what was typed is still there after logging in again.
import { h, clear, errorBox } from './dom.js';

// An ended session must not throw the user's work away: log in elsewhere, then save again.
export function sessionEndedBox(what = 'the form') {
  return h('div', { class: 'error', role: 'alert' }, 'Your session has ended, so nothing was saved. ',
    h('a', { href: '/user/login', target: '_blank' }, 'Log in again in a new tab'), `, then save again: ${what} is still here.`);
}

// Ctrl/Cmd+S anywhere on the page submits `form` (the code editor's own key does the same);
// returns what stops listening, for the page's onLeave.
export function saveOnCtrlS(form) {
  const onKey = (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 's') {
      e.preventDefault();
      form.requestSubmit();
    }
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}

export function showSaveError(err, path, { pathBox, formBox, pathInput }) {
  clear(pathBox);
  clear(formBox);
  if (err.status === 401) {
    formBox.append(sessionEndedBox());
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
