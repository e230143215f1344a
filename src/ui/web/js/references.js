// The variables and resources a piece of code or a JSON value names: "$var:<path>" and
// "$res:<path>" strings, and the wmill calls get_variable("…"), get_resource("…"),
// getVariable("…"), getResource("…"). A plain regex, not a parser: a path built at run time is
// missed, and a call inside a comment is counted. Pure functions.

// Windmill's paths: u/<user>/<name>, f/<folder>/<name>, g/<group>/<name>, more parts allowed.
const PATH = '[ufg](?:\\/[\\w-]+){2,}';
const DOLLAR_REF = new RegExp(`\\$(var|res):(${PATH})`, 'g');
// A generic (getResource<Pg>("…")) and spaces inside the parentheses are allowed.
const WMILL_CALL = new RegExp(`\\b(get_variable|getVariable|get_resource|getResource)\\s*(?:<[^>()]*>)?\\(\\s*["'\`](${PATH})["'\`]`, 'g');

// [{ kind: 'variable' | 'resource', path }], each once, variables first, then by path.
export function findReferences(text) {
  const found = new Map();
  const add = (kind, path) => found.set(`${kind} ${path}`, { kind, path });
  for (const m of String(text || '').matchAll(DOLLAR_REF)) add(m[1] === 'var' ? 'variable' : 'resource', m[2]);
  for (const m of String(text || '').matchAll(WMILL_CALL)) add(/variable/i.test(m[1]) ? 'variable' : 'resource', m[2]);
  return [...found.values()].sort((a, b) => (a.kind === b.kind ? a.path.localeCompare(b.path) : a.kind === 'variable' ? -1 : 1));
}

// The app's page of a variable (the list, narrowed to it) or of a resource.
export function referenceHref({ kind, path }) {
  return kind === 'variable' ? `/variables?q=${encodeURIComponent(path)}` : `/resources/get/${path}`;
}
