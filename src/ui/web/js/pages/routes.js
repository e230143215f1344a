// HTTP routes: the URLs under /api/r/ that senders without a token (GitHub, Stripe, Slack…)
// call, each running a script or flow once the request passes the route's authentication.
import { api, ws } from '../api.js';
import { h, clear, errorBox, confirmDialog, progress, stackOnPhones } from '../dom.js';
import { routeUrl } from '../route_examples.js';

export const AUTH_NAMES = {
  none: 'none (public)',
  windmill: 'Millrace token',
  api_key: 'API key',
  basic_http: 'HTTP basic',
  signature: 'signature',
  custom_script: 'custom script',
};
export const ANSWER_NAMES = { async: 'job id (async)', sync: 'result (sync)', sync_sse: 'result stream (SSE)' };

export function runnableHref(route) {
  return route.is_flow ? `/flows/get/${route.script_path}` : `/scripts/get/${route.script_path}`;
}

export default async function routesPage(ctx) {
  ctx.title('HTTP routes');
  const list = h('div', {}, progress('Loading routes'));
  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'HTTP routes'),
        h('div', { class: 'sub' }, 'URLs for senders that cannot send a token — GitHub, Stripe, Slack, Shopify, ',
          'Standard Webhooks — checked (signature, API key, basic) before any job runs.')),
      h('div', { class: 'actions' }, h('a', { class: 'button primary', href: '/routes/add' }, 'New route'))),
    list);
  const load = async () => {
    let routes;
    try {
      routes = await api.get(ws('/http_triggers/list'));
    } catch (e) {
      if (ctx.isCurrent()) clear(list, errorBox(e));
      return;
    }
    if (!ctx.isCurrent()) return;
    if (!routes.length) {
      return clear(list, h('div', { class: 'empty card' }, 'No routes yet — ', h('a', { href: '/routes/add' }, 'New route'),
        '. A route gives a script or flow a URL of its own, such as ', h('code', {}, '/api/r/github/push'), '.'));
    }
    clear(list, stackOnPhones(h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Route'),
        h('th', { scope: 'col' }, 'Runs'),
        h('th', { scope: 'col' }, 'Authentication'),
        h('th', { scope: 'col' }, 'Answers'),
        h('th', { scope: 'col', class: 'actions-col' }, h('span', { class: 'sr-only' }, 'Actions')))),
      h('tbody', {}, routes.map((r) => routeRow(r, load)))))));
  };
  await load();
}

function routeRow(route, reload) {
  const url = routeUrl(location.origin, route);
  const actions = h('td', { class: 'row-actions' });
  const del = h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete ${route.path}` }, 'Delete');
  del.addEventListener('click', async () => {
    if (!(await confirmDialog(`Delete the route ${route.path}? ${url} stops answering (404).`))) return;
    actions.querySelector('.error')?.remove();
    del.disabled = true;
    try {
      await api.del(ws(`/http_triggers/delete/${route.path}`));
      await reload();
      document.querySelector('main')?.focus();
    } catch (e) {
      del.disabled = false;
      actions.append(errorBox(e));
    }
  });
  actions.append(h('div', { class: 'actions' },
    h('a', { class: 'button small', href: `/routes/edit/${route.path}`, 'aria-label': `Edit ${route.path}` }, 'Edit'), del));
  return h('tr', {},
    h('td', {},
      h('a', { href: `/routes/get/${route.path}`, class: 'mono' }, `${route.http_method.toUpperCase()} /api/r/${url.split('/api/r/')[1]}`),
      h('div', { class: 'small muted mono' }, route.path)),
    h('td', { class: 'mono' }, h('a', { href: runnableHref(route) }, route.script_path),
      route.is_flow ? [' ', h('span', { class: 'badge' }, 'flow')] : null),
    h('td', {}, AUTH_NAMES[route.authentication_method] || route.authentication_method),
    h('td', {}, ANSWER_NAMES[route.request_type] || route.request_type),
    actions);
}
