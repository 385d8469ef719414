// The marsad map page: events coloured by type and grouped by zoom, a day slider with a time
// window, filters, a popup with the Arabic evidence sentence, who controls each place on the
// slider's day, and (review.js) the analysts' review queue.
//
// At scale the page never holds full event records: it asks the API where the data lies
// (/map/extent) and opens there, loads the points of the view as arrays (/map/points), groups
// them by zoom (cluster.js) and fetches one event in full when it is clicked.
//
// Safety rule for this file: no string from the API is ever parsed as markup (see dom.js), and
// Leaflet popups and tooltips are given DOM nodes, never strings.

import L from 'leaflet';
import { feature } from 'topojson-client';
import 'leaflet/dist/leaflet.css';
import './style.css';
import { getJSON, session } from './api.js';
import { binPoints, CLUSTER_MIN, dominant } from './cluster.js';
import { byId, el, fillEvidence, placeName, safeClass, typing } from './dom.js';
import { setupReview } from './review.js';

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
const POINT_LIMIT = 200000;
const PLAY_MS = 900;
const DAY_MS = 86400000;
const MAX_ZOOM = 16;

const state = {
  points: { n: 0, ids: [], lat: new Float64Array(0), lon: new Float64Array(0), types: new Uint8Array(0), day: new Int32Array(0) },
  eventTypes: Object.keys(TYPE_COLOURS),
  loaded: null, // the padded bounds whose points are loaded, and the filters they were loaded with
  pointsSeq: 0,
  days: [],
  firstDay: 0,
  index: 0,
  windowDays: 0,
  timer: null,
  controlSeq: 0,
  renders: 0,
  firstRender: false,
};

function setStatus(message) {
  byId('status-line').textContent = message;
}

// When each step of the start was done (ms since navigation), for the benchmark to print.
function stamp(step) {
  const line = document.body.dataset.timings;
  document.body.dataset.timings = `${line ? `${line} ` : ''}${step}=${performance.now().toFixed(0)}`;
}

const dayNumber = (iso) => Math.floor(Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) / DAY_MS);
const isoDay = (n) => new Date(n * DAY_MS).toISOString().slice(0, 10);
const currentDay = () => state.days[state.index] || null;

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
const map = L.map('map', { worldCopyJump: true, minZoom: 2, maxZoom: MAX_ZOOM }).setView([30, 30], 3);
map.attributionControl.setPrefix(false);
map.attributionControl.addAttribution('Natural Earth (public domain)');
for (const [pane, z] of [['basemap', 250], ['territory', 420], ['events', 450], ['focus', 460]]) {
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

// The basemap's file is fetched at once, but drawn (a few hundred milliseconds of the page's
// only thread for 240 countries) once the events are on the map, or once it is clear they
// will not come (a private server before signing in).
const basemapFile = getJSON('static/countries-50m.json');
let eventsShown = null;
const eventsDrawn = new Promise((resolve) => {
  eventsShown = resolve;
});

async function loadBasemap() {
  const topo = await basemapFile;
  await eventsDrawn;
  basemap.addData(feature(topo, topo.objects.countries));
  stamp('basemap');
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
  return config;
}

// -- legend: only what is in view ------------------------------------------------------------
const legend = L.control({ position: 'bottomright' });
const typeLegend = el('div', { class: 'legend-types' });
const controlLegend = el('div', { class: 'legend-control' });
legend.onAdd = () => {
  const box = el('div', { class: 'legend' }, typeLegend, controlLegend);
  L.DomEvent.disableClickPropagation(box);
  return box;
};
legend.addTo(map);

function updateTypeLegend(counts) {
  typeLegend.replaceChildren();
  const present = state.eventTypes.map((t, i) => [t, counts[i]]).filter(([, n]) => n > 0);
  if (!present.length) return;
  typeLegend.append(el('strong', null, 'Event type (in view)'));
  for (const [type, n] of present) {
    const swatch = el('span', { class: 'swatch' });
    swatch.style.background = TYPE_COLOURS[type] || '#555555';
    typeLegend.append(el('div', { class: 'legend-type', 'data-type': type }, swatch, `${type} (${n})`));
  }
}

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
  controlLegend.append(el('strong', null, 'Control (rings, in view)'));
  for (const name of names) {
    const ring = el('span', { class: 'ring' });
    ring.style.borderColor = controllerColour(name === 'unknown' ? null : name);
    controlLegend.append(el('div', { class: 'legend-controller' }, ring, name));
  }
}

