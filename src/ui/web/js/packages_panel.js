// The "Packages" section of a script page: the lock its version runs with (Python's
// `name==version` lines, or the npm packages of its package.json), resolved when it was saved;
// "Resolving…" until then (the page asks again every second), and the resolver's words when it
// failed. Relock saves the same code as a new version without its lock, which resolves the
// newest versions its imports allow; older versions keep theirs, by-version webhooks too.
import { api, ws } from './api.js';
import { h, clear, errorBox } from './dom.js';

const kSeparator = '\n//package-lock.json\n';
// What a new version carries over from the one it replaces, besides the code.
const kCarried = ['summary', 'description', 'content', 'language', 'schema', 'kind', 'timeout', 'tag',
  'dedicated_worker', 'no_network', 'envs', 'concurrent_limit', 'concurrency_time_window_s', 'cache_ttl',
  'restart_unless_cancelled', 'delete_after_use', 'visible_to_runner_only', 'on_behalf_of_email', 'priority'];

// The packages a lock names, as "name version" lines.
export function lockedPackages(lock) {
  if (!lock) return [];
  const at = lock.indexOf(kSeparator);
  if (at >= 0) {
    try {
      const packages = JSON.parse(lock.slice(at + kSeparator.length)).packages || {};
      return Object.entries(packages)
        .filter(([where]) => where.startsWith('node_modules/'))
        .map(([where, p]) => `${where.slice('node_modules/'.length)} ${p.version || ''}`.trim());
    } catch {
      return [];
    }
  }
  return lock.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => l.replace('==', ' '));
}

// null when the version needs no package. `canRelock`: the page shows the newest live version.
export function packagesPanel(ctx, script, { canRelock }) {
  const status = script.lock_status || (script.lock == null ? 'pending' : 'ready');
  if (status === 'ready' && !script.lock) return null;
  const body = h('div');
  const relockError = h('div');
  const relock = h('button', { type: 'button', onclick: async () => {
    clear(relockError);
    const version = { path: script.path, parent_hash: script.hash };
    for (const key of kCarried) if (script[key] !== undefined && script[key] !== null) version[key] = script[key];
    try {
      const hash = await api.post(ws('/scripts/create'), version, { raw: true });
      ctx.navigate(`/scripts/get/${script.path}?hash=${hash}`);
    } catch (e) {
      relockError.append(errorBox(e));
    }
  } }, 'Relock');
  const section = h('section', { class: 'card', 'aria-labelledby': 'packages-title' },
    h('h2', { id: 'packages-title' }, 'Packages'), body,
    canRelock ? h('p', {}, relock,
      h('span', { class: 'small muted' }, ' a new version, with the newest packages its imports allow')) : null,
    relockError);
  show(ctx, script, status, body);
  return section;
}

function show(ctx, script, status, body) {
  if (status === 'pending') {
    clear(body, h('p', { role: 'status' }, 'Resolving its imports into a lock… Runs wait for it.'));
    setTimeout(async () => {
      if (!ctx.isCurrent()) return;
      try {
        const again = await api.get(ws(`/scripts/get/h/${script.hash}`));
        if (ctx.isCurrent()) show(ctx, again, again.lock_status, body);
      } catch (e) {
        if (ctx.isCurrent()) clear(body, errorBox(e));
      }
    }, 1000);
    return;
  }
  if (status === 'failed') {
    clear(body,
      h('p', { class: 'caution', role: 'status' }, 'Its imports could not be resolved: every run of this version fails with these words.'),
      h('pre', { class: 'logs', 'aria-label': 'Lock error' }, script.lock_error_logs || ''));
    return;
  }
  const packages = lockedPackages(script.lock);
  clear(body,
    h('p', { class: 'muted small', role: 'status' }, `Locked: ${packages.length} package${packages.length === 1 ? '' : 's'}, installed once on each server.`),
    h('ul', { class: 'plain mono', 'aria-label': 'Locked packages' }, packages.map((p) => h('li', {}, p))));
}
