// Webhook URLs of a script or flow, and complete, runnable calls of them (curl, fetch, Python).
// Pure functions: the webhooks panel shows them and the browser tests run them.

// kind: 'script' | 'flow'; version: a script hash or a flow version (the pinned URL).
export function webhookUrls(origin, workspace, kind, path, version) {
  const base = `${origin}/api/w/${encodeURIComponent(workspace)}/jobs`;
  const byPath = kind === 'flow' ? 'f' : 'p';
  const byVersion = kind === 'flow' ? 'fv' : 'h';
  return {
    asyncByPath: `${base}/run/${byPath}/${path}`,
    asyncByVersion: version !== undefined && version !== null ? `${base}/run/${byVersion}/${version}` : null,
    sync: `${base}/run_wait_result/${byPath}/${path}`,
    stream: `${base}/run_and_stream/${byPath}/${path}`,
  };
}

// Arguments for an example call: each property's default, else a value of its type.
export function exampleArgs(schema) {
  const args = {};
  const props = (schema && schema.properties) || {};
  const order = (schema && Array.isArray(schema.order) && schema.order) || Object.keys(props);
  for (const name of order) {
    const p = props[name] || {};
    if (p.default !== undefined) args[name] = p.default;
    else if (Array.isArray(p.enum) && p.enum.length) args[name] = p.enum[0];
    else if (p.format === 'date-time') args[name] = new Date().toISOString();
    else if (p.format === 'date') args[name] = new Date().toISOString().slice(0, 10);
    else if (p.type === 'integer' || p.type === 'number') args[name] = 1;
    else if (p.type === 'boolean') args[name] = true;
    else if (p.type === 'array') args[name] = [];
    else if (p.type === 'object') args[name] = {};
    else args[name] = 'example';
  }
  return args;
}

function shellQuote(s) {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function withQueryToken(url, token) {
  return `${url}${url.includes('?') ? '&' : '?'}token=${token}`;
}

// token: the token text, or null for the $TOKEN placeholder; tokenIn: 'header' | 'query'.
export function exampleCode(language, { url, token, tokenIn = 'header', args = {} }) {
  const body = JSON.stringify(args);
  if (language === 'curl') {
    const t = token || '$TOKEN';
    const target = tokenIn === 'query' ? withQueryToken(url, t) : url;
    const lines = [`curl -X POST "${target}"`];
    if (tokenIn === 'header') lines.push(`-H "Authorization: Bearer ${t}"`);
    lines.push('-H "Content-Type: application/json"', `-d ${shellQuote(body)}`);
    const code = lines.join(' \\\n  ');
    return token ? code : `# TOKEN: create one in Settings, or with the button above\n${code}`;
  }
  if (language === 'fetch') {
    const t = token ? JSON.stringify(token) : 'process.env.TOKEN';
    const target = tokenIn === 'query' ? `${JSON.stringify(url + '?token=')} + ${t}` : JSON.stringify(url);
    const headers = tokenIn === 'header'
      ? `{\n    Authorization: \`Bearer \${${t}}\`,\n    "Content-Type": "application/json",\n  }`
      : '{ "Content-Type": "application/json" }';
    return [
      `// Node.js 18+ or a browser; TOKEN from the environment unless shown.`,
      `const res = await fetch(${target}, {`,
      `  method: "POST",`,
      `  headers: ${headers},`,
      `  body: JSON.stringify(${body}),`,
      `});`,
      `console.log(res.status, await res.text());`,
    ].join('\n');
  }
  if (language === 'python') {
    const t = token ? JSON.stringify(token) : 'os.environ["TOKEN"]';
    const target = tokenIn === 'query' ? `${JSON.stringify(url + '?token=')} + ${t}` : JSON.stringify(url);
    const headers = tokenIn === 'header'
      ? `{"Authorization": "Bearer " + ${t}, "Content-Type": "application/json"}`
      : '{"Content-Type": "application/json"}';
    return [
      'import json, os, urllib.request',
      '',
      `req = urllib.request.Request(`,
      `    ${target},`,
      `    data=json.dumps(${pythonLiteral(body)}).encode(),`,
      `    headers=${headers},`,
      `    method="POST",`,
      ')',
      'with urllib.request.urlopen(req) as res:',
      '    print(res.status, res.read().decode())',
    ].join('\n');
  }
  throw new Error(`no example for ${language}`);
}

// JSON text as a Python expression: json.loads of a string literal keeps every value exact.
function pythonLiteral(jsonText) {
  return `json.loads(${JSON.stringify(jsonText)})`;
}
