// Settings → Tokens: the user's API tokens (the API only ever returns their prefix), creating
// one (its full text is shown once, right here) and deleting one.
import { api, ws } from '../api.js';
import { h, clear, errorBox, field, uid, copyButton, confirmDialog, progress, stackOnPhones } from '../dom.js';
import { dateTime, timeAgo } from '../format.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export default async function settingsPage(ctx) {
  ctx.title('Tokens · Settings');
  const createdBox = h('div'); // the one-time display of a new token
  const listBox = h('div', {}, progress('Loading tokens'));

  const refresh = async () => {
    try {
      const tokens = await api.get('/users/tokens/list');
      if (!ctx.isCurrent()) return;
      clear(listBox, tokenTable(tokens, refresh, forget));
    } catch (e) {
      if (ctx.isCurrent()) clear(listBox, errorBox(e));
    }
  };

  // The token just created is shown until it is deleted: then its value goes too.
  let shownToken = null;
  const forget = (prefix) => {
    if (shownToken && shownToken.startsWith(prefix)) {
      shownToken = null;
      clear(createdBox);
    }
  };
  const form = createForm(ctx, (token, label) => {
    shownToken = token;
    const copy = copyButton(token, 'Copy', 'token');
    clear(createdBox, h('div', { class: 'notice', role: 'status' },
      h('p', {}, h('strong', {}, `Token “${label}” created.`), ' You will not see this token again.',
        ' Copy it now and keep it somewhere safe, like a CI secret.'),
      h('div', { class: 'secret' }, h('code', {}, token), copy)));
    // Keyboard users land on the one control that matters now.
    copy.focus();
    refresh();
  });

  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', {}, 'Tokens'),
        h('div', { class: 'sub' }, 'Tokens let scripts, CI jobs and webhook callers use the API as you. ',
          'Send one as ', h('code', {}, 'Authorization: Bearer <token>'), ' or as ', h('code', {}, '?token=<token>'), '.'))),
    form,
    createdBox,
    h('section', { 'aria-labelledby': 'tokens-list' },
      h('h2', { id: 'tokens-list', tabindex: '-1' }, 'Your tokens'),
      listBox));
  await refresh();
}

// The create form. onCreated(token, label) is called with the token text the API returned.
function createForm(ctx, onCreated) {
  const label = h('input', { id: uid('token-label'), type: 'text', name: 'label', maxlength: 255,
    autocomplete: 'off', 'aria-required': 'true' });
  const expiration = h('select', { id: uid('token-expiration'), name: 'expiration' },
    h('option', { value: 'never' }, 'never'),
    h('option', { value: '1d' }, '1 day'),
    h('option', { value: '30d' }, '30 days'),
    h('option', { value: 'date' }, 'on a date…'));
  const expiresOn = h('input', { id: uid('token-date'), type: 'date', name: 'expires_on', min: localDate(new Date()) });
  const dateField = field('Expires on', expiresOn, 'valid until the end of that day');
  dateField.hidden = true;
  expiration.addEventListener('change', () => {
    dateField.hidden = expiration.value !== 'date';
    if (!dateField.hidden) expiresOn.focus();
  });
  const scope = h('select', { id: uid('token-scope'), name: 'scope' },
    h('option', { value: '' }, 'all (full access)'));
  const scopeHint = h('span', { class: 'hint' }, ' — loading scripts…');
  const scopeErrors = h('div');
  const status = h('div');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create token');

  // novalidate: an empty label is explained in words below the form, not in a browser tooltip.
  const form = h('form', { class: 'card', 'aria-labelledby': 'tokens-create', novalidate: true },
    h('h2', { id: 'tokens-create' }, 'Create a token'),
    h('div', { class: 'row' },
      field('Label', label, 'required'),
      field('Expiration', expiration),
      dateField,
      h('div', { class: 'field' }, h('label', { for: scope.id }, 'Scope', scopeHint), scope)),
    scopeErrors,
    status,
    h('div', { class: 'actions' }, submit));

  loadTargets(ctx, scope, scopeHint, scopeErrors);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(status);
    label.removeAttribute('aria-invalid');
    const body = { label: label.value.trim() };
    if (!body.label) {
      label.setAttribute('aria-invalid', 'true');
      status.append(errorBox('Give the token a label, so you can tell it apart later (for example “ci-deploy”).'));
      label.focus();
      return;
    }
    const expires = expirationDate(expiration.value, expiresOn.value);
    if (expires instanceof Error) {
      status.append(errorBox(expires));
      expiresOn.focus();
      return;
    }
    if (expires) body.expiration = expires.toISOString();
    if (scope.value) {
      body.scopes = [scope.value];
      // A token for one script of this workspace has no business in another workspace.
      body.workspace_id = ctx.workspace;
    }
    submit.disabled = true;
    try {
      const token = String(await api.post('/users/tokens/create', body)).trim();
      if (!ctx.isCurrent()) return;
      // Back to the defaults, so the next token is not scoped or dated by accident.
      form.reset();
      dateField.hidden = true;
      onCreated(token, body.label);
    } catch (err) {
      status.append(errorBox(err));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

// The expiration instant chosen in the form: null for never, an Error for a bad date.
function expirationDate(choice, dateText) {
  if (choice === '1d') return new Date(Date.now() + DAY_MS);
  if (choice === '30d') return new Date(Date.now() + 30 * DAY_MS);
  if (choice !== 'date') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateText);
  if (!m) return new Error('Pick the date the token should expire on.');
  // Midnight (local time) after the chosen day: the token works through that whole day.
  const end = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1);
  if (end.getTime() <= Date.now()) return new Error('Pick a date in the future.');
  return end;
}

