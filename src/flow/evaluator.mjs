// The program each Node.js evaluator process runs (as an ES module, given to `node -e`). It
// reads one request per line,
//   {"id": n, "ws": "<workspace>", "expr": "<javascript>"}<TAB>{"flow_input": ..., ...}
// (JSON text never holds a raw tab, so the tab ends the header) and answers one JSON line,
//   {"id": n, "ok": true, "value": <JSON>}  or  {"id": n, "ok": false, "error": "<words>"}.
// Each workspace gets a context of its own, and the names an expression sees are parsed, and
// its value serialized, by that context's own JSON: whatever an expression does to its
// prototypes or globals (a getter on Object.prototype, a toJSON) touches only its workspace's
// later evaluations, never another's data, and no host object is within its reach. Each
// distinct expression is compiled once per workspace. A runaway is not watched here (vm's
// timeout costs a thread per call): the server kills the process at its deadline.
// Embedded in the server at build time.

import vm from 'node:vm';
const NAMES = ['flow_input', 'results', 'previous_result', 'result', 'params', 'error',
  'flow_env', 'resume', 'resumes', 'approvers', 'started_at', 'flow_job_id'];
const MAX_WORKSPACES = 64;
const workspaces = new Map();

// A workspace's context: its own realm, its own JSON, its own compiled expressions.
function realmOf(ws) {
  let realm = workspaces.get(ws);
  if (realm) return realm;
  if (workspaces.size >= MAX_WORKSPACES) workspaces.clear();
  const context = vm.createContext(Object.create(null));
  const tools = vm.runInContext(`({
    parse: JSON.parse,
    // JSON text of a value; BigInts become strings, undefined becomes null.
    toJson: (function (stringify) {
      return function (value) {
        if (value === undefined) return 'null';
        try {
          const text = stringify(value);
          return text === undefined ? 'null' : text;
        } catch (e) {
          if (!(e instanceof TypeError)) throw e;
          return stringify(value, (k, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null';
        }
      };
    })(JSON.stringify),
  })`, context);
  realm = { context, parse: tools.parse, toJson: tools.toJson, compiled: new Map() };
  workspaces.set(ws, realm);
  return realm;
}

// An expression (`flow_input.x + 1`, `(() => 2)()`) or, failing that, a function body with
// `return` (`const a = 1; return a`), as Windmill accepts both.
function compile(realm, expr) {
  let fn = realm.compiled.get(expr);
  if (fn) return fn;
  const params = NAMES.join(', ');
  try {
    fn = vm.runInContext(`(function (${params}) { return (${expr}\n); })`, realm.context);
  } catch (e) {
    if (!(e && e.name === 'SyntaxError')) throw e;
    fn = vm.runInContext(`(function (${params}) {\n${expr}\n})`, realm.context);
  }
  if (realm.compiled.size > 10000) realm.compiled.clear();
  realm.compiled.set(expr, fn);
  return fn;
}

function answer(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  let nl;
  while ((nl = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    if (line) handle(line);
  }
});
process.stdin.on('end', () => process.exit(0));
// Node's own start is not an expression's time: the server waits for this line first.
answer({ ready: true });

// Words for an error thrown in any realm (it may not be an Error of this one).
function describe(e) {
  try {
    return `${(e && e.name) || 'Error'}: ${(e && e.message) || e}`;
  } catch {
    return 'Error: the expression threw something that cannot be described';
  }
}

function handle(line) {
  const tab = line.indexOf('\t');
  let req;
  try {
    req = JSON.parse(tab >= 0 ? line.slice(0, tab) : line);
  } catch (e) {
    return answer({ id: null, ok: false, error: 'bad request: ' + e.message });
  }
  let value;
  try {
    const realm = realmOf(String(req.ws ?? ''));
    const fn = compile(realm, String(req.expr));
    const ctx = tab >= 0 ? realm.parse(line.slice(tab + 1)) : {};
    value = realm.toJson(fn.apply(undefined, NAMES.map((n) => (ctx ? ctx[n] : undefined))));
    if (typeof value !== 'string') throw new TypeError('the value cannot be written as JSON');
  } catch (e) {
    return answer({ id: req.id, ok: false, error: describe(e) });
  }
  process.stdout.write('{"id":' + JSON.stringify(req.id) + ',"ok":true,"value":' + value + '}\n');
}
