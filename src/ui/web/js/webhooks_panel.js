// The Webhooks panel of a script or flow page: its URLs (async, sync, stream), a token made for this webhook
// alone (shown once), and complete example calls.
import { api } from './api.js';
import { h, clear, errorBox, copyButton, field, uid } from './dom.js';
import { webhookUrls, exampleArgs, exampleCode } from './examples.js';

const exampleLanguages = [
  { id: 'curl', label: 'curl' },
  { id: 'fetch', label: 'JavaScript fetch' },
  { id: 'python', label: 'Python' },
];

// kind: 'script' | 'flow'; version: hash (scripts) or version id (flows) of the version shown.
export function webhooksPanel({ kind, path, version, schema, workspace }) {
  const urls = webhookUrls(location.origin, workspace, kind, path, version);
  const name = path.split('/').pop();
  const state = { language: 'curl', tokenIn: 'header', which: 'sync', token: null };

  const urlRow = (what, hint, url, id) => h('div', { class: 'url-row' },
    h('div', { class: 'what', id }, what, h('span', { class: 'small' }, hint)),
    h('div', {}, h('span', { class: 'badge' }, 'POST'), ' ', h('code', { 'aria-labelledby': id }, url)),
    copyButton(url, 'Copy', `URL: ${what}`));

  // Token made for this webhook only: scoped to running this script or flow.
  const tokenArea = h('div');
  const labelInput = h('input', { id: uid('token-label'), value: `webhook-${name}`, maxlength: 255 });
  const tokenError = h('div');
  const createButton = h('button', { type: 'button', class: 'primary' }, 'Create token');
  createButton.addEventListener('click', async () => {
    clear(tokenError);
    const label = labelInput.value.trim();
    if (!label) return tokenError.append(errorBox('A token needs a label, so you can tell it apart in the audit logs.'));
    createButton.disabled = true;
    try {
      state.token = await api.post('/users/tokens/create', {
        label,
        scopes: [`jobs:run:${kind === 'flow' ? 'flows' : 'scripts'}:${path}`],
        workspace_id: workspace, // and only in this workspace
      }, { raw: true });
      showToken(label);
      renderExample();
    } catch (e) {
      tokenError.append(errorBox(e));
      createButton.disabled = false;
    }
  });
  const tokenForm = h('form', { class: 'row', 'aria-label': 'Create a token for this webhook', onsubmit: (e) => { e.preventDefault(); createButton.click(); } },
    field('Token label', labelInput, 'shown in audit logs and runs'), h('div', { class: 'field' }, createButton));
  const openForm = h('button', { type: 'button', onclick: () => { clear(tokenArea, tokenForm, tokenError); labelInput.focus(); labelInput.select(); } },
    'Create a token for this webhook');
  clear(tokenArea, openForm, h('span', { class: 'muted small' }, ` It can only run this ${kind}; it is shown once.`));

  function showToken(label) {
    clear(tokenArea, h('div', { class: 'notice', role: 'status' },
      h('strong', {}, `Token “${label}” created.`), ' It can only run this ', kind, '.',
      h('div', { class: 'secret' }, h('code', { 'aria-label': 'New token' }, state.token), copyButton(state.token, 'Copy', 'token')),
      h('p', { class: 'small' }, 'You will not see this token again. The examples below use it.')));
  }

  // Examples: which URL, how the token travels, and the language.
  const exampleBox = h('div');
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Example language' });
  const whichSelect = h('select', { id: uid('which'), onchange: (e) => { state.which = e.target.value; renderExample(); } },
    h('option', { value: 'sync' }, 'Sync (returns the result)'),
    h('option', { value: 'asyncByPath' }, 'Async, by path (returns a job id)'),
    urls.asyncByVersion ? h('option', { value: 'asyncByVersion' }, 'Async, by version') : null,
    h('option', { value: 'stream' }, 'Stream (Server-Sent Events, ending with the result)'));
  const tokenInSelect = h('select', { id: uid('token-in'), onchange: (e) => { state.tokenIn = e.target.value; renderExample(); } },
    h('option', { value: 'header' }, 'Authorization: Bearer header'),
    h('option', { value: 'query' }, '?token= in the URL'));

  // Tabs follow the ARIA tab pattern: one Tab stop (the selected tab), arrows, Home and End.
  const panelId = uid('example');
  const tabId = (id) => `${panelId}-${id}`;
  function renderExample() {
    const code = exampleCode(state.language, {
      url: urls[state.which], token: state.token, tokenIn: state.tokenIn, args: exampleArgs(schema),
    });
    for (const tab of tabs.children) {
      const selected = tab.dataset.id === state.language;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
    }
    const pre = h('pre', { 'aria-label': `Example: ${state.language}` }, code);
    clear(exampleBox, h('div', { class: 'codeblock', role: 'tabpanel', id: panelId, 'aria-labelledby': tabId(state.language) },
      copyButton(code, 'Copy', 'example'), pre));
  }
  for (const l of exampleLanguages) {
    tabs.append(h('button', {
      type: 'button', role: 'tab', id: tabId(l.id), 'data-id': l.id, 'aria-controls': panelId,
      onclick: () => { state.language = l.id; renderExample(); },
      onkeydown: (e) => {
        const ids = exampleLanguages.map((x) => x.id);
        const i = ids.indexOf(state.language);
        const next = { ArrowRight: ids[(i + 1) % ids.length], ArrowLeft: ids[(i + ids.length - 1) % ids.length],
          Home: ids[0], End: ids[ids.length - 1] }[e.key];
        if (!next) return;
        e.preventDefault();
        state.language = next;
        renderExample();
        tabs.querySelector(`[data-id="${next}"]`).focus();
      },
    }, l.label));
  }
  renderExample();

  return h('section', { class: 'card', 'aria-labelledby': 'webhooks-title' },
    h('h2', { id: 'webhooks-title' }, 'Webhooks'),
    urlRow('Async, by path', 'always the latest version; answers the job id', urls.asyncByPath, uid('url')),
    urls.asyncByVersion ? urlRow('Async, by version', `pinned to ${version}, even after edits`, urls.asyncByVersion, uid('url')) : null,
    urlRow('Sync', 'waits and answers the result', urls.sync, uid('url')),
    urlRow('Stream', 'Server-Sent Events while it runs, the last one with the result', urls.stream, uid('url')),
    h('div', { class: 'caution' },
      h('p', {}, '⚠ A sync call waits for its job. If the job runs longer than the server\'s TIMEOUT_WAIT_RESULT ',
        '(600 s unless the admin changed it), the call answers 500 and the job is canceled. For long jobs, call an async URL ',
        'and read the result, once the job is done, at:'),
      h('code', {}, `${location.origin}/api/w/${workspace}/jobs_u/completed/get_result/<job id>`)),
    h('h3', {}, 'Token'),
    tokenArea,
    h('h3', {}, 'Example call'),
    h('div', { class: 'row' }, field('Webhook to call', whichSelect), field('Send the token as', tokenInSelect)),
    tabs, exampleBox);
}
