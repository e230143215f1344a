// The app's frame: who is logged in, which workspace, the sidebar, and which page a URL shows.
// Every page has its own URL (deep links and the back button work); pages live in pages/.
import { api, ApiError, setUnauthorizedHandler, setWorkspace, currentWorkspace } from './api.js';
import { h, clear, append, errorBox, confirmDialog } from './dom.js';

// URL pattern → page module (loaded when first shown) and the sidebar entry it belongs to.
const routes = [
  { re: /^\/user\/login$/, page: 'login', bare: true },
  { re: /^\/approve\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)$/, page: 'approve', bare: true },
  { re: /^\/$/, page: 'home', nav: 'home' },
  { re: /^\/scripts$/, page: 'scripts', nav: 'scripts' },
  { re: /^\/scripts\/add$/, page: 'script_edit', nav: 'scripts' },
  { re: /^\/scripts\/edit\/(.+)$/, page: 'script_edit', nav: 'scripts' },
  { re: /^\/scripts\/get\/(.+)$/, page: 'script_details', nav: 'scripts' },
  { re: /^\/flows$/, page: 'flows', nav: 'flows' },
  { re: /^\/flows\/add$/, page: 'flow_edit', nav: 'flows' },
  { re: /^\/flows\/edit\/(.+)$/, page: 'flow_edit', nav: 'flows' },
  { re: /^\/flows\/get\/(.+)$/, page: 'flow_details', nav: 'flows' },
  { re: /^\/routes$/, page: 'routes', nav: 'routes' },
  { re: /^\/routes\/add$/, page: 'route_edit', nav: 'routes' },
  { re: /^\/routes\/edit\/(.+)$/, page: 'route_edit', nav: 'routes' },
  { re: /^\/routes\/get\/(.+)$/, page: 'route_details', nav: 'routes' },
  { re: /^\/runs$/, page: 'runs', nav: 'runs' },
  { re: /^\/run\/([^/]+)$/, page: 'run_details', nav: 'runs' },
  { re: /^\/variables$/, page: 'variables', nav: 'variables' },
  { re: /^\/variables\/add$/, page: 'variable_edit', nav: 'variables' },
  { re: /^\/variables\/edit\/(.+)$/, page: 'variable_edit', nav: 'variables' },
  { re: /^\/resources$/, page: 'resources', nav: 'resources' },
  { re: /^\/resources\/add$/, page: 'resource_edit', nav: 'resources' },
  { re: /^\/resources\/edit\/(.+)$/, page: 'resource_edit', nav: 'resources' },
  { re: /^\/resources\/get\/(.+)$/, page: 'resource_details', nav: 'resources' },
  { re: /^\/audit_logs$/, page: 'audit_logs', nav: 'audit' },
  { re: /^\/user\/settings$/, page: 'settings', nav: 'settings' },
  { re: /^\/user\/account$/, page: 'account', nav: 'account' },
];

const navItems = [
  { id: 'home', href: '/', label: 'Home' },
  { id: 'scripts', href: '/scripts', label: 'Scripts' },
  { id: 'flows', href: '/flows', label: 'Flows' },
  { id: 'routes', href: '/routes', label: 'Routes' },
  { id: 'runs', href: '/runs', label: 'Runs' },
  { id: 'variables', href: '/variables', label: 'Variables' },
  { id: 'resources', href: '/resources', label: 'Resources' },
  { id: 'audit', href: '/audit_logs', label: 'Audit logs' },
];

const WORKSPACE_KEY = 'millrace.workspace';
const app = document.getElementById('app');
let session = null; // { user, member, workspaces }
let cleanup = null; // what the current page stops when left (live updates)
let renderCount = 0;
let renderedAt = null; // path and query of the page shown: a change of #fragment only scrolls
let unsaved = null; // the page's question "what would be lost?" (a sentence, or null: nothing)

