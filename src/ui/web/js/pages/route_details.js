// One HTTP route: its URL, what it runs and how callers are checked, a call made the way it
// expects, and its deliveries — each call as received (credentials masked), what it was
// answered, the job it made — with Replay for one that passed authentication.
import { api, ws } from '../api.js';
import { h, clear, errorBox, copyButton, confirmDialog, stackOnPhones, progress } from '../dom.js';
import { timeAgo, dateTime, shortId } from '../format.js';
import { routeUrl, routeCurl } from '../route_examples.js';
import { AUTH_NAMES, ANSWER_NAMES, runnableHref } from './routes.js';

export default async function routeDetailsPage(ctx) {
  const path = ctx.params[0];
  ctx.title(path);
  const route = await api.get(ws(`/http_triggers/get/${path}`));
  if (!ctx.isCurrent()) return;
  let settings = {};
  if (route.authentication_resource_path) {
    settings = await api.get(ws(`/resources/get_value/${route.authentication_resource_path}`)).catch(() => ({}));
    if (!ctx.isCurrent()) return;
  }
  const url = routeUrl(location.origin, route);
  const code = routeCurl(url, route, settings || {}, '{"hello": "world"}');
  const deliveriesBox = h('div', {}, progress('Loading deliveries'));
  const deleteError = h('div');
  const del = h('button', { type: 'button', class: 'danger', onclick: async () => {
    clear(deleteError);
    if (!(await confirmDialog(`Delete the route ${path}? ${url} stops answering (404).`))) return;
    try {
      await api.del(ws(`/http_triggers/delete/${path}`));
      ctx.navigate('/routes');
    } catch (e) {
      deleteError.append(errorBox(e));
    }
  } }, 'Delete');
  const limits = [
    route.rate_limit_per_second ? `${route.rate_limit_per_second} per second (burst ${route.rate_limit_burst ?? Math.max(1, route.rate_limit_per_second)})` : null,
    route.queue_limit !== undefined && route.queue_limit !== null ? `at most ${route.queue_limit} waiting jobs` : null,
  ].filter(Boolean);

  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', { class: 'mono' }, `${route.http_method.toUpperCase()} /api/r/${url.split('/api/r/')[1]}`),
        h('div', { class: 'sub' }, route.summary ? `${route.summary} · ` : '', h('span', { class: 'mono' }, route.path),
          ` · edited ${timeAgo(route.edited_at)} by ${route.edited_by}`)),
      h('div', { class: 'actions' }, h('a', { class: 'button', href: `/routes/edit/${path}` }, 'Edit'), del)),
    deleteError,
    h('section', { class: 'card', 'aria-labelledby': 'route-title' },
      h('h2', { id: 'route-title' }, 'Route'),
      h('dl', { class: 'kv' },
        h('dt', {}, 'URL'), h('dd', {}, h('code', { class: 'url-preview' }, url), ' ', copyButton(url, 'Copy URL', 'route URL')),
        h('dt', {}, 'Runs'), h('dd', {}, route.is_flow ? 'flow ' : 'script ', h('a', { class: 'mono', href: runnableHref(route) }, route.script_path),
          ' as ', h('span', { class: 'mono' }, route.authentication_method === 'windmill' ? 'the caller' : route.edited_by)),
        h('dt', {}, 'Answers with'), h('dd', {}, ANSWER_NAMES[route.request_type] || route.request_type),
        h('dt', {}, 'Authentication'), h('dd', {}, AUTH_NAMES[route.authentication_method] || route.authentication_method,
          settings && settings.provider ? ` (${settings.provider})` : '',
          route.authentication_resource_path ? [' with ', h('a', { class: 'mono', href: `/resources/get/${route.authentication_resource_path}` }, route.authentication_resource_path)] : null),
        h('dt', {}, 'Limits'), h('dd', {}, limits.length ? limits.join(', ') : h('span', { class: 'muted' }, 'none')))),
    h('section', { class: 'card', 'aria-labelledby': 'call-title' },
      h('h2', { id: 'call-title' }, 'Call it'),
      h('pre', { class: 'code-view', tabindex: '0', 'aria-label': 'Example call' }, code),
      copyButton(code, 'Copy', 'example call')),
    h('section', { class: 'card', 'aria-labelledby': 'deliveries-title' },
      h('div', { class: 'section-head' }, h('h2', { id: 'deliveries-title' }, 'Deliveries'),
        h('button', { type: 'button', class: 'small', onclick: () => loadDeliveries(ctx, path, deliveriesBox) }, 'Refresh')),
      h('p', { class: 'small muted' }, 'The last calls, as received: headers that may carry credentials are shown as ***.'),
      deliveriesBox));
  loadDeliveries(ctx, path, deliveriesBox);
}

