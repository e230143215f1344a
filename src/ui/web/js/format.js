// Formatting of times, durations, statuses and JSON for display. Pure functions.

export function timeAgo(iso, now = Date.now()) {
  if (!iso) return '';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

export function dateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60000);
  return `${m} min ${Math.round((ms % 60000) / 1000)} s`;
}

// One word for a job's state, from a jobs/list or jobs_u/get object.
export function jobStatus(job) {
  if (job.type === 'CompletedJob' || job.completed_at) {
    if (job.canceled) return 'canceled';
    return job.success ? 'success' : 'failure';
  }
  return job.running ? 'running' : 'queued';
}

// What started a job, in words: a webhook, an HTTP route (/api/r/...).
export function triggerName(kind) {
  return { webhook: 'webhook', http: 'http route', ui: 'app' }[kind] || kind;
}

// Who started a job, as people know them: a token's label as the Settings page shows it (the
// API says label-<label> for labels that do not already say what they are), else as given.
export function triggeredBy(createdBy) {
  return typeof createdBy === 'string' && createdBy.startsWith('label-') ? createdBy.slice('label-'.length) : createdBy;
}

// The API's created_by for what someone typed: one of their token labels is asked for in the
// API's label-<label> form (labels that say what they are, webhook-…, are their own name).
export function createdByQuery(typed, labels = []) {
  const own = /^(webhook-|ephemeral-webhook-|http-|email-|ws-)/;
  if (!typed || typed.startsWith('label-') || own.test(typed)) return typed;
  return labels.includes(typed) && typed !== 'session' ? `label-${typed}` : typed;
}

export function prettyJson(value) {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

// Job ids are UUIDv7: their first digits are a timestamp shared by the runs of the same
// minute, so the short form keeps the end.
export function shortId(id) {
  return id ? '…' + id.slice(-8) : '';
}
