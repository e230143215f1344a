// Follows a job from the outside, as run pages and run panels do: its logs as they come
// (getupdate, which holds a no-news answer for 250 ms), then the whole job once it ends.
import { api, ws, query } from './api.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Resolves with the ended job (jobs_u/get, logs included), or null once the page is left.
// onLogs(text): each new piece of the logs; onRunning(): the job started.
export async function followJob(ctx, id, { onLogs = () => {}, onRunning = () => {} } = {}) {
  let offset = 0;
  let running = false;
  let failures = 0;
  while (ctx.isCurrent()) {
    let u;
    try {
      u = await api.get(ws(`/jobs_u/getupdate/${encodeURIComponent(id)}` + query({ running, log_offset: offset })));
      failures = 0;
    } catch (e) {
      // A blip of the network is waited out; the same failure three times over is the caller's.
      if (e.status === 401 || ++failures >= 3) throw e;
      await sleep(1000);
      continue;
    }
    if (!ctx.isCurrent()) return null;
    if (u.new_logs) onLogs(u.new_logs);
    if (typeof u.log_offset === 'number') offset = u.log_offset;
    if (u.running && !running) {
      running = true;
      onRunning();
    }
    if (u.completed) {
      const job = await api.get(ws(`/jobs_u/get/${encodeURIComponent(id)}`));
      return ctx.isCurrent() ? job : null;
    }
    if (!u.new_logs) await sleep(250);
  }
  return null;
}