// -- one event in full, on demand ----------------------------------------------------------
function popupFor(eventId, popup) {
  const box = el('div', { class: 'ev-popup', 'data-event-id': eventId }, el('p', { class: 'loading' }, 'Loading…'));
  getJSON(`events/${encodeURIComponent(eventId)}`)
    .then((ev) => {
      box.replaceChildren();
      const actors = [ev.actor1, ev.assoc_actor_1].filter(Boolean).join(' with ');
      const against = [ev.actor2, ev.assoc_actor_2].filter(Boolean).join(' with ');
      box.append(
        el('h3', null, ev.sub_event_type),
        el('p', { class: 'ev-meta' }, [ev.event_date || 'undated', placeName(ev)].filter(Boolean).join(' · ')),
      );
      if (actors || against) box.append(el('p', { class: 'ev-actors' }, actors || 'unidentified', against ? ` vs ${against}` : ''));
      const facts = [`status: ${ev.status}`];
      if (ev.fatalities != null) facts.push(`fatalities: ${ev.fatalities}`);
      if (ev.historical) facts.push('historical');
      if (ev.reviewed) facts.push(`reviewed: ${ev.reviewed}`);
      box.append(el('p', { class: 'ev-facts' }, facts.join(' · ')));
      box.append(
        el('p', { class: 'ev-source' }, 'Source: ', el('span', null, ev.attributed_to.length ? ev.attributed_to.join(', ') : 'the article itself')),
      );
      const list = el('div', { class: 'ev-evidence-list' });
      fillEvidence(list, ev);
      box.append(list);
      if (session.user) {
        const open = el('button', { type: 'button', class: 'ev-review' }, 'Review this event');
        open.addEventListener('click', () => review.open(ev.event_id));
        box.append(open);
      }
      popup.update();
    })
    .catch((err) => box.replaceChildren(el('p', { class: 'error' }, err.message)));
  return box;
}

function openEventPopup(eventId, latlng) {
  const popup = L.popup({ maxWidth: 400, minWidth: 280 }).setLatLng(latlng);
  popup.setContent(popupFor(eventId, popup));
  popup.openOn(map);
}

function clusterPopup(members, latlng) {
  const P = state.points;
  const list = el('ol', { class: 'cluster-list' });
  for (const i of members.slice(0, 40)) {
    const item = el('button', { type: 'button', class: 'link' }, `${state.eventTypes[P.types[i]]}, ${P.day[i] >= 0 ? isoDay(P.day[i]) : 'undated'}`);
    item.addEventListener('click', () => openEventPopup(P.ids[i], latlng));
    list.append(el('li', null, item));
  }
  const box = el('div', { class: 'ev-popup' }, el('h3', null, `${members.length} events here`), list);
  if (members.length > 40) box.append(el('p', { class: 'ev-doc' }, `The first 40 are listed; narrow the dates or filters for the rest.`));
  L.popup({ maxWidth: 360 }).setLatLng(latlng).setContent(box).openOn(map);
}

// -- drawing -------------------------------------------------------------------------------
function viewBox() {
  const b = map.getBounds().pad(0.15);
  const wide = b.getEast() - b.getWest() >= 360 || b.getWest() < -180 || b.getEast() > 180;
  return {
    south: b.getSouth(),
    north: b.getNorth(),
    west: wide ? -180 : b.getWest(),
    east: wide ? 180 : b.getEast(),
  };
}

