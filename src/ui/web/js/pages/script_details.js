// Script details, the heart of the app: what the script is, its webhooks, a run form, its
// recent runs, the variables and resources it uses, the packages it is locked to, its code and
// its versions. ?hash=<h> shows an older version (and its pinned URL).
import { api, ws } from '../api.js';
import { h, clear, errorBox, copyButton, confirmDialog, stackOnPhones } from '../dom.js';
import { timeAgo, dateTime } from '../format.js';
import { webhooksPanel } from '../webhooks_panel.js';
import { webhookUrls } from '../examples.js';
import { collapsedCodeView } from '../code_view.js';
import { runSection, loadRuns } from '../run_panel.js';
import { usesPanel } from '../uses_panel.js';
import { packagesPanel } from '../packages_panel.js';
import { routesPanel } from '../routes_panel.js';

export default async function scriptDetailsPage(ctx) {
  const path = ctx.params[0];
  const wantedHash = ctx.query.get('hash');
  ctx.title(path);
  clear(ctx.main, h('p', { class: 'muted' }, 'Loading ', path, '…'));
  let latest;
  let shown;
  try {
    [latest, shown] = await Promise.all([
      api.get(ws(`/scripts/get/p/${path}`)),
      wantedHash ? api.get(ws(`/scripts/get/h/${encodeURIComponent(wantedHash)}`)) : null,
    ]);
  } catch (e) {
    if (!ctx.isCurrent() || e.status === 401) return;
    // The loading line goes: what is left is what went wrong, and where to go from here.
    clear(ctx.main,
      h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, e.status === 404 ? 'Script not found' : 'Script'),
        h('div', { class: 'sub mono' }, path))),
      errorBox(e),
      h('p', {}, h('a', { href: '/scripts' }, 'See all scripts'), ' · ',
        h('a', { href: '/scripts/add' }, 'Write a new script')));
    return;
  }
  if (!ctx.isCurrent()) return;
  const script = shown || latest;
  const isLatest = script.hash === latest.hash;

  const runsBox = h('div', {}, h('p', { class: 'muted' }, 'Loading runs…'));
  const versionsBox = h('div', {}, h('p', { class: 'muted' }, 'Loading versions…'));
  const archived = latest.archived;
  const archiveError = h('div');
  const archive = h('button', { type: 'button', class: 'danger', onclick: async () => {
    clear(archiveError);
    if (!(await confirmDialog(`Archive ${path}? Its webhooks stop answering.`, 'Archive'))) return;
    try {
      await api.post(ws(`/scripts/archive/p/${path}`), {}, { raw: true });
      ctx.navigate('/scripts');
    } catch (e) {
      archiveError.append(errorBox(e));
    }
  } }, 'Archive');
  // Archived means stopped: no webhook answers until it is brought back.
  const unarchive = h('button', { type: 'button', onclick: async () => {
    clear(archiveError);
    try {
      await api.post(ws(`/scripts/archive/p/${path}`), { archived: false }, { raw: true });
      ctx.navigate(`/scripts/get/${path}`);
    } catch (e) {
      archiveError.append(errorBox(e));
    }
  } }, 'Unarchive');

  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', { class: 'mono' }, script.path,
          archived ? [' ', h('span', { class: 'badge', 'data-archived': '' }, 'archived')] : null),
        h('div', { class: 'sub' },
          script.summary ? `${script.summary} · ` : '', script.language, ' · version ', h('code', {}, script.hash),
          ` · edited ${timeAgo(script.created_at)} by ${script.created_by}`)),
      h('div', { class: 'actions' },
        archived ? null : h('a', { class: 'button primary', href: '#run' }, 'Run'),
        h('a', { class: 'button', href: `/scripts/edit/${path}` }, 'Edit'),
        archived ? unarchive : archive)),
    archiveError,
    archived ? h('p', { class: 'caution' }, 'This script is archived: its webhooks answer 404 and it runs by no route, ',
      'by path or by version, until it is unarchived.') : null,
    isLatest ? null : h('p', { class: 'caution' }, 'You are looking at an older version. Its by-version webhook runs exactly this code. ',
      h('a', { href: `/scripts/get/${path}` }, 'Show the latest version')),
    script.description ? h('p', {}, script.description) : null,
    archived ? null : webhooksPanel({ kind: 'script', path, version: script.hash, schema: script.schema, workspace: ctx.workspace }),
    archived ? null : routesPanel(ctx, { kind: 'script', path }),
    archived ? null : runSection(ctx, { kind: 'script', path, version: script.hash, isLatest, schema: script.schema },
      () => loadRuns(ctx, path, runsBox)),
    h('section', { class: 'card', 'aria-labelledby': 'runs-title' },
      h('h2', { id: 'runs-title' }, 'Recent runs'), runsBox,
      h('a', { href: `/runs?path=${encodeURIComponent(path)}` }, 'All runs of this script →')),
    usesPanel(ctx, script.content),
    packagesPanel(ctx, script, { canRelock: isLatest && !archived }),
    h('section', { class: 'card', 'aria-labelledby': 'code-title' },
      h('h2', { id: 'code-title' }, 'Code'), collapsedCodeView(script.content, script.language)),
    h('section', { class: 'card', 'aria-labelledby': 'versions-title' },
      h('h2', { id: 'versions-title' }, 'Versions'), versionsBox));

  loadRuns(ctx, path, runsBox);
  loadVersions(ctx, path, script.hash, versionsBox);
}

async function loadVersions(ctx, path, shownHash, box) {
  try {
    const versions = await api.get(ws(`/scripts/history/p/${path}`));
    if (!ctx.isCurrent()) return;
    clear(box, stackOnPhones(h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, 'Version'), h('th', {}, 'Saved'), h('th', {}, 'By'), h('th', {}, 'By-version webhook'))),
      h('tbody', {}, versions.map((v, i) => {
        const url = webhookUrls(location.origin, ctx.workspace, 'script', path, v.script_hash).asyncByVersion;
        return h('tr', { 'aria-current': v.script_hash === shownHash ? 'true' : null },
          h('td', { class: 'mono' }, h('a', { href: `/scripts/get/${path}?hash=${v.script_hash}` }, v.script_hash),
            i === 0 ? [' ', h('span', { class: 'badge' }, 'latest')] : null),
          h('td', { title: dateTime(v.created_at) }, timeAgo(v.created_at)),
          h('td', {}, v.created_by),
          h('td', {}, copyButton(url, 'Copy URL', `by-version webhook of ${v.script_hash}`)));
      }))))));
  } catch (e) {
    clear(box, errorBox(e));
  }
}