// Whether the page may be left: yes when it has nothing unsaved, else the user is asked.
async function mayLeave() {
  const loss = unsaved && unsaved();
  if (!loss) return true;
  return confirmDialog(`${loss} Leave this page anyway?`, 'Leave without saving');
}

// force: leave whatever is unsaved (the session ended: the page keeps its text until then).
export async function navigate(path, { replace = false, force = false } = {}) {
  if (!force && !(await mayLeave())) return;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.scrollTo(0, 0); // a new page starts at its top; back and forward keep theirs
  render();
}

function loginPath() {
  const here = location.pathname + location.search;
  return '/user/login' + (here && here !== '/' && !here.startsWith('/user/login') ? '?next=' + encodeURIComponent(here) : '');
}

setUnauthorizedHandler(() => {
  session = null;
  if (!location.pathname.startsWith('/user/login')) navigate(loginPath(), { replace: true, force: true });
});

async function loadSession() {
  const user = await api.get('/users/whoami'); // first: a 401 here means "log in", nothing else
  const workspaces = await api.get('/workspaces/list');
  const wanted = new URLSearchParams(location.search).get('workspace') || localStorage.getItem(WORKSPACE_KEY);
  const chosen = workspaces.find((w) => w.id === wanted) || workspaces[0];
  if (!chosen) throw new ApiError(403, 'You are not a member of any workspace. Ask an admin to add you.');
  setWorkspace(chosen.id);
  localStorage.setItem(WORKSPACE_KEY, chosen.id);
  const member = await api.get(`/w/${encodeURIComponent(chosen.id)}/users/whoami`);
  return { user, member, workspaces };
}

async function switchWorkspace(select) {
  if (!(await mayLeave())) {
    select.value = currentWorkspace();
    return;
  }
  localStorage.setItem(WORKSPACE_KEY, select.value);
  session = null;
  navigate('/', { force: true });
}

// Leaves only once the server has ended the session; a failure is said next to the button.
async function logout(e) {
  const button = e.currentTarget;
  if (!(await mayLeave())) return;
  button.disabled = true;
  try {
    await api.post('/auth/logout');
  } catch (err) {
    button.disabled = false;
    button.after(errorBox(`Not logged out: ${err.message}`));
    return;
  }
  session = null;
  navigate('/user/login', { replace: true, force: true });
}

function sidebar(activeNav) {
  const aside = h('nav', { class: 'sidebar', 'aria-label': 'Main' });
  const toggle = h('button', {
    type: 'button', class: 'menu-toggle small', 'aria-expanded': 'false',
    onclick: () => {
      const open = aside.classList.toggle('open');
      toggle.setAttribute('aria-expanded', String(open));
    },
  }, 'Menu');
  const select = h('select', { id: 'workspace-switcher', 'aria-label': 'Workspace',
    onchange: (e) => switchWorkspace(e.target) },
  session.workspaces.map((w) => h('option', { value: w.id, selected: w.id === currentWorkspace() }, `${w.name} (${w.id})`)));
  const link = (item) => h('a', { href: item.href, 'aria-current': item.id === activeNav ? 'page' : null }, item.label);
  return append(aside, [
    h('a', { class: 'brand', href: '/' }, h('img', { src: '/favicon.svg', alt: '' }), 'Millrace'),
    toggle,
    h('div', { class: 'ws' }, select),
    h('div', { class: 'nav' }, navItems.map(link)),
    h('div', { class: 'bottom' },
      h('div', { class: 'whoami' }, session.member.username, h('br'), session.user.email),
      h('div', { class: 'nav' }, link({ id: 'account', href: '/user/account', label: 'Account' }),
        link({ id: 'settings', href: '/user/settings', label: 'Settings' })),
      h('button', { type: 'button', onclick: logout }, 'Log out')),
  ]);
}

