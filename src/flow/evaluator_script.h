// The program each Node.js evaluator process runs. It reads one JSON request per line,
//   {"id": n, "expr": "<javascript>", "ctx": {"flow_input": ..., "results": ..., ...}}
// and answers one JSON line per request,
//   {"id": n, "ok": true, "value": <JSON>}  or  {"id": n, "ok": false, "error": "<words>"}.
// Each distinct expression is compiled once into a function of the context's names. A runaway
// is not watched here (vm's timeout costs a thread per call): the server kills the process at
// its deadline and starts another.
#pragma once

namespace millrace::flow {

inline constexpr const char* kEvaluatorScript = R"js(
'use strict';
const vm = require('vm');
const NAMES = ['flow_input', 'results', 'previous_result', 'result', 'params', 'error',
  'flow_env', 'resume', 'resumes', 'approvers', 'started_at', 'flow_job_id'];
const context = vm.createContext(Object.create(null));
const compiled = new Map();

// An expression (`flow_input.x + 1`, `(() => 2)()`) or, failing that, a function body with
// `return` (`const a = 1; return a`), as Windmill accepts both.
function compile(expr) {
  let fn = compiled.get(expr);
  if (fn) return fn;
  const params = NAMES.join(', ');
  try {
    fn = vm.runInContext(`(function (${params}) { return (${expr}\n); })`, context);
  } catch (e) {
    if (!(e instanceof SyntaxError) && e.name !== 'SyntaxError') throw e;
    fn = vm.runInContext(`(function (${params}) {\n${expr}\n})`, context);
  }
  if (compiled.size > 10000) compiled.clear();
  compiled.set(expr, fn);
  return fn;
}

function answer(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

// JSON text of a value; BigInts become strings, undefined becomes null.
function toJson(value) {
  if (value === undefined) return 'null';
  try {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null';
  }
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

function handle(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    return answer({ id: null, ok: false, error: 'bad request: ' + e.message });
  }
  try {
    const fn = compile(String(req.expr));
    const ctx = req.ctx || {};
    const value = fn.apply(undefined, NAMES.map((n) => ctx[n]));
    process.stdout.write('{"id":' + JSON.stringify(req.id) + ',"ok":true,"value":' + toJson(value) + '}\n');
  } catch (e) {
    answer({ id: req.id, ok: false, error: `${(e && e.name) || 'Error'}: ${(e && e.message) || e}` });
  }
}
)js";

}  // namespace millrace::flow
