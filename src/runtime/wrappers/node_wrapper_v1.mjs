// The program a TypeScript/JavaScript job runs under Node.js: it imports the job's main.mjs
// (its TypeScript with the types stripped by esbuild), calls `main` with the arguments in its
// declared parameter order (looked up by name; missing ones are undefined, so defaults apply),
// and writes the JSON of the awaited value to result.json. A thrown error becomes
// {name, message, stack} and exit code 1. `Bun.*` and `Deno.*`, and imports of packages that
// are not installed, fail with words saying so. With --warm it serves one job after another
// instead (src/runtime/warm_interpreter.h describes that protocol). Embedded in the server at
// build time.

import { readFileSync, writeFileSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

function unavailable(runtime) {
  return new Proxy({}, {
    get(_, key) {
      throw new Error(`${runtime}.${String(key)} is not available: Millrace runs TypeScript on Node.js`);
    },
  });
}
globalThis.Bun = unavailable('Bun');
globalThis.Deno = unavailable('Deno');

// The parameter names of `fn`, in order, from its source (types are already stripped). A
// destructured parameter has no name: it gets nothing (undefined).
function parameterNames(fn) {
  const src = Function.prototype.toString.call(fn);
  const single = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src);  // `x => ...`
  if (single) return [single[1]];
  const open = src.indexOf('(');
  if (open < 0) return [];
  const names = [];
  let depth = 0, current = '', quote = null;
  for (let i = open + 1; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      current += c;
      if (c === '\\') { current += src[++i] ?? ''; continue; }
      if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') { quote = c; current += c; continue; }
    if (c === '(' || c === '[' || c === '{') depth++;
    if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) { names.push(current); break; }
      depth--;
    }
    if (c === ',' && depth === 0) { names.push(current); current = ''; continue; }
    current += c;
  }
  if (names.length === 1 && names[0].trim() === '') return [];
  return names.map((p) => {
    const m = /^\s*(\.\.\.)?\s*([A-Za-z_$][\w$]*)/.exec(p);
    return m && !m[1] ? m[2] : null;
  });
}

function toJson(value) {
  const text = JSON.stringify(value ?? null, (k, v) => (typeof v === 'bigint' ? v.toString() : v));
  return text === undefined ? 'null' : text;
}

function describe(e) {
  if (e && typeof e === 'object') {
    const out = { name: String(e.name || 'Error'), message: String(e.message ?? ''), stack: String(e.stack ?? '') };
    if (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'ERR_UNSUPPORTED_ESM_URL_SCHEME') {
      out.message = `an import cannot be loaded (packages come from the script's lock, made ` +
        `from its imports when it is saved; URL imports are not supported): ${out.message}`;
    }
    return out;
  }
  return { name: 'Error', message: String(e), stack: '' };
}

async function load() {
  return await import(pathToFileURL(process.cwd() + '/main.mjs').href);
}

function bind(fn, args) {
  return parameterNames(fn).map((name) =>
    name !== null && Object.prototype.hasOwnProperty.call(args, name) ? args[name] : undefined);
}

// A trigger's event goes to the script's `preprocessor` first; main gets the arguments it
// returns (Windmill's preprocessors).
async function preprocessed(mod, args) {
  if (typeof mod.preprocessor !== 'function') {
    throw new Error('the script has no preprocessor function: export async function preprocessor(event) { ... }');
  }
  const out = await mod.preprocessor(...bind(mod.preprocessor, args));
  if (out === null || typeof out !== 'object' || Array.isArray(out)) {
    throw new TypeError(`the preprocessor must return an object of main's arguments, not ${out === null ? 'null' : Array.isArray(out) ? 'an array' : typeof out}`);
  }
  return out;
}

async function call(mod, args, preprocess = false) {
  if (preprocess) args = await preprocessed(mod, args);
  if (typeof mod.main !== 'function') {
    // A preprocessor alone (a flow's preprocessor step) answers what it made.
    if (preprocess) return toJson(args);
    throw new Error('the script has no main function: export async function main(...) { ... }');
  }
  let result = await mod.main(...bind(mod.main, args));
  if (result !== null && typeof result === 'object' && typeof result[Symbol.asyncIterator] === 'function') {
    // An async generator (or stream) streams its result (Windmill's result streaming): each
    // piece, a string, is a `WM_STREAM: ` line; the server joins them into the result.
    for await (const chunk of result) console.log('WM_STREAM: ' + chunk.replace(/\n/g, '\\n'));
    result = null;
  }
  return toJson(result);
}

function report(e) {
  console.error(e && e.stack ? e.stack : String(e));
  return JSON.stringify(describe(e));
}

// Warm (the server's warm_interpreter.h): one job per request on stdin, each in its own folder
// with its own environment; main.mjs is loaded by the first job that gets that far.
async function serve() {
  const chunks = [];
  let buffered = 0;
  let wake = null;
  process.stdin.on('data', (chunk) => {
    chunks.push(chunk);
    buffered += chunk.length;
    if (wake) wake();
  });
  process.stdin.on('end', () => process.exit(0));  // the server is done with this interpreter
  async function nextRequest() {
    for (;;) {
      const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, buffered);
      chunks.length = 0;
      chunks.push(all);
      const nl = all.indexOf(10);
      if (nl >= 0) {
        const size = Number(all.subarray(0, nl).toString());
        if (all.length >= nl + 1 + size) {
          const rest = all.subarray(nl + 1 + size);
          chunks[0] = rest;
          buffered = rest.length;
          return JSON.parse(all.subarray(nl + 1, nl + 1 + size).toString('utf8'));
        }
      }
      await new Promise((resolve) => { wake = resolve; });
      wake = null;
    }
  }
  let mod = null;
  for (;;) {
    const request = await nextRequest();
    process.chdir(request.cwd);
    for (const name of Object.keys(process.env)) delete process.env[name];
    Object.assign(process.env, request.env);
    let kind = 'ok', text;
    try {
      mod ??= await load();
      text = await call(mod, request.args, request.preprocess === true);
    } catch (e) {
      kind = 'err';
      text = report(e);
    }
    const data = Buffer.from(text, 'utf8');
    let reply = Buffer.concat([Buffer.from(`${kind} ${data.length}\n`), data]);
    while (reply.length > 0) reply = reply.subarray(writeSync(3, reply));
  }
}

if (process.argv.includes('--warm')) {
  await serve();
} else {
  // Cold: one job, from ./args.json to ./result.json.
  try {
    const args = JSON.parse(readFileSync('args.json', 'utf8'));
    writeFileSync('result.json', await call(await load(), args, process.argv.includes('--preprocess')));
    process.exit(0);
  } catch (e) {
    writeFileSync('result.json', report(e));
    process.exit(1);
  }
}
