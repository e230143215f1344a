// The "Uses" section of a script page (and of a resource page): the variables and resources its
// code (or value) names, linked to their pages, and marked when nothing readable lives at that
// path (a typo, or a variable still to create), so a run does not have to fail to tell.
import { api, ws } from './api.js';
import { h } from './dom.js';
import { findReferences, referenceHref } from './references.js';

// null when the text names none (the page stays as it was). `where`: "the code", "the value".
export function usesPanel(ctx, text, where = 'the code') {
  const refs = findReferences(text);
  if (!refs.length) return null;
  return h('section', { class: 'card', 'aria-labelledby': 'uses-title' },
    h('h2', { id: 'uses-title' }, 'Uses'),
    h('p', { class: 'muted small' }, `Variables and resources named in ${where} (as `, h('code', {}, '$var:'), '/',
      h('code', {}, '$res:'), ' strings or wmill calls).'),
    h('ul', { class: 'plain uses' }, refs.map((ref) => useItem(ctx, ref))));
}

function useItem(ctx, ref) {
  const state = h('span', { class: 'small muted' });
  const item = h('li', {},
    h('span', { class: 'badge' }, ref.kind), ' ',
    h('a', { href: referenceHref(ref), class: 'mono' }, ref.path), ' ', state);
  // exists answers false (not 404) for a path the user may not read, so this asks without noise.
  const base = ref.kind === 'variable' ? '/variables' : '/resources';
  api.get(ws(`${base}/exists/${ref.path}`)).then((exists) => {
    if (exists || !ctx.isCurrent()) return;
    state.append('— not found, or not yours to read · ',
      h('a', { href: `${base}/add?path=${encodeURIComponent(ref.path)}` }, `Create ${ref.kind}`));
  }).catch((e) => {
    if (ctx.isCurrent()) state.append(`— not checked: ${e.message}`);
  });
  return item;
}