function addEventMarker(i, latlng, today) {
  const P = state.points;
  const id = P.ids[i];
  const type = state.eventTypes[P.types[i]];
  const marker = L.circleMarker(latlng, {
    pane: 'events',
    radius: today ? 9 : 6,
    weight: today ? 2 : 1,
    color: '#1d1d1d',
    fillColor: TYPE_COLOURS[type] || '#555555',
    fillOpacity: today ? 0.95 : 0.65,
    className: `ev-marker ev-${safeClass(type)}${today ? ' ev-today' : ''}`,
  });
  // The popup belongs to the map, not to the mark: the marks are redrawn whenever the view
  // moves (the popup's own pan included), and the popup must outlive them.
  marker.on('click', () => openEventPopup(id, marker.getLatLng()));
  marker.on('add', () => marker.getElement()?.setAttribute('data-event-id', id));
  marker.addTo(eventsLayer);
}

function addCluster(members) {
  const P = state.points;
  let lat = 0;
  let lon = 0;
  let south = 90;
  let north = -90;
  let west = 180;
  let east = -180;
  for (const i of members) {
    lat += P.lat[i];
    lon += P.lon[i];
    south = Math.min(south, P.lat[i]);
    north = Math.max(north, P.lat[i]);
    west = Math.min(west, P.lon[i]);
    east = Math.max(east, P.lon[i]);
  }
  const at = L.latLng(lat / members.length, lon / members.length);
  const type = state.eventTypes[dominant(P.types, members)];
  const size = Math.round(26 + 9 * Math.log10(members.length));
  const label = el('span', null, String(members.length));
  label.style.background = TYPE_COLOURS[type] || '#555555';
  const marker = L.marker(at, {
    pane: 'events',
    icon: L.divIcon({ html: label, className: 'ev-cluster', iconSize: [size, size] }),
    title: `${members.length} events; mostly ${type}`,
    keyboard: false,
  });
  marker.on('add', () => marker.getElement()?.setAttribute('data-count', String(members.length)));
  marker.on('click', () => {
    const spread = north - south + (east - west);
    if (spread < 1e-6 || map.getZoom() >= MAX_ZOOM) clusterPopup(members, at);
    else map.fitBounds(L.latLngBounds([south, west], [north, east]).pad(0.2), { maxZoom: MAX_ZOOM });
  });
  marker.addTo(eventsLayer);
}

