// The marsad map page: events coloured by type, a day slider that replays them, filters, a
// popup with the Arabic evidence sentence, and who controls each place on the slider's day.
//
// Safety rule for this file: no string from the API is ever parsed as markup. Every value goes
// into the page through a text node (el(), append(), textContent), and Leaflet popups and
// tooltips are given DOM nodes, never strings, so article text shows exactly as written.

import L from 'leaflet';
import { feature } from 'topojson-client';
import 'leaflet/dist/leaflet.css';
import './style.css';

const TYPE_COLOURS = {
  Battles: '#d7301f',
  'Explosions/Remote violence': '#f28e2b',
  'Violence against civilians': '#8c2d9c',
  Protests: '#2c7fb8',
  Riots: '#d4a017',
  'Strategic developments': '#3a9a50',
};
const STATUSES = ['reported', 'claimed', 'alleged', 'denied', 'disputed'];
const CONTROL_COLOURS = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#a6761d', '#1f78b4', '#666666'];
const PAGE_SIZE = 1000;
const MAX_PAGES = 20;
const PLAY_MS = 900;
const DAY_MS = 86400000;

const state = { events: [], days: [], index: 0, timer: null, controlSeq: 0, fitted: false };

// -- small DOM helpers -----------------------------------------------------------------------
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null) continue;
    if (key === 'class') node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child != null && child !== '') node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const byId = (id) => document.getElementById(id);
const safeClass = (s) => String(s).toLowerCase().replace(/[^a-z0-9]+/g, '-');

function setStatus(message) {
  byId('status-line').textContent = message;
}

// -- API -----------------------------------------------------------------------------------
async function getJSON(path, params) {
  const url = new URL(path, document.baseURI);
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== '' && value != null) url.searchParams.set(key, value);
  }
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

function filterParams() {
  return {
    event_type: byId('f-type').value,
    status: byId('f-status').value,
    actor: byId('f-actor').value.trim(),
    text: byId('f-text').value.trim(),
    // Background recalled from earlier years would stretch the slider over decades.
    historical: byId('f-historical').checked ? '' : 'false',
  };
}

// -- map -----------------------------------------------------------------------------------
const map = L.map('map', { worldCopyJump: true, minZoom: 2 }).setView([35, 38], 6);
map.attributionControl.setPrefix(false);
map.attributionControl.addAttribution('Natural Earth (public domain)');
for (const [pane, z] of [['basemap', 250], ['territory', 420], ['events', 450]]) {
  map.createPane(pane).style.zIndex = String(z);
}
const basemap = L.geoJSON(null, {
  pane: 'basemap',
  renderer: L.canvas({ pane: 'basemap' }),
  interactive: false,
  style: { color: '#9a9184', weight: 0.7, fillColor: '#f4f1ea', fillOpacity: 1 },
});
const eventsLayer = L.layerGroup().addTo(map);
const controlLayer = L.layerGroup().addTo(map);
const overlays = { Countries: basemap, 'Territorial control': controlLayer, Events: eventsLayer };
const layersControl = L.control.layers(null, overlays, { collapsed: true }).addTo(map);

async function loadBasemap() {
  const topo = await getJSON('static/countries-50m.json');
  basemap.addData(feature(topo, topo.objects.countries));
}

async function loadConfig() {
  const config = await getJSON('config');
  if (config.tile_url) {
    const tiles = L.tileLayer(config.tile_url, { attribution: config.tile_attribution || '' });
    layersControl.addOverlay(tiles, 'Tiles');
    tiles.addTo(map);
  } else {
    basemap.addTo(map);
  }
}

// -- legend --------------------------------------------------------------------------------
const legend = L.control({ position: 'bottomright' });
const controlLegend = el('div', { class: 'legend-control' });
legend.onAdd = () => {
  const box = el('div', { class: 'legend' }, el('strong', null, 'Event type'));
  for (const [type, colour] of Object.entries(TYPE_COLOURS)) {
    const swatch = el('span', { class: 'swatch' });
    swatch.style.background = colour;
    box.append(el('div', null, swatch, type));
  }
  box.append(controlLegend);
  L.DomEvent.disableClickPropagation(box);
  return box;
};
legend.addTo(map);

// Colours are handed out in order of first appearance, so an actor keeps its colour while the
// slider moves and two actors never share one until the palette runs out.
const controllerColours = new Map();
function controllerColour(name) {
  if (!name) return '#999999';
  if (!controllerColours.has(name)) {
    controllerColours.set(name, CONTROL_COLOURS[controllerColours.size % CONTROL_COLOURS.length]);
  }
  return controllerColours.get(name);
}

function updateControlLegend(places) {
  const names = [...new Set(places.map((p) => p.controller || 'unknown'))].sort();
  controlLegend.replaceChildren();
  if (!names.length) return;
  controlLegend.append(el('strong', null, 'Control (rings)'));
  for (const name of names) {
    const ring = el('span', { class: 'ring' });
    ring.style.borderColor = controllerColour(name === 'unknown' ? null : name);
    controlLegend.append(el('div', null, ring, name));
  }
}

