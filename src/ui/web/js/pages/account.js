// The user's own page: who they are, their password, their workspaces; and for a workspace's
// admins, its members — added, made admin or operator, removed.
import { api, ws } from '../api.js';
import { h, clear, errorBox, field, uid, confirmDialog, stackOnPhones } from '../dom.js';
import { dateTime } from '../format.js';

export default async function accountPage(ctx) {
  ctx.title('Account');
  const { user, member, workspaces } = ctx.session;
  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Account'),
        h('div', { class: 'sub' }, user.email, ' · ', h('code', {}, `u/${member.username}`),
          user.super_admin ? ' · superadmin' : ''))),
    passwordCard(),
    h('section', { class: 'card', 'aria-labelledby': 'my-workspaces' },
      h('h2', { id: 'my-workspaces' }, 'Your workspaces'),
      h('ul', { class: 'plain' }, workspaces.map((w) => h('li', {},
        w.id === ctx.workspace ? h('strong', {}, `${w.name} (${w.id}) — current`)
          : h('a', { href: `/?workspace=${encodeURIComponent(w.id)}` }, `${w.name} (${w.id})`))))),
    member.is_admin || user.super_admin ? membersCard(ctx) : null);
}

function passwordCard() {
  const fresh = h('input', { id: uid('pw'), type: 'password', autocomplete: 'new-password', minlength: 8 });
  const again = h('input', { id: uid('pw2'), type: 'password', autocomplete: 'new-password' });
  const out = h('div', { 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Change password');
  const form = h('form', { 'aria-label': 'Change password', novalidate: true },
    field('New password', fresh, 'at least 8 characters'), field('Repeat it', again),
    h('div', { class: 'actions' }, button), out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(out);
    if (fresh.value.length < 8) return out.append(errorBox('The password is shorter than 8 characters.'));
    if (fresh.value !== again.value) return out.append(errorBox('The two passwords differ: type the same one twice.'));
    button.disabled = true;
    try {
      await api.post('/users/setpassword', { password: fresh.value }, { raw: true, keepPage: true });
      fresh.value = '';
      again.value = '';
      out.append(h('p', { class: 'notice', role: 'status' }, 'Password changed. Use it at your next login; this session goes on.'));
    } catch (err) {
      out.append(errorBox(err));
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'password-title' }, h('h2', { id: 'password-title' }, 'Password'), form);
}

const ROLES = [['member', 'Member'], ['operator', 'Operator (runs, never writes)'], ['admin', 'Admin']];
const roleOf = (m) => (m.is_admin ? 'admin' : m.operator ? 'operator' : 'member');

function membersCard(ctx) {
  const box = h('div', {}, h('p', { class: 'muted' }, 'Loading members…'));
  const load = async () => {
    try {
      const members = await api.get(ws('/users/list'));
      if (!ctx.isCurrent()) return;
      clear(box, stackOnPhones(h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Member'), h('th', {}, 'Email'), h('th', {}, 'Role'), h('th', { class: 'hide-phone' }, 'Since'), h('th', {}, ''))),
        h('tbody', {}, members.map((m) => memberRow(ctx, m, load)))))));
    } catch (e) {
      if (ctx.isCurrent()) clear(box, errorBox(e));
    }
  };
  load();
  return h('section', { class: 'card', 'aria-labelledby': 'members-title' },
    h('h2', { id: 'members-title' }, `Members of ${ctx.workspace}`), box, addMemberForm(load));
}

function memberRow(ctx, m, reload) {
  const problem = h('div');
  const role = h('select', { 'aria-label': `Role of ${m.username}` },
    ROLES.map(([v, label]) => h('option', { value: v, selected: roleOf(m) === v }, label)));
  role.addEventListener('change', async () => {
    clear(problem);
    try {
      await api.post(ws(`/users/update/${encodeURIComponent(m.username)}`),
        { is_admin: role.value === 'admin', operator: role.value === 'operator' }, { raw: true });
      await reload();
    } catch (e) {
      role.value = roleOf(m);
      problem.append(errorBox(e));
    }
  });
  const remove = h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove ${m.username}` }, 'Remove');
  remove.addEventListener('click', async () => {
    clear(problem);
    if (!(await confirmDialog(`Remove ${m.username} (${m.email}) from ${ctx.workspace}? They keep their account and other workspaces.`, 'Remove'))) return;
    try {
      await api.del(ws(`/users/delete/${encodeURIComponent(m.username)}`));
      await reload();
    } catch (e) {
      problem.append(errorBox(e));
    }
  });
  const me = m.email === ctx.session.user.email;
  return h('tr', {},
    h('td', { class: 'mono' }, m.username, me ? h('span', { class: 'muted small' }, ' (you)') : null),
    h('td', {}, m.email),
    h('td', {}, role, problem),
    h('td', { class: 'hide-phone' }, dateTime(m.created_at)),
    h('td', {}, remove));
}

function addMemberForm(reload) {
  const email = h('input', { id: uid('member-email'), type: 'email', autocomplete: 'off', placeholder: 'someone@example.com' });
  const role = h('select', { id: uid('member-role') }, ROLES.map(([v, label]) => h('option', { value: v }, label)));
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { 'aria-label': 'Add a member', class: 'row', novalidate: true },
    field('Email of the user to add', email), field('Role', role),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add')), out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(out);
    try {
      await api.post(ws('/workspaces/add_user'), { email: email.value.trim(), is_admin: role.value === 'admin', operator: role.value === 'operator' }, { raw: true });
      email.value = '';
      await reload();
    } catch (err) {
      out.append(errorBox(err.status === 404 ? `No user has the email ${email.value.trim()}: a superadmin creates users first.` : err));
    }
  });
  return form;
}