function statusBadge(d) {
  const ok = d.status >= 200 && d.status < 300;
  return h('span', { class: `status ${ok ? 'success' : 'failure'}`, title: d.reason || '' }, String(d.status));
}

async function loadDeliveries(ctx, path, box) {
  let deliveries;
  try {
    deliveries = await api.get(ws(`/http_triggers/deliveries/${path}`));
  } catch (e) {
    if (ctx.isCurrent()) clear(box, errorBox(e));
    return;
  }
  if (!ctx.isCurrent()) return;
  if (!deliveries.length) return clear(box, h('p', { class: 'empty' }, 'No calls yet — use the example above.'));
  clear(box, stackOnPhones(h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Received'), h('th', { scope: 'col' }, 'Answer'), h('th', { scope: 'col' }, 'Checked'),
      h('th', { scope: 'col' }, 'Job'), h('th', { scope: 'col' }, 'Request'),
      h('th', { scope: 'col', class: 'actions-col' }, h('span', { class: 'sr-only' }, 'Actions')))),
    h('tbody', {}, deliveries.map((d) => deliveryRow(ctx, path, d, box)))))));
}

function deliveryRow(ctx, path, d, box) {
  const actions = h('td', { class: 'row-actions' });
  if (d.verified && !d.body_truncated) {
    const replay = h('button', { type: 'button', class: 'small', 'aria-label': `Replay the call of ${dateTime(d.received_at)}` }, 'Replay');
    replay.addEventListener('click', async () => {
      actions.querySelector('.error')?.remove();
      replay.disabled = true;
      try {
        const id = await api.post(ws(`/http_triggers/replay/${d.id}`), {}, { raw: true });
        actions.append(h('div', { class: 'small' }, 'Replayed: ', h('a', { href: `/run/${id}` }, `run ${shortId(id)}`)));
        setTimeout(() => loadDeliveries(ctx, path, box), 500);
      } catch (e) {
        replay.disabled = false;
        actions.append(errorBox(e));
      }
    });
    actions.append(replay);
  }
  const headers = Object.entries(d.headers).map(([k, v]) => `${k}: ${v}`).join('\n');
  return h('tr', {},
    h('td', { title: dateTime(d.received_at) }, timeAgo(d.received_at), d.replay_of ? [' ', h('span', { class: 'badge' }, 'replay')] : null),
    h('td', {}, statusBadge(d), d.reason ? h('div', { class: 'small muted' }, d.reason) : null),
    h('td', {}, d.verified ? 'passed' : h('span', { class: 'muted' }, 'refused')),
    h('td', { class: 'mono' }, d.job_id ? h('a', { href: `/run/${d.job_id}` }, shortId(d.job_id)) : h('span', { class: 'muted' }, '—')),
    h('td', {}, h('details', {},
      h('summary', {}, `${d.method} /api/r/${d.path}${d.query ? `?${d.query}` : ''}`),
      h('pre', { class: 'code-view delivery-body', tabindex: '0', 'aria-label': 'Headers' }, headers),
      h('pre', { class: 'code-view delivery-body', tabindex: '0', 'aria-label': 'Body' },
        d.body_encoding === 'base64' ? `(base64) ${d.body}` : d.body || '(empty)',
        d.body_truncated ? '\n… (cut at 64 KiB)' : ''))),
    actions);
}
