// Login with email and password; the API sets the session cookie.
import { api } from '../api.js';
import { h, clear, errorBox, field, uid } from '../dom.js';
import { resetSession } from '../main.js';

export default async function loginPage(ctx) {
  ctx.title('Log in');
  // Only a page of this app: never another site (an open redirect would help phishing).
  let target = '/';
  try {
    const next = new URL(ctx.query.get('next') || '/', location.origin);
    if (next.origin === location.origin) target = next.pathname + next.search + next.hash;
  } catch {
    // not a URL: go home
  }
  const email = h('input', { id: uid('email'), type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: uid('password'), type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const status = h('div');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const form = h('form', { class: 'card', 'aria-label': 'Log in' },
    h('h1', {}, 'Log in'),
    h('p', { class: 'muted' }, 'Use the email and password of your Millrace account.'),
    field('Email', email), field('Password', password), status, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    clear(status);
    try {
      await api.post('/auth/login', { email: email.value.trim(), password: password.value });
      resetSession();
      ctx.navigate(target, { replace: true });
    } catch (err) {
      status.append(errorBox(err));
      submit.disabled = false;
      password.focus();
    }
  });
  clear(ctx.main, h('div', { class: 'login' },
    h('div', { class: 'brand' }, h('img', { src: '/favicon.svg', alt: '' }), 'Millrace'), form));
  email.focus();
}