// Fills the scope select with the scripts and flows of the current workspace.
async function loadTargets(ctx, select, hint, errors) {
  const scripts = api.get(ws('/scripts/list')).catch((e) => e);
  const flows = api.get(ws('/flows/list')).catch((e) => e);
  const [s, f] = await Promise.all([scripts, flows]);
  if (!ctx.isCurrent()) return;
  const group = (title, list, kind) => (Array.isArray(list) && list.length
    ? h('optgroup', { label: title }, list.map((x) => h('option', { value: `jobs:run:${kind}:${x.path}` },
      x.path + (x.summary ? ` — ${x.summary}` : ''))))
    : null);
  const groups = [group('Run one script', s, 'scripts'), group('Run one flow', f, 'flows')].filter(Boolean);
  for (const g of groups) select.append(g);
  const problems = [s, f].filter((x) => x instanceof Error);
  hint.textContent = groups.length
    ? ` — all, or only running one script${Array.isArray(f) && f.length ? ' or flow' : ''} of ${ctx.workspace}`
    : problems.length ? '' : ` — no scripts in ${ctx.workspace} yet`;
  clear(errors, problems.map((e) => errorBox(e)));
}

function tokenTable(tokens, refresh, forget) {
  if (!tokens.length) {
    return h('p', { class: 'empty' }, 'No tokens yet — create one above to call your webhooks from a script or CI.');
  }
  return stackOnPhones(h('div', { class: 'table-wrap' },
    h('table', {},
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Label'),
        h('th', { scope: 'col' }, 'Prefix'),
        h('th', { scope: 'col' }, 'Scopes'),
        h('th', { scope: 'col', class: 'hide-phone' }, 'Created'),
        h('th', { scope: 'col', class: 'hide-phone' }, 'Last used'),
        h('th', { scope: 'col' }, 'Expires'),
        h('th', { scope: 'col', class: 'actions-col' }, h('span', { class: 'sr-only' }, 'Actions')))),
      h('tbody', {}, tokens.map((t) => tokenRow(t, refresh, forget))))));
}

function tokenRow(t, refresh, forget) {
  const name = t.label || '(no label)';
  const shown = t.label === 'session' ? 'session (browser login)' : name;
  const actionCell = h('td', { class: 'token-actions' });
  const del = h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete token ${shown} (${t.token_prefix}…)` }, 'Delete');
  del.addEventListener('click', async () => {
    const what = t.label === 'session'
      ? `Delete the browser session ${t.token_prefix}…? The browser logged in with it will be logged out.`
      : `Delete the token “${name}” (${t.token_prefix}…)? Anything still using it will be refused.`;
    if (!(await confirmDialog(what, 'Delete'))) return;
    actionCell.querySelector('.error')?.remove();
    del.disabled = true;
    try {
      await api.del(`/users/tokens/delete/${encodeURIComponent(t.token_prefix)}`);
      forget(t.token_prefix);
      await refresh();
      // The row (and the focused button) is gone: keyboard users continue from the list.
      document.getElementById('tokens-list')?.focus();
    } catch (e) {
      del.disabled = false;
      actionCell.append(errorBox(e));
    }
  });
  actionCell.append(del);
  return h('tr', {},
    h('td', {}, t.label === 'session' ? h('span', { class: 'muted' }, shown) : name,
      t.read_only ? [' ', h('span', { class: 'badge' }, 'read-only')] : null),
    h('td', { class: 'token-prefix' }, h('code', {}, `${t.token_prefix}…`)),
    h('td', {}, scopesCell(t)),
    h('td', { class: 'hide-phone nowrap' }, dateTime(t.created_at)),
    // Made and never used since: its last use is the moment it was made.
    !t.last_used_at || t.last_used_at === t.created_at
      ? h('td', { class: 'hide-phone nowrap muted' }, 'never')
      : h('td', { class: 'hide-phone nowrap', title: dateTime(t.last_used_at) }, timeAgo(t.last_used_at)),
    h('td', { class: 'nowrap' }, t.expiration
      // On phones "in 3 days" alone says enough.
      ? [h('span', { class: 'hide-phone' }, dateTime(t.expiration), h('br')),
        h('span', { class: 'small muted' }, timeUntil(t.expiration))]
      : 'never'),
    actionCell);
}

function scopesCell(t) {
  const scopes = Array.isArray(t.scopes) ? t.scopes : [];
  return [
    scopes.length ? h('ul', { class: 'plain scopes' }, scopes.map((s) => h('li', {}, h('code', {}, s))))
      : 'all (full access)',
    t.workspace_id ? h('div', { class: 'small muted' }, `workspace ${t.workspace_id} only`) : null,
  ];
}

// "in 3 h", "in 30 days", or "expired" — how long a token has left.
function timeUntil(iso, now = Date.now()) {
  const s = (Date.parse(iso) - now) / 1000;
  if (s <= 0) return 'expired';
  const m = Math.round(s / 60);
  if (m < 60) return `in ${m} min`;
  const hours = m / 60;
  if (hours < 23.5) return `in ${Math.round(hours)} h`;
  const days = Math.round(hours / 24);
  return `in ${days} ${days === 1 ? 'day' : 'days'}`;
}

// YYYY-MM-DD of a date in local time (what <input type=date> uses).
function localDate(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
