// Small DOM helpers: the app builds its pages from these, with no framework.

// h('a', {href: '/x', onclick}, 'text', child, [more]) -> element. Attributes named on* become
// listeners; `style` may be an object; false/null/undefined children are skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k === 'class') el.className = v;
    else if (k === 'value' && 'value' in el) el.value = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

// An error, in the API's words, shown where it happened. role=alert so it is announced.
export function errorBox(error) {
  const message = error instanceof Error ? error.message : String(error);
  return h('div', { class: 'error', role: 'alert' }, message);
}

export function spinner(label = 'Loading') {
  return h('span', { class: 'spinner', role: 'status', 'aria-label': label });
}

// "Loading…" with the seconds elapsed, for long operations. Call .stop() when done.
export function progress(label) {
  const started = Date.now();
  // The label is announced once; the seconds are for the eyes only (not read out every second).
  const seconds = h('span', { 'aria-hidden': 'true' });
  const el = h('span', { class: 'muted' }, spinner(label), ' ', label, ' ', seconds);
  const timer = setInterval(() => {
    if (!el.isConnected) return clearInterval(timer);
    seconds.textContent = `${((Date.now() - started) / 1000).toFixed(0)} s`;
  }, 1000);
  el.stop = () => clearInterval(timer);
  return el;
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API refused (no permission, plain http): copy a selection, then give the
    // focus back to where it was (the copy button).
    const before = document.activeElement;
    const area = h('textarea', { 'aria-hidden': 'true', readonly: true, tabindex: '-1' });
    area.value = text;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    if (before && before.focus) before.focus();
    return ok;
  }
}

// A button that copies `text()` (or a string) and says so.
export function copyButton(text, label = 'Copy', describedAs = '') {
  const button = h('button', {
    type: 'button',
    class: 'small copy',
    'aria-label': describedAs ? `${label} ${describedAs}` : label,
  }, label);
  const name = button.getAttribute('aria-label');
  button.addEventListener('click', async () => {
    const ok = await copyText(typeof text === 'function' ? text() : text);
    // The accessible name says it too, so screen readers hear that the copy worked.
    button.textContent = ok ? 'Copied' : 'Copy failed';
    button.setAttribute('aria-label', `${button.textContent}${describedAs ? ` ${describedAs}` : ''}`);
    setTimeout(() => {
      button.textContent = label;
      button.setAttribute('aria-label', name);
    }, 1500);
  });
  return button;
}

// A labelled form field. `control` is an input/select/textarea with an id.
export function field(labelText, control, hint) {
  return h('div', { class: 'field' },
    h('label', { for: control.id }, labelText, hint ? h('span', { class: 'hint' }, ' — ', hint) : null),
    control);
}

let nextId = 0;
export function uid(prefix = 'f') {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

// Asks before something that cannot be undone. Resolves true when confirmed.
export function confirmDialog(message, confirmLabel = 'Delete') {
  return new Promise((resolve) => {
    const messageId = uid('confirm');
    const dialog = h('dialog', { 'aria-label': 'Confirm', 'aria-describedby': messageId },
      h('p', { id: messageId }, message),
      h('div', { class: 'actions' },
        h('button', { type: 'button', value: 'cancel', onclick: () => dialog.close('cancel') }, 'Cancel'),
        h('button', { type: 'button', class: 'danger', onclick: () => dialog.close('ok') }, confirmLabel)));
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'ok');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

// On phones, the rows of this table become stacked cards, each cell labelled by its column's
// header (see .stack-phone in app.css), so no column ends up off screen.
export function stackOnPhones(wrap) {
  const heads = [...wrap.querySelectorAll('thead th')].map((th) => th.textContent.trim());
  for (const row of wrap.querySelectorAll('tbody tr')) {
    [...row.children].forEach((cell, i) => (cell.dataset.label = heads[i] || ''));
  }
  wrap.classList.add('stack-phone');
  return wrap;
}

// Previous / Next paging for lists read with ?page=N&per_page=M (pages count from 1).
// `hasMore` is whether the current page came back full.
export function pager(page, hasMore, onChange) {
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    h('button', { type: 'button', disabled: page <= 1, onclick: () => onChange(page - 1) }, '← Previous'),
    h('span', { class: 'muted' }, `Page ${page}`),
    h('button', { type: 'button', disabled: !hasMore, onclick: () => onChange(page + 1) }, 'Next →'));
}
