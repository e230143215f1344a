// Home: the three things people come for — a webhook URL, a token, proof that a call ran.
import { api, ws, query } from '../api.js';
import { h, clear, errorBox } from '../dom.js';
import { timeAgo, jobStatus, duration, triggeredBy } from '../format.js';

export default async function homePage(ctx) {
  ctx.title('Home');
  const recent = h('div', {}, h('p', { class: 'muted' }, 'Loading recent runs…'));
  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, `Welcome, ${ctx.session.member.username}`),
        h('div', { class: 'sub' }, 'Every script you save is a webhook. Workspace ', h('code', {}, ctx.workspace), '.'))),
    h('div', { class: 'grid-2' },
      h('section', { class: 'card', 'aria-labelledby': 'home-start' },
        h('h2', { id: 'home-start' }, 'Get started'),
        h('ol', {},
          h('li', {}, h('a', { href: '/scripts/add' }, 'Write a script'), ' — it gets an async and a sync webhook at once.'),
          h('li', {}, h('a', { href: '/scripts' }, 'Open its page'), ' to copy its webhook URLs and a ready-to-run curl.'),
          h('li', {}, h('a', { href: '/user/settings' }, 'Create a token'), ' (or one for a single webhook on the script page).'),
          h('li', {}, 'Check that your call ran in ', h('a', { href: '/audit_logs' }, 'Audit logs'), ' and ', h('a', { href: '/runs' }, 'Runs'), '.'))),
      h('section', { class: 'card', 'aria-labelledby': 'home-recent' },
        h('h2', { id: 'home-recent' }, 'Recent runs'), recent)));
  try {
    const jobs = await api.get(ws('/jobs/list' + query({ per_page: 8, has_null_parent: true })));
    if (!ctx.isCurrent()) return;
    if (!jobs.length) {
      clear(recent, h('p', { class: 'empty' }, 'No runs yet — ', h('a', { href: '/scripts' }, 'run a script'), '.'));
      return;
    }
    clear(recent, h('ul', { class: 'plain' }, jobs.map((j) => {
      const st = jobStatus(j);
      return h('li', {},
        h('span', { class: `status ${st}` }, st), ' ',
        h('a', { href: `/run/${j.id}` }, j.script_path || j.job_kind), ' ',
        h('span', { class: 'muted small' }, `${timeAgo(j.created_at)} · ${triggeredBy(j.created_by)}`,
          j.duration_ms !== undefined ? ` · ${duration(j.duration_ms)}` : ''));
    })));
  } catch (e) {
    clear(recent, errorBox(e));
  }
}
