// The app's only door to the server: the public /api, authenticated by the session cookie
// that /api/auth/login sets. Errors carry the API's own words.

export class ApiError extends Error {
  constructor(status, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
  }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

// keepPage: a 401 is only thrown, the page stays (a form that would lose its input).
async function call(method, path, body, { raw = false, keepPage = false } = {}) {
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch('/api' + path, init);
  } catch (e) {
    throw new ApiError(0, `The server cannot be reached (${e.message}).`);
  }
  const text = await res.text();
  if (!res.ok) {
    if (res.status === 401 && !path.startsWith('/auth/') && !keepPage) onUnauthorized();
    throw new ApiError(res.status, text.trim() || `${res.status} ${res.statusText}`);
  }
  if (raw) return text;
  const type = res.headers.get('Content-Type') || '';
  if (type.includes('application/json')) return text ? JSON.parse(text) : null;
  return text;
}

export const api = {
  get: (path, opts) => call('GET', path, undefined, opts),
  post: (path, body, opts) => call('POST', path, body === undefined ? {} : body, opts),
  del: (path) => call('DELETE', path),
};

// Paths inside the current workspace: ws('/scripts/list') -> /w/<id>/scripts/list.
let workspace = null;
export function setWorkspace(id) {
  workspace = id;
}
export function currentWorkspace() {
  return workspace;
}
export function ws(path) {
  return `/w/${encodeURIComponent(workspace)}${path}`;
}

// Builds a query string from the defined, non-empty values of an object.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}
