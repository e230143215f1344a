// New HTTP route, or an edit of one: its method and path (with the full URL shown as it is
// typed), what it runs, how it answers, how callers prove who they are, and its limits. A curl
// call signed the way the chosen authentication expects is kept up to date below the form.
// ?script_path=…&is_flow=true prefills what it runs (the script and flow pages link here).
import { api, ws } from '../api.js';
import { h, clear, errorBox, field, uid, copyButton } from '../dom.js';
import { showSaveError } from '../save_error.js';
import { routeUrl, routeCurl } from '../route_examples.js';
import { AUTH_NAMES, ANSWER_NAMES } from './routes.js';

const NEEDS_RESOURCE = new Set(['api_key', 'basic_http', 'signature', 'custom_script']);
const RESOURCE_HINTS = {
  signature: 'a webhook_signature resource: {"provider": "github", "secret": "$var:…"}',
  api_key: '{"header": "X-Api-Key", "key": "$var:…"}',
  basic_http: '{"username": "…", "password": "$var:…"}',
  custom_script: 'the script that allows or denies each call',
};

function select(id, options, value) {
  const el = h('select', { id }, Object.entries(options).map(([v, label]) => h('option', { value: v }, label)));
  el.value = value;
  return el;
}

export default async function routeEditPage(ctx) {
  const editing = ctx.params[0];
  ctx.title(editing ? `Edit ${editing}` : 'New HTTP route');
  let existing = null;
  if (editing) {
    existing = await api.get(ws(`/http_triggers/get/${editing}`));
    if (!ctx.isCurrent()) return;
  }
  const username = ctx.session.member.username;
  const e = existing || {};
  const path = h('input', { id: uid('path'), class: 'mono', spellcheck: 'false', autocomplete: 'off', 'aria-required': 'true',
    value: e.path || `u/${username}/` });
  const method = select(uid('method'), { post: 'POST', get: 'GET', put: 'PUT', patch: 'PATCH', delete: 'DELETE' }, e.http_method || 'post');
  const routePath = h('input', { id: uid('route'), class: 'mono', spellcheck: 'false', autocomplete: 'off', 'aria-required': 'true',
    placeholder: 'github/push or orders/:id', value: e.route_path || '' });
  const workspaced = h('input', { id: uid('workspaced'), type: 'checkbox', checked: Boolean(e.workspaced_route) });
  const urlPreview = h('code', { class: 'url-preview' });
  const kind = select(uid('kind'), { script: 'Script', flow: 'Flow' },
    (existing ? e.is_flow : ctx.query.get('is_flow') === 'true') ? 'flow' : 'script');
  const runnable = h('input', { id: uid('runnable'), class: 'mono', spellcheck: 'false', autocomplete: 'off', 'aria-required': 'true',
    list: uid('runnables'), value: e.script_path || ctx.query.get('script_path') || '' });
  const runnables = h('datalist', { id: runnable.getAttribute('list') });
  const answer = select(uid('answer'), ANSWER_NAMES, e.request_type || 'async');
  const auth = select(uid('auth'), AUTH_NAMES, e.authentication_method || 'signature');
  const resource = h('input', { id: uid('resource'), class: 'mono', spellcheck: 'false', autocomplete: 'off',
    list: uid('resources'), value: e.authentication_resource_path || '' });
  const resources = h('datalist', { id: resource.getAttribute('list') });
  const resourceHint = h('span', { class: 'hint' });
  const resourceField = h('div', { class: 'field' }, h('label', { for: resource.id }, 'Authentication resource', resourceHint), resource, resources);
  const wrapBody = h('input', { id: uid('wrap'), type: 'checkbox', checked: Boolean(e.wrap_body) });
  const rawString = h('input', { id: uid('raw'), type: 'checkbox', checked: Boolean(e.raw_string) });
  const rate = h('input', { id: uid('rate'), type: 'number', min: '0', step: 'any', inputmode: 'decimal',
    value: e.rate_limit_per_second ?? '' });
  const burst = h('input', { id: uid('burst'), type: 'number', min: '1', step: '1', value: e.rate_limit_burst ?? '' });
  const queueLimit = h('input', { id: uid('queue'), type: 'number', min: '0', step: '1', value: e.queue_limit ?? '' });
  const summary = h('input', { id: uid('summary'), value: e.summary || '' });
  const curlBox = h('pre', { class: 'code-view', tabindex: '0', 'aria-label': 'Example call' });
  const curlCopy = h('span');

  // What the resource holds (its provider, its header) makes the example exact; its secret
  // stays a placeholder.
  let settings = {};
  let settingsFor = null;
  const readSettings = async () => {
    const p = resource.value.trim();
    if (p === settingsFor) return;
    settingsFor = p;
    settings = {};
    if (!p || !NEEDS_RESOURCE.has(auth.value)) return;
    try {
      const value = await api.get(ws(`/resources/get_value/${p}`));
      if (settingsFor === p && value && typeof value === 'object') settings = value;
    } catch {
      // Not readable (or not there yet): the example keeps its generic form.
    }
  };
  const draft = () => ({
    route_path: routePath.value.trim() || '<route>', workspaced_route: workspaced.checked,
    workspace_id: ctx.workspace, http_method: method.value, authentication_method: auth.value,
  });
  const refresh = async () => {
    urlPreview.textContent = `${method.value.toUpperCase()} ${routeUrl(location.origin, draft())}`;
    resourceField.hidden = !NEEDS_RESOURCE.has(auth.value);
    resourceHint.textContent = RESOURCE_HINTS[auth.value] ? ` — ${RESOURCE_HINTS[auth.value]}` : '';
    await readSettings();
    if (!ctx.isCurrent()) return;
    const code = routeCurl(routeUrl(location.origin, draft()), draft(), settings, '{"hello": "world"}');
    curlBox.textContent = code;
    clear(curlCopy, copyButton(code, 'Copy', 'example call'));
  };
  for (const el of [method, routePath, workspaced, auth, resource]) {
    el.addEventListener('input', refresh);
    el.addEventListener('change', refresh);
  }

  const pathBox = h('div');
  const routeBox = h('div');
  const formBox = h('div');
  const save = h('button', { type: 'submit', class: 'primary' }, existing ? 'Save' : 'Create route');
  const form = h('form', { 'aria-label': existing ? 'Edit HTTP route' : 'New HTTP route', novalidate: true },
    h('div', { class: 'card' },
      h('div', { class: 'field' },
        h('label', { for: path.id }, 'Path', h('span', { class: 'hint' }, ` — where the route is kept, under u/${username}/ or f/<folder>/`)),
        path, pathBox),
      h('div', { class: 'row' }, field('Method', method),
        h('div', { class: 'field grow' },
          h('label', { for: routePath.id }, 'Route', h('span', { class: 'hint' }, ' — segments, :name for a parameter')),
          routePath, routeBox)),
      h('div', { class: 'field check' }, h('label', {}, workspaced, ' Under this workspace',
        h('span', { class: 'hint' }, ` — /api/r/${ctx.workspace}/…, so other workspaces may use the same route`))),
      h('p', { class: 'small' }, 'URL: ', urlPreview)),
    h('div', { class: 'card' },
      h('div', { class: 'row' }, field('Runs a', kind),
        h('div', { class: 'field grow' }, h('label', { for: runnable.id }, 'Script or flow path'), runnable, runnables)),
      field('Answers with', answer, 'the job id at once, or the result once it ran')),
    h('div', { class: 'card' },
      field('Authentication', auth, 'checked before any job exists: a refused call is 401'),
      resourceField),
    h('div', { class: 'card' },
      h('div', { class: 'field check' }, h('label', {}, wrapBody, ' Wrap the body', h('span', { class: 'hint' }, ' — main gets it as `body`'))),
      h('div', { class: 'field check' }, h('label', {}, rawString, ' Raw body too', h('span', { class: 'hint' }, ' — as `raw_string`, byte for byte'))),
      h('div', { class: 'row' },
        field('Requests per second', rate, 'empty: no limit'),
        field('Burst', burst),
        field('Queue limit', queueLimit, 'jobs of it that may wait')),
      field('Summary', summary)),
    formBox,
    h('div', { class: 'actions' }, save, h('a', { class: 'button', href: existing ? `/routes/get/${existing.path}` : '/routes' }, 'Cancel')));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(pathBox);
    clear(routeBox);
    clear(formBox);
    const p = path.value.trim();
    const body = {
      path: p, route_path: routePath.value.trim(), http_method: method.value, workspaced_route: workspaced.checked,
      script_path: runnable.value.trim(), is_flow: kind.value === 'flow', request_type: answer.value,
      is_async: answer.value === 'async', authentication_method: auth.value,
      authentication_resource_path: NEEDS_RESOURCE.has(auth.value) ? resource.value.trim() || null : null,
      wrap_body: wrapBody.checked, raw_string: rawString.checked, is_static_website: false,
      summary: summary.value || null,
      rate_limit_per_second: rate.value === '' ? null : Number(rate.value),
      rate_limit_burst: burst.value === '' ? null : Number(burst.value),
      queue_limit: queueLimit.value === '' ? null : Number(queueLimit.value),
    };
    if (!body.route_path) {
      routeBox.append(errorBox('Give the route a path, like github/push.'));
      return routePath.focus();
    }
    save.disabled = true;
    try {
      if (existing) await api.post(ws(`/http_triggers/update/${existing.path}`), body, { raw: true, keepPage: true });
      else await api.post(ws('/http_triggers/create'), body, { raw: true, keepPage: true });
      ctx.navigate(`/routes/get/${p}`);
    } catch (err) {
      if (/route/i.test(err.message) && !/path \S+ is/i.test(err.message)) {
        routePath.setAttribute('aria-invalid', 'true');
        routeBox.append(errorBox(err));
        routePath.focus();
      } else {
        showSaveError(err, p, { pathBox, formBox, pathInput: path });
      }
      save.disabled = false;
    }
  });

  clear(ctx.main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, existing ? `Edit ${existing.path}` : 'New HTTP route'),
        h('div', { class: 'sub' }, 'Its URL runs the script or flow as you, the route\'s owner, for callers without a token.'))),
    form,
    h('section', { class: 'card', 'aria-labelledby': 'example-title' },
      h('h2', { id: 'example-title' }, 'Call it'),
      h('p', { class: 'small muted' }, 'Signed, keyed or authenticated the way the route expects; export the secret first.'),
      curlBox, curlCopy));
  refresh();
  (existing ? routePath : path).focus();

  // Suggestions: the workspace's scripts and flows, and its resources.
  const [scripts, flows, resourceList] = await Promise.all([
    api.get(ws('/scripts/list')).catch(() => []), api.get(ws('/flows/list')).catch(() => []),
    api.get(ws('/resources/list')).catch(() => [])]);
  if (!ctx.isCurrent()) return;
  const suggest = () => clear(runnables, (kind.value === 'flow' ? flows : scripts).map((x) => h('option', { value: x.path })));
  kind.addEventListener('change', suggest);
  suggest();
  clear(resources, resourceList.map((r) => h('option', { value: r.path }, r.resource_type)));
}
