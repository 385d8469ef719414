// Small DOM helpers shared by the map and the review panel.
//
// Safety rule for every file of the page: no string from the API is ever parsed as markup.
// Every value goes into the page through a text node (el(), append(), textContent), so article
// text shows exactly as written and markup inside it stays inert.

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key === 'class') node.className = value;
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children) {
    if (child != null && child !== '') node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export const byId = (id) => document.getElementById(id);
export const safeClass = (s) => String(s).toLowerCase().replace(/[^a-z0-9]+/g, '-');

export function placeName(ev) {
  return [ev.location, ev.admin1, ev.country].filter(Boolean).join(', ');
}

export function appendHighlighted(node, text, highlights) {
  // Offsets count code points, as Python does; Array.from splits a string the same way.
  const chars = Array.from(text);
  let pos = 0;
  for (const h of highlights || []) {
    if (h.start < pos || h.end > chars.length || h.end <= h.start) continue;
    if (h.start > pos) node.append(chars.slice(pos, h.start).join(''));
    node.append(el('mark', { class: `hl hl-${safeClass(h.label)}`, title: h.label }, chars.slice(h.start, h.end).join('')));
    pos = h.end;
  }
  if (pos < chars.length) node.append(chars.slice(pos).join(''));
}

export function documentLine(doc) {
  const line = el('p', { class: 'ev-doc' }, 'Reported by ');
  line.append(el('span', { class: 'ev-outlet' }, doc.outlet || doc.id));
  if (doc.title) line.append(': ', el('span', { class: 'ev-title', dir: 'auto' }, doc.title));
  if (doc.published) line.append(` (${doc.published})`);
  if (doc.url && /^https?:\/\//i.test(doc.url)) {
    line.append(' ', el('a', { href: doc.url, target: '_blank', rel: 'noopener noreferrer' }, 'article'));
  }
  return line;
}

export function fillEvidence(list, detail) {
  list.replaceChildren();
  for (const e of detail.evidence) {
    const quote = el('blockquote', { class: 'evidence', dir: 'rtl', lang: 'ar' });
    appendHighlighted(quote, e.text, e.highlights);
    list.append(quote);
    if (e.document) list.append(documentLine(e.document));
    else list.append(el('p', { class: 'ev-doc' }, `Document ${e.doc_id}`));
  }
  if (!detail.evidence.length) list.append(el('p', { class: 'ev-doc' }, 'No evidence sentence stored.'));
}

// Don't let a keystroke meant for a form field trigger a shortcut.
export function typing(event) {
  const t = event.target;
  return t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName));
}