// -- days ----------------------------------------------------------------------------------
function dayRange(first, last) {
  const out = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += DAY_MS) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

const currentDay = () => state.days[state.index] || null;

// -- events --------------------------------------------------------------------------------
function placeName(ev) {
  return [ev.location, ev.admin1, ev.country].filter(Boolean).join(', ');
}

function appendHighlighted(node, text, highlights) {
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

function documentLine(doc) {
  const line = el('p', { class: 'ev-doc' }, 'Reported by ');
  line.append(el('span', { class: 'ev-outlet' }, doc.outlet || doc.id));
  if (doc.title) line.append(': ', el('span', { class: 'ev-title', dir: 'auto' }, doc.title));
  if (doc.published) line.append(` (${doc.published})`);
  if (doc.url && /^https?:\/\//i.test(doc.url)) {
    line.append(' ', el('a', { href: doc.url, target: '_blank', rel: 'noopener noreferrer' }, 'article'));
  }
  return line;
}

function fillEvidence(list, detail) {
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

function popupFor(ev, popup) {
  const actors = [ev.actor1, ev.assoc_actor_1].filter(Boolean).join(' with ');
  const against = [ev.actor2, ev.assoc_actor_2].filter(Boolean).join(' with ');
  const box = el(
    'div',
    { class: 'ev-popup', 'data-event-id': ev.event_id },
    el('h3', null, ev.sub_event_type),
    el('p', { class: 'ev-meta' }, [ev.event_date || 'undated', placeName(ev)].filter(Boolean).join(' · ')),
  );
  if (actors || against) box.append(el('p', { class: 'ev-actors' }, actors || 'unidentified', against ? ` vs ${against}` : ''));
  const facts = [`status: ${ev.status}`];
  if (ev.fatalities != null) facts.push(`fatalities: ${ev.fatalities}`);
  if (ev.historical) facts.push('historical');
  box.append(el('p', { class: 'ev-facts' }, facts.join(' · ')));
  box.append(
    el('p', { class: 'ev-source' }, 'Source: ', el('span', null, ev.attributed_to.length ? ev.attributed_to.join(', ') : 'the article itself')),
  );
  const list = el('div', { class: 'ev-evidence-list' }, el('p', { class: 'loading' }, 'Loading evidence…'));
  box.append(list);
  getJSON(`events/${encodeURIComponent(ev.event_id)}`)
    .then((detail) => {
      fillEvidence(list, detail);
      popup.update();
    })
    .catch((err) => list.replaceChildren(el('p', { class: 'error' }, err.message)));
  return box;
}

function spread(events) {
  // Reports at the very same point would hide each other; fan them out on a small circle.
  const groups = new Map();
  for (const ev of events) {
    const key = `${ev.latitude},${ev.longitude}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(ev);
  }
  const out = [];
  for (const group of groups.values()) {
    group.forEach((ev, i) => {
      if (group.length === 1) {
        out.push([ev, [ev.latitude, ev.longitude]]);
        return;
      }
      const angle = (2 * Math.PI * i) / group.length;
      const r = 0.03 * Math.min(1 + group.length / 6, 3);
      out.push([ev, [ev.latitude + r * Math.sin(angle), ev.longitude + r * Math.cos(angle)]]);
    });
  }
  return out;
}

function render() {
  const day = currentDay();
  eventsLayer.clearLayers();
  const visible = state.events.filter(
    (ev) => ev.latitude != null && ev.longitude != null && !(day && ev.event_date && ev.event_date > day),
  );
  for (const [ev, latlng] of spread(visible)) {
    const today = day != null && ev.event_date === day;
    const marker = L.circleMarker(latlng, {
      pane: 'events',
      radius: today ? 9 : 6,
      weight: today ? 2 : 1,
      color: '#1d1d1d',
      fillColor: TYPE_COLOURS[ev.event_type] || '#555555',
      fillOpacity: today ? 0.95 : 0.65,
      className: `ev-marker ev-${safeClass(ev.event_type)}${today ? ' ev-today' : ''}`,
    });
    // Content is built on each opening (a function given to bindPopup would be re-run, and
    // refetch, on every update()).
    const popup = L.popup({ maxWidth: 400, minWidth: 280 });
    marker.bindPopup(popup);
    marker.on('popupopen', () => popup.setContent(popupFor(ev, popup)));
    marker.on('add', () => marker.getElement()?.setAttribute('data-event-id', ev.event_id));
    marker.addTo(eventsLayer);
  }
  const undated = state.events.filter((ev) => !ev.event_date).length;
  byId('count').textContent = `${visible.length} of ${state.events.length} events shown${undated ? ` (${undated} undated, always shown)` : ''}`;
  byId('day-label').textContent = day || 'no dated events';
  byId('map').dataset.markers = String(visible.length);
}

let controlTimer = null;
function scheduleControl() {
  clearTimeout(controlTimer);
  controlTimer = setTimeout(loadControl, 120);
}

async function loadControl() {
  const seq = ++state.controlSeq;
  const day = currentDay();
  if (!day) {
    controlLayer.clearLayers();
    updateControlLegend([]);
    return;
  }
  try {
    const data = await getJSON('control', { date: day });
    if (seq !== state.controlSeq) return; // the slider moved on meanwhile
    controlLayer.clearLayers();
    for (const p of data.places) {
      if (p.latitude == null || p.longitude == null) continue;
      const colour = controllerColour(p.controller);
      const tip = el('span', null, `${p.place || p.place_key}: ${p.controller || 'unknown'}`, p.since ? ` since ${p.since}` : '');
      L.circleMarker([p.latitude, p.longitude], {
        pane: 'territory',
        radius: 17,
        color: colour,
        weight: 4,
        fillColor: colour,
        fillOpacity: 0.18,
        className: 'control-marker',
      })
        .bindTooltip(tip, { direction: 'top' })
        .addTo(controlLayer);
    }
    updateControlLegend(data.places);
    byId('map').dataset.controlDay = day;
  } catch (err) {
    setStatus(`control: ${err.message}`);
  }
}

function showDay() {
  byId('day').value = String(state.index);
  render();
  scheduleControl();
}

async function loadEvents() {
  setStatus('Loading events…');
  const params = filterParams();
  const events = [];
  let offset = 0;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await getJSON('events', { ...params, limit: PAGE_SIZE, offset });
    events.push(...page.events);
    if (page.next_offset == null) break;
    offset = page.next_offset;
  }
  const previous = currentDay();
  const atEnd = state.index >= state.days.length - 1;
  state.events = events;
  const dated = events.map((ev) => ev.event_date).filter(Boolean).sort();
  state.days = dated.length ? dayRange(dated[0], dated[dated.length - 1]) : [];
  const keep = previous ? state.days.indexOf(previous) : -1;
  state.index = atEnd || keep < 0 ? Math.max(state.days.length - 1, 0) : keep;
  byId('day').max = String(Math.max(state.days.length - 1, 0));
  setStatus(
    state.days.length ? `${events.length} events, ${state.days[0]} to ${state.days[state.days.length - 1]}` : `${events.length} events`,
  );
  showDay();
  if (!state.fitted) {
    const points = events.filter((ev) => ev.latitude != null).map((ev) => [ev.latitude, ev.longitude]);
    if (!viewFromHash() && points.length) map.fitBounds(L.latLngBounds(points).pad(0.4), { maxZoom: 8 });
    state.fitted = true;
    map.on('moveend', viewToHash);
  }
}

// A view can be shared as #map=ZOOM/LAT/LON, as on openstreetmap.org.
function viewFromHash() {
  const m = /^#map=(\d{1,2})\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(window.location.hash);
  if (!m) return false;
  map.setView([Number(m[2]), Number(m[3])], Number(m[1]));
  return true;
}

function viewToHash() {
  const c = map.getCenter();
  window.history.replaceState(null, '', `#map=${map.getZoom()}/${c.lat.toFixed(4)}/${c.lng.toFixed(4)}`);
}

// -- controls ------------------------------------------------------------------------------
function stop() {
  clearInterval(state.timer);
  state.timer = null;
  byId('play').textContent = '▶';
  byId('play').setAttribute('aria-label', 'Play the days');
}

function play() {
  if (!state.days.length) return;
  if (state.index >= state.days.length - 1) state.index = 0;
  showDay();
  byId('play').textContent = '❚❚';
  byId('play').setAttribute('aria-label', 'Pause');
  state.timer = setInterval(() => {
    if (state.index >= state.days.length - 1) {
      stop();
      return;
    }
    // A long range replays in about 200 steps rather than one per day.
    state.index = Math.min(state.index + Math.max(1, Math.ceil(state.days.length / 200)), state.days.length - 1);
    showDay();
  }, PLAY_MS);
}

function setupControls() {
  const typeSelect = byId('f-type');
  for (const type of Object.keys(TYPE_COLOURS)) typeSelect.append(el('option', { value: type }, type));
  const statusSelect = byId('f-status');
  for (const status of STATUSES) statusSelect.append(el('option', { value: status }, status));

  const reload = () => loadEvents().catch((err) => setStatus(err.message));
  let typing = null;
  for (const id of ['f-type', 'f-status', 'f-historical']) byId(id).addEventListener('change', reload);
  for (const id of ['f-actor', 'f-text']) {
    byId(id).addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(reload, 300);
    });
  }
  byId('filters').addEventListener('submit', (e) => {
    e.preventDefault();
    reload();
  });
  byId('day').addEventListener('input', () => {
    state.index = Number(byId('day').value);
    showDay();
  });
  byId('play').addEventListener('click', () => (state.timer ? stop() : play()));
}

async function start() {
  setupControls();
  await Promise.all([loadConfig(), loadBasemap().catch((err) => setStatus(`basemap: ${err.message}`))]);
  await loadEvents();
  document.body.dataset.ready = '1';
}

start().catch((err) => setStatus(err.message));
