// The approval page of a suspended flow step (the `approvalPage` of jobs/resume_urls): whoever
// holds the link answers, without logging in — the signature in the link is the credential.
// Approve resumes the flow; Refuse fails it (Windmill's "Disapproved by …").
import { api } from '../api.js';
import { h, clear, errorBox, field, uid } from '../dom.js';
import { shortId } from '../format.js';

export default async function approvePage(ctx) {
  const [workspace, job, resumeId, signature] = ctx.params;
  const approver = ctx.query.get('approver') || '';
  ctx.title('Approval requested');
  const tail = `/${encodeURIComponent(job)}/${encodeURIComponent(resumeId)}/${encodeURIComponent(signature)}` +
    (approver ? `?approver=${encodeURIComponent(approver)}` : '');
  const comment = h('textarea', { id: uid('comment'), rows: 3 });
  const outcome = h('div', { 'aria-live': 'polite' });
  const approve = h('button', { type: 'button', class: 'primary', onclick: () => answer('resume') }, 'Approve');
  const refuse = h('button', { type: 'button', class: 'danger', onclick: () => answer('cancel') }, 'Refuse');

  async function answer(kind) {
    approve.disabled = refuse.disabled = true;
    clear(outcome);
    const text = comment.value.trim();
    try {
      await api.post(`/w/${encodeURIComponent(workspace)}/jobs_u/${kind}${tail}`, text ? { comment: text } : {}, { raw: true, keepPage: true });
      clear(outcome, h('p', { class: 'notice' }, kind === 'resume'
        ? 'Approved: the flow goes on.' : 'Refused: the flow stops here.'));
    } catch (e) {
      approve.disabled = refuse.disabled = false;
      clear(outcome, errorBox(e));
    }
  }

  clear(ctx.main, h('div', { class: 'login' },
    h('div', { class: 'brand' }, h('img', { src: '/favicon.svg', alt: '' }), 'Millrace'),
    h('section', { class: 'card', 'aria-labelledby': 'approve-title' },
      h('h1', { id: 'approve-title' }, 'Approval requested'),
      h('p', {}, 'A flow run in workspace ', h('code', {}, workspace), ' waits for an answer to its step ',
        h('code', { title: job }, shortId(job)), '.'),
      approver ? h('p', { class: 'muted' }, 'You answer as ', h('strong', {}, approver), '.') : null,
      field('Comment (optional, passed on to the flow)', comment),
      h('div', { class: 'actions' }, approve, refuse),
      outcome)));
}
