// The program a TypeScript/JavaScript job runs under Node.js (reference §5): it imports the
// job's main.mjs (its TypeScript with the types stripped by esbuild), calls `main` with the
// arguments in its declared parameter order (looked up by name; missing ones are undefined,
// so defaults apply), and writes the JSON of the awaited value to result.json. A thrown error
// becomes {name, message, stack} and exit code 1. `Bun.*` and `Deno.*`, and imports of
// packages that are not installed, fail with words saying so.
#pragma once

namespace millrace::runtime {

inline constexpr const char* kNodeWrapperV1 = R"js(
import { readFileSync, writeFileSync } from 'node:fs';
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
      out.message = `an import cannot be loaded (Millrace installs no packages for jobs, and ` +
        `npm: and URL imports are not supported): ${out.message}`;
    }
    return out;
  }
  return { name: 'Error', message: String(e), stack: '' };
}

try {
  const args = JSON.parse(readFileSync('args.json', 'utf8'));
  const mod = await import(pathToFileURL(process.cwd() + '/main.mjs').href);
  if (typeof mod.main !== 'function') {
    throw new Error('the script has no main function: export async function main(...) { ... }');
  }
  const values = parameterNames(mod.main).map((name) =>
    name !== null && Object.prototype.hasOwnProperty.call(args, name) ? args[name] : undefined);
  const result = await mod.main(...values);
  writeFileSync('result.json', toJson(result));
  process.exit(0);
} catch (e) {
  console.error(e && e.stack ? e.stack : String(e));
  writeFileSync('result.json', JSON.stringify(describe(e)));
  process.exit(1);
}
)js";

}  // namespace millrace::runtime