async function render() {
  const count = ++renderCount;
  if (cleanup) {
    try { cleanup(); } catch { /* a page's cleanup must not stop navigation */ }
    cleanup = null;
  }
  unsaved = null;
  const path = location.pathname.length > 1 ? location.pathname.replace(/\/+$/, '') : '/';
  let route = routes.find((r) => r.re.test(path));
  let params = [];
  try {
    params = route ? path.match(route.re).slice(1).map(decodeURIComponent) : [];
  } catch {
    route = null; // a malformed %-escape names no page
  }
  renderedAt = location.pathname + location.search;
  // A dialog left open belongs to the page being left.
  for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();

  if (!route || !route.bare) {
    // A link may name its workspace (?workspace=id): follow it, whatever was chosen before.
    const named = new URLSearchParams(location.search).get('workspace');
    if (session && named && named !== currentWorkspace()) session = null;
    if (!session) {
      try {
        session = await loadSession();
      } catch (e) {
        // A 401 has already sent the user to the login page (setUnauthorizedHandler).
        if (e instanceof ApiError && e.status === 401) return;
        clear(app, h('main', {}, h('h1', {}, 'Millrace'), errorBox(e)));
        return;
      }
      if (count !== renderCount) return;
    }
  }
  const main = h('main', { id: 'main', tabindex: '-1' });
  if (route && route.bare) clear(app, main);
  else {
    clear(app, h('a', { class: 'skip', href: '#main' }, 'Skip to content'),
      h('div', { class: 'frame' }, sidebar(route ? route.nav : null), main));
  }

  const ctx = {
    main, params, session, navigate,
    query: new URLSearchParams(location.search),
    workspace: currentWorkspace(),
    title: (t) => (document.title = `${t} · Millrace`),
    onLeave: (fn) => (cleanup = fn),
    // fn() says what leaving now would lose (null when nothing): asked before the app moves
    // to another page, and by the browser before a reload or a closed tab.
    guardUnsaved: (fn) => (unsaved = fn),
    isCurrent: () => count === renderCount,
  };
  if (!route) {
    ctx.title('Not found');
    clear(main, h('h1', {}, 'Page not found'),
      h('p', {}, `Nothing lives at ${location.pathname}. `, h('a', { href: '/' }, 'Go home')));
    return;
  }
  try {
    const module = await import(`./pages/${route.page}.js`);
    if (count !== renderCount) return;
    await module.default(ctx);
    // After a move inside the app, keyboard and screen-reader users start at the new page,
    // unless the page put the focus somewhere itself (a form's first field).
    if (count > 1 && count === renderCount && !main.contains(document.activeElement)) {
      main.focus({ preventScroll: true });
    }
  } catch (e) {
    if (count !== renderCount) return;
    if (e instanceof ApiError && e.status === 401) return;
    main.append(errorBox(e));
  }
}

// Same-origin links are handled here, so the page does not reload.
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  // A link to a place on this page (#run) scrolls, as links do.
  if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
  e.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});
window.addEventListener('popstate', async () => {
  if (location.pathname + location.search === renderedAt) return;
  if (unsaved && unsaved()) {
    // Back or forward has already moved the URL: put it back while the user decides.
    const wanted = location.pathname + location.search + location.hash;
    history.pushState(null, '', renderedAt);
    if (await mayLeave()) {
      unsaved = null;
      history.pushState(null, '', wanted);
      render();
    }
    return;
  }
  render();
});
window.addEventListener('beforeunload', (e) => {
  if (unsaved && unsaved()) {
    e.preventDefault();
    e.returnValue = ''; // the browser asks in its own words
  }
});

// For the login page: after a successful login the session is loaded again.
export function resetSession() {
  session = null;
}

render().then(() => {
  // Once the first page is up, load the other pages' modules while the user reads, so moving
  // around the app waits only for the API.
  const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 200));
  idle(() => {
    for (const page of new Set(routes.map((r) => r.page))) import(`./pages/${page}.js`).catch(() => {});
  });
});