// Reports at the same point (or a few pixels apart at this zoom) would hide each other; fan
// them out on a small circle.
function spreadAround(members) {
  const P = state.points;
  const groups = new Map();
  const zoom = map.getZoom();
  for (const i of members) {
    const p = map.project([P.lat[i], P.lon[i]], zoom);
    const key = `${Math.round(p.x / 8)},${Math.round(p.y / 8)}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(i);
  }
  const out = [];
  const r0 = 8 * (360 / (256 * 2 ** zoom)); // about 8 pixels
  for (const group of groups.values()) {
    group.forEach((i, k) => {
      if (group.length === 1) {
        out.push([i, [P.lat[i], P.lon[i]]]);
        return;
      }
      const angle = (2 * Math.PI * k) / group.length;
      const r = r0 * Math.min(1 + group.length / 6, 3);
      out.push([i, [P.lat[i] + r * Math.sin(angle), P.lon[i] + r * Math.cos(angle)]]);
    });
  }
  return out;
}

function render() {
  const t0 = performance.now();
  const P = state.points;
  const day = currentDay();
  const hi = day ? dayNumber(day) : Infinity;
  const lo = day && state.windowDays ? hi - state.windowDays + 1 : -Infinity;
  const keep = (i) => P.day[i] < 0 || (P.day[i] <= hi && P.day[i] >= lo);
  const zoom = map.getZoom();
  const cells = binPoints(P, viewBox(), zoom, keep);
  const counts = new Array(state.eventTypes.length).fill(0);
  eventsLayer.clearLayers();
  let shown = 0;
  let undated = 0;
  let marks = 0;
  for (const members of cells.values()) {
    shown += members.length;
    for (const i of members) {
      counts[P.types[i]]++;
      if (P.day[i] < 0) undated++;
    }
    if (members.length >= CLUSTER_MIN && zoom < MAX_ZOOM) {
      addCluster(members);
    } else {
      for (const [i, latlng] of spreadAround(members)) addEventMarker(i, latlng, P.day[i] === hi);
    }
    marks++;
  }
  updateTypeLegend(counts);
  const window = state.windowDays ? `, the ${state.windowDays} days to ${day}` : day ? ` up to ${day}` : '';
  byId('count').textContent = `${shown} events in view${window}${undated ? ` (${undated} undated, always shown)` : ''}${state.truncated ? '; more match: zoom in' : ''}`;
  byId('day-label').textContent = day || 'no dated events';
  const mapNode = byId('map');
  mapNode.dataset.markers = String(shown);
  mapNode.dataset.marks = String(marks);
  mapNode.dataset.renderMs = (performance.now() - t0).toFixed(1);
  mapNode.dataset.renders = String(++state.renders);
  mapNode.dataset.renderedDay = day || '';
  if (!state.firstRender && state.loaded) {
    state.firstRender = true;
    // From the start of navigation to the first map of the data: what a reader waits.
    document.body.dataset.firstRenderMs = performance.now().toFixed(0);
    stamp('drawn');
    eventsShown();
  }
}

// -- territorial control --------------------------------------------------------------------
let controlTimer = null;
function scheduleControl() {
  clearTimeout(controlTimer);
  controlTimer = setTimeout(loadControl, 120);
}

function bboxParam(box) {
  const clamp = (v, a) => Math.max(-a, Math.min(a, v));
  return [clamp(box.west, 180), clamp(box.south, 90), clamp(box.east, 180), clamp(box.north, 90)].map((v) => v.toFixed(4)).join(',');
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
    const data = await getJSON('control', { date: day, bbox: bboxParam(viewBox()) });
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

// -- loading ---------------------------------------------------------------------------------
async function loadExtent() {
  return useExtent(await getJSON('map/extent', filterParams()));
}

function useExtent(ext) {
  const previous = currentDay();
  const atEnd = state.index >= state.days.length - 1;
  state.days = [];
  if (ext.first_date && ext.last_date) {
    state.firstDay = dayNumber(ext.first_date);
    for (let d = state.firstDay; d <= dayNumber(ext.last_date); d++) state.days.push(isoDay(d));
  }
  const keep = previous ? state.days.indexOf(previous) : -1;
  state.index = atEnd || keep < 0 ? Math.max(state.days.length - 1, 0) : keep;
  byId('day').max = String(Math.max(state.days.length - 1, 0));
  byId('day').value = String(state.index);
  setStatus(state.days.length ? `${ext.count} events, ${ext.first_date} to ${ext.last_date}` : `${ext.count} events`);
  return ext;
}

function filterKey() {
  return JSON.stringify(filterParams());
}

function paddedBounds() {
  if (map.getZoom() <= 4) return null; // the whole world: panning never needs a reload
  const b = map.getBounds().pad(0.6);
  const south = Math.max(-90, b.getSouth());
  const north = Math.min(90, b.getNorth());
  if (b.getEast() - b.getWest() >= 360 || b.getWest() < -180 || b.getEast() > 180) return null;
  return L.latLngBounds([south, b.getWest()], [north, b.getEast()]);
}

async function loadPoints(world = false, draw = true) {
  const seq = ++state.pointsSeq;
  const bounds = world ? null : paddedBounds();
  const params = { ...filterParams(), limit: POINT_LIMIT, with_extent: world ? 'true' : '' };
  if (bounds) params.bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map((v) => v.toFixed(4)).join(',');
  const data = await getJSON('map/points', params);
  if (seq !== state.pointsSeq) return data; // a newer view was asked for meanwhile
  const n = data.count;
  const day = new Int32Array(n);
  const seen = new Map(); // a few thousand distinct days among tens of thousands of events
  for (let i = 0; i < n; i++) {
    const d = data.dates[i];
    if (!d) day[i] = -1;
    else if (seen.has(d)) day[i] = seen.get(d);
    else seen.set(d, (day[i] = dayNumber(d)));
  }
  state.eventTypes = data.event_types;
  state.points = { n, ids: data.ids, lat: Float64Array.from(data.lat), lon: Float64Array.from(data.lon), types: Uint8Array.from(data.types), day };
  state.truncated = data.truncated;
  state.loaded = { bounds, key: filterKey() };
  if (draw) render();
  return data;
}

async function reloadAll() {
  await loadExtent();
  await loadPoints();
  scheduleControl();
}

function needsPoints() {
  if (!state.loaded || state.loaded.key !== filterKey()) return true;
  if (!state.loaded.bounds) return false; // the whole world is loaded
  return !state.loaded.bounds.contains(map.getBounds());
}

let moveTimer = null;
function onMove() {
  viewToHash();
  if (needsPoints()) {
    clearTimeout(moveTimer);
    moveTimer = setTimeout(() => loadPoints().catch((err) => setStatus(err.message)), 150);
  }
  render();
  scheduleControl();
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

  const reload = () => reloadAll().catch((err) => setStatus(err.message));
  let pending = null;
  for (const id of ['f-type', 'f-status', 'f-historical']) byId(id).addEventListener('change', reload);
  for (const id of ['f-actor', 'f-text']) {
    byId(id).addEventListener('input', () => {
      clearTimeout(pending);
      pending = setTimeout(reload, 300);
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
  byId('window').addEventListener('change', () => {
    state.windowDays = Number(byId('window').value);
    render();
  });
  byId('play').addEventListener('click', () => (state.timer ? stop() : play()));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !typing(e)) map.closePopup();
  });
}

// -- the review queue (review.js) ------------------------------------------------------------
const review = setupReview({
  map,
  filters: filterParams,
  focusPane: 'focus',
  // A decision can move, add or remove events: the map reloads its points.
  changed: () => reloadAll().catch((err) => setStatus(err.message)),
  signedIn: () => start().catch((err) => setStatus(err.message)),
});

let started = false;
async function start() {
  if (started) return;
  const config = await configReady;
  if (config.private && !session.user) {
    setStatus('Sign in to see the events.');
    eventsShown();
    return;
  }
  started = true;
  // One request: the points of the whole world, and the extent that says where to open (a
  // view inside the world then needs no second load).
  stamp('start');
  const ext = useExtent((await loadPoints(true, false)).extent);
  stamp('points');
  if (!viewFromHash() && ext.core) {
    // The box of the middle of the events, or of them all when that is not much larger (a
    // small store opens on all its events, a year of world news on the countries it crowds in).
    const [cw, cs, ce, cn] = ext.core;
    const [w, s, e, n] = ext.bbox;
    const all = e - w <= 2 * (ce - cw) + 1 && n - s <= 2 * (cn - cs) + 1;
    const box = all ? [w, s, e, n] : ext.core;
    map.fitBounds(L.latLngBounds([box[1], box[0]], [box[3], box[2]]).pad(0.1), { maxZoom: 8, animate: false });
  }
  render();
  scheduleControl();
  map.on('moveend', onMove);
  document.body.dataset.ready = '1';
}

setupControls();
const configReady = loadConfig();
// The basemap draws when it arrives; the events do not wait for it.
loadBasemap().catch((err) => setStatus(`basemap: ${err.message}`));
Promise.all([configReady, review.ready])
  .then(start)
  .catch((err) => {
    setStatus(err.message);
    eventsShown();
  });
