// The HTTP routes of a script or flow, beside its webhooks: the URLs third-party senders call
// to run it, and a link to make one for it.
import { api, ws } from './api.js';
import { h, clear, errorBox } from './dom.js';
import { routeUrl } from './route_examples.js';
import { AUTH_NAMES } from './pages/routes.js';

export function routesPanel(ctx, { kind, path }) {
  const box = h('div', {}, h('p', { class: 'muted' }, 'Loading routes…'));
  const add = `/routes/add?script_path=${encodeURIComponent(path)}${kind === 'flow' ? '&is_flow=true' : ''}`;
  (async () => {
    let routes;
    try {
      routes = await api.get(ws('/http_triggers/list'));
    } catch (e) {
      if (ctx.isCurrent()) clear(box, errorBox(e));
      return;
    }
    if (!ctx.isCurrent()) return;
    const mine = routes.filter((r) => r.script_path === path && Boolean(r.is_flow) === (kind === 'flow'));
    if (!mine.length) {
      return clear(box, h('p', { class: 'empty' }, 'No route runs it. A route gives it a URL that GitHub, Stripe or Slack can call, ',
        'with their signatures checked — ', h('a', { href: add }, 'New route'), '.'));
    }
    clear(box, h('ul', { class: 'plain' }, mine.map((r) => h('li', {},
      h('a', { class: 'mono', href: `/routes/get/${r.path}` },
        `${r.http_method.toUpperCase()} ${routeUrl(location.origin, r)}`),
      h('span', { class: 'small muted' }, ` · ${AUTH_NAMES[r.authentication_method] || r.authentication_method}`)))),
    h('a', { href: add }, 'New route for it →'));
  })();
  return h('section', { class: 'card', 'aria-labelledby': 'routes-title' },
    h('h2', { id: 'routes-title' }, 'HTTP routes'), box);
}
