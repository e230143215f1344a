// An HTTP route's URL, and a curl call of it made the way its authentication expects: signed as
// the chosen sender signs (with openssl, over the exact body sent), an API key, HTTP basic or a
// token. The secret stays a placeholder ($SECRET, $API_KEY…): the page never holds it.
// Pure functions: the routes pages show them and the browser tests run them.

export function routeUrl(origin, { route_path, workspaced_route, workspace_id }) {
  const prefix = workspaced_route ? `${encodeURIComponent(workspace_id)}/` : '';
  return `${origin}/api/r/${prefix}${route_path}`;
}

function shellQuote(s) {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

// HMAC of "$SIGNED" with "$SECRET" (or a hex key) as openssl prints it: hex or base64.
function hmac(algorithm, encoding, { hexKey = false } = {}) {
  const key = hexKey ? '-mac HMAC -macopt "hexkey:$KEY"' : '-hmac "$SECRET"';
  return encoding === 'base64'
    ? `printf '%s' "$SIGNED" | openssl dgst -${algorithm} ${key} -binary | base64 -w0`
    : `printf '%s' "$SIGNED" | openssl dgst -${algorithm} ${key} -r | cut -d' ' -f1`;
}

// What the call needs before curl (shell lines) and the headers it sends, per sender.
function signing(settings) {
  const provider = settings.provider || 'custom';
  const secret = [': "${SECRET:?export SECRET, the secret in the resource of the route}"'];
  switch (provider) {
    case 'github':
      return { setup: [...secret, 'SIGNED="$BODY"', `SIG=$(${hmac('sha256', 'hex')})`],
        headers: ['X-Hub-Signature-256: sha256=$SIG', 'X-GitHub-Event: ping'] };
    case 'stripe':
      return { setup: [...secret, 'TS=$(date +%s)', 'SIGNED="$TS.$BODY"', `SIG=$(${hmac('sha256', 'hex')})`],
        headers: ['Stripe-Signature: t=$TS,v1=$SIG'] };
    case 'slack':
      return { setup: [...secret, 'TS=$(date +%s)', 'SIGNED="v0:$TS:$BODY"', `SIG=$(${hmac('sha256', 'hex')})`],
        headers: ['X-Slack-Request-Timestamp: $TS', 'X-Slack-Signature: v0=$SIG'] };
    case 'shopify':
      return { setup: [...secret, 'SIGNED="$BODY"', `SIG=$(${hmac('sha256', 'base64')})`],
        headers: ['X-Shopify-Hmac-Sha256: $SIG'] };
    case 'standard_webhooks':
      return {
        setup: [...secret,
          // The key is the base64 after whsec_, as bytes.
          `KEY=$(printf '%s' "\${SECRET#whsec_}" | base64 -d | od -An -tx1 | tr -d ' \\n')`,
          'ID="msg_$(date +%s%N)"', 'TS=$(date +%s)', 'SIGNED="$ID.$TS.$BODY"',
          `SIG=$(${hmac('sha256', 'base64', { hexKey: true })})`],
        headers: ['webhook-id: $ID', 'webhook-timestamp: $TS', 'webhook-signature: v1,$SIG'] };
    default: {
      const algorithm = settings.algorithm || 'sha256';
      const encoding = settings.encoding || 'hex';
      return { setup: [...secret, 'SIGNED="$BODY"', `SIG=$(${hmac(algorithm, encoding)})`],
        headers: [`${settings.header || 'X-Signature'}: ${settings.prefix || ''}$SIG`] };
    }
  }
}

// route: an HttpTrigger; settings: what its resource holds, as far as the page knows it (for a
// signature, at least `provider`; for an API key, `header`); body: the JSON text to send.
export function routeCurl(url, route, settings = {}, body = '{}') {
  const method = (route.http_method || 'post').toUpperCase();
  const withBody = method !== 'GET' && method !== 'DELETE';
  const setup = [];
  const headers = [];
  const options = [];
  const auth = route.authentication_method || 'none';
  if (withBody) {
    setup.push(`BODY=${shellQuote(body)}`);
    headers.push('Content-Type: application/json');
  } else if (auth === 'signature') {
    setup.push("BODY=''");
  }
  if (auth === 'signature') {
    const s = signing(settings);
    setup.push(...s.setup);
    headers.push(...s.headers);
  } else if (auth === 'api_key') {
    headers.push(`${settings.header || settings.api_key_header || 'X-Api-Key'}: $API_KEY`);
  } else if (auth === 'basic_http') {
    options.push('-u "$USERNAME:$PASSWORD"');
  } else if (auth === 'windmill') {
    headers.push('Authorization: Bearer $TOKEN');
  }
  const curl = [`curl -X ${method} "${url}"`, ...options, ...headers.map((x) => `-H "${x}"`)];
  if (withBody) curl.push('--data-binary "$BODY"');
  return [...setup, curl.join(' \\\n  ')].join('\n');
}
