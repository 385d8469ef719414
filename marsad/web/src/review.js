// The review queue: sign in, go through the events awaiting review, accept, correct or reject
// each, by mouse or by keyboard (j/k next and previous, a accept, s save, r reject, e edit,
// p pick the place on the map). A correction is one click when the right value was one the
// coder weighed: the card lists the places and actors of the evidence and the rejected
// alternatives of each place.
//
// Every text from the API enters the page as text nodes (dom.js); the token travels in the
// Authorization header (api.js).

import L from 'leaflet';
import { canWrite, getJSON, postJSON, session, setToken } from './api.js';
import { byId, el, fillEvidence, placeName, typing } from './dom.js';

const STATES = [
  ['todo', 'awaiting review'],
  ['conflict', 'conflicts to settle'],
  ['pending', 'no decision yet'],
  ['reviewed', 'reviewed'],
  ['rejected', 'rejected'],
  ['all', 'all'],
];
const ORDERS = [
  ['confidence', 'least certain first'],
  ['disputed', 'disputed first'],
  ['date', 'oldest first'],
  ['recent', 'newest first'],
];
const PLACE_FIELDS = ['location', 'admin1', 'country', 'country_code', 'latitude', 'longitude', 'geonameid', 'geo_precision'];
const STATUSES = ['reported', 'claimed', 'alleged', 'denied', 'disputed'];
const PAGE = 50;

export function setupReview({ map, filters, focusPane, changed, signedIn }) {
  const panel = byId('review');
  const queueList = byId('rv-queue');
  const cardBox = byId('rv-card');
  const focus = L.layerGroup().addTo(map);
  const rv = {
    items: [],
    index: -1,
    card: null,
    edits: {},
    picking: false,
    offset: 0,
  };

  // -- signing in ------------------------------------------------------------------------------
  function showUser() {
    const who = byId('whoami');
    const signedInNow = Boolean(session.user);
    byId('signin').hidden = signedInNow;
    byId('signout').hidden = !signedInNow;
    who.hidden = !signedInNow;
    who.textContent = signedInNow ? `${session.user.name} (${session.user.role})` : '';
    document.body.dataset.role = session.user?.role || '';
    if (rv.card) renderCard(rv.card);
  }

  async function checkToken() {
    if (!session.token) return showUser();
    try {
      session.user = await getJSON('me');
    } catch (err) {
      if (err.status === 401) setToken('');
      else throw err;
    }
    showUser();
  }

  byId('signin').addEventListener('submit', async (e) => {
    e.preventDefault();
    setToken(byId('token').value.trim());
    byId('token').value = '';
    try {
      await checkToken();
      if (!session.user) byId('status-line').textContent = 'That token is not valid.';
      else signedIn();
    } catch (err) {
      byId('status-line').textContent = err.message;
    }
  });
  byId('signout').addEventListener('click', () => {
    setToken('');
    showUser();
  });

  // -- the queue -------------------------------------------------------------------------------
  const stateSelect = byId('rv-state');
  for (const [value, label] of STATES) stateSelect.append(el('option', { value }, label));
  const orderSelect = byId('rv-order');
  for (const [value, label] of ORDERS) orderSelect.append(el('option', { value }, label));

  function toggle(open, pick = true) {
    panel.hidden = !open;
    byId('review-toggle').setAttribute('aria-expanded', String(open));
    map.invalidateSize();
    if (open) return loadQueue(false, pick).catch(showError);
    stopPicking();
    focus.clearLayers();
    return Promise.resolve();
  }
  byId('review-toggle').addEventListener('click', () => toggle(panel.hidden));
  stateSelect.addEventListener('change', () => loadQueue().catch(showError));
  orderSelect.addEventListener('change', () => loadQueue().catch(showError));

  function showError(err) {
    byId('rv-note').textContent = err.message;
  }

  function say(message) {
    byId('rv-note').textContent = message;
  }

  async function loadQueue(keepIndex = false, pick = true) {
    const params = { ...filters(), state: stateSelect.value, order: orderSelect.value, limit: PAGE, offset: 0 };
    const page = await getJSON('review/queue', params);
    rv.items = page.items;
    queueList.replaceChildren();
    for (const [k, item] of page.items.entries()) queueList.append(queueRow(item, k));
    byId('rv-count').textContent = `${page.items.length}${page.next_offset != null ? '+' : ''} events`;
    updateMergeButton();
    if (!rv.items.length) {
      rv.index = -1;
      cardBox.replaceChildren(el('p', { class: 'rv-empty' }, 'Nothing here.'));
      cardBox.dataset.eventId = '';
      focus.clearLayers();
      return;
    }
    if (pick) await select(keepIndex ? Math.min(Math.max(rv.index, 0), rv.items.length - 1) : 0);
  }

  function queueRow(item, k) {
    const box = el('input', { type: 'checkbox', class: 'rv-pick', 'aria-label': 'Select for merging' });
    box.addEventListener('change', updateMergeButton);
    box.addEventListener('click', (e) => e.stopPropagation());
    const badges = el('span', { class: 'rv-badges' });
    if (item.review && item.review.decision !== 'pending') {
      badges.append(el('span', { class: `badge badge-${item.review.decision}` }, item.review.decision));
    }
    if (item.review?.conflicts?.length) badges.append(el('span', { class: 'badge badge-conflict' }, `${item.review.conflicts.length} conflict`));
    if (item.status !== 'reported') badges.append(el('span', { class: 'badge' }, item.status));
    const row = el(
      'li',
      { class: 'rv-item', 'data-event-id': item.event_id, tabindex: '-1' },
      box,
      el('span', { class: 'rv-what' }, item.sub_event_type),
      el('span', { class: 'rv-where' }, [item.event_date || 'undated', item.location || 'no place'].join(' · ')),
      el('span', { class: 'rv-sources' }, `${item.n_sources} src`),
      badges,
    );
    row.addEventListener('click', () => select(k).catch(showError));
    return row;
  }

  function checkedIds() {
    return [...queueList.querySelectorAll('.rv-pick:checked')].map((b) => b.closest('li').dataset.eventId);
  }

  function updateMergeButton() {
    byId('rv-merge').disabled = !canWrite() || checkedIds().length < 2;
  }

  byId('rv-merge').addEventListener('click', () => {
    // each event's review version as the queue showed it: a decision made since is a 409, not overwritten
    const ids = checkedIds();
    const seen = new Map(rv.items.map((item) => [item.event_id, item.review ? item.review.version : 0]));
    const versions = ids.map((id) => seen.get(id) ?? 0);
    act(() => postJSON('review/merge', { event_ids: ids, if_versions: versions }), 'Merged.').catch(showError);
  });

  async function select(k) {
    if (k < 0 || k >= rv.items.length) return;
    rv.index = k;
    for (const [j, row] of [...queueList.children].entries()) {
      row.classList.toggle('selected', j === k);
      row.setAttribute('aria-selected', String(j === k));
    }
    queueList.children[k].scrollIntoView({ block: 'nearest' });
    await openCard(rv.items[k].event_id);
  }

  // -- the card --------------------------------------------------------------------------------
  async function openCard(eventId) {
    cardBox.dataset.eventId = '';
    cardBox.replaceChildren(el('p', { class: 'loading' }, 'Loading…'));
    const card = await getJSON(`review/events/${encodeURIComponent(eventId)}`);
    rv.card = card;
    rv.edits = {};
    stopPicking();
    renderCard(card);
    const ev = card.event;
    focus.clearLayers();
    if (ev.latitude != null && ev.longitude != null) {
      L.circleMarker([ev.latitude, ev.longitude], { pane: focusPane, radius: 14, weight: 3, color: '#111', fill: false, interactive: false, className: 'rv-focus' }).addTo(focus);
      if (!map.getBounds().pad(-0.1).contains([ev.latitude, ev.longitude])) map.panTo([ev.latitude, ev.longitude]);
    }
  }

  const value = (field) => (field in rv.edits ? rv.edits[field] : rv.card.event[field]);

  function setEdits(fields) {
    Object.assign(rv.edits, fields);
    renderCard(rv.card);
  }

  function fieldRow(label, input, extra) {
    return el('div', { class: 'rv-field' }, el('label', null, el('span', null, label), input), extra);
  }

  // As the analyst types: ask ``path`` for what matches and show each answer as a chip.
  function searchAs(input, results, path, chips) {
    let timer = null;
    input.addEventListener('input', () => {
      clearTimeout(timer);
      const q = input.value.trim();
      timer = setTimeout(async () => {
        results.replaceChildren();
        if (q) results.append(...chips(await getJSON(path, { q }), q));
      }, 200);
    });
  }

  function actorField(which) {
    const input = el('input', { id: `rv-${which}`, type: 'search', maxlength: '200', value: value(which) || '', autocomplete: 'off' });
    const results = el('div', { class: 'rv-options', id: `rv-${which}-options` });
    searchAs(input, results, 'review/actors', (found, q) => [
      ...found.map((a) => chip(a.name, `${a.type || 'actor'}${a.country ? `, ${a.country}` : ''}`, () => setActor(which, a))),
      chip(`“${q}” as a new name`, 'not in the dictionary', () => setActor(which, { name: q })),
    ]);
    return fieldRow(which === 'actor1' ? 'Actor 1' : 'Actor 2', input, results);
  }

  function setActor(which, actor) {
    const inter = which === 'actor1' ? 'inter1' : 'inter2';
    setEdits({ [which]: actor.name, [inter]: actor.inter ?? null });
  }

  function chip(text, title, onClick) {
    const b = el('button', { type: 'button', class: 'chip', title }, text);
    b.addEventListener('click', onClick);
    return b;
  }

  function setPlace(p) {
    const fields = {};
    for (const f of PLACE_FIELDS) fields[f] = p[f] ?? null;
    setEdits(fields);
  }

  function placeField() {
    const shown = el('strong', { id: 'rv-place-name' }, placeName({ location: value('location'), admin1: value('admin1'), country: value('country') }) || 'no place');
    const input = el('input', { id: 'rv-place', type: 'search', maxlength: '100', placeholder: 'search the gazetteer', autocomplete: 'off' });
    const results = el('div', { class: 'rv-options', id: 'rv-place-options' });
    searchAs(input, results, 'review/places', (found) => found.map((p) => placeChip(p)));
    const pick = el('button', { id: 'rv-pick', type: 'button', class: rv.picking ? 'active' : '' }, rv.picking ? 'Click the map… (Esc)' : 'Pick on the map (p)');
    pick.addEventListener('click', () => (rv.picking ? stopPicking() : startPicking()));
    const near = el('div', { class: 'rv-options', id: 'rv-near' });
    return el('div', { class: 'rv-field' }, el('label', null, el('span', null, 'Place'), shown), input, pick, results, near);
  }

  function placeChip(p, why) {
    const where = [p.admin1, p.country].filter(Boolean).join(', ');
    const note = [p.type, where, p.distance_km != null ? `${p.distance_km} km` : null, why].filter(Boolean).join(' · ');
    return chip(p.location, note, () => setPlace(p));
  }

  function startPicking() {
    rv.picking = true;
    map.getContainer().classList.add('picking');
    renderCard(rv.card);
  }

  function stopPicking() {
    rv.picking = false;
    map.getContainer().classList.remove('picking');
  }

  map.on('click', async (e) => {
    if (!rv.picking || !rv.card) return;
    stopPicking();
    renderCard(rv.card);
    const near = byId('rv-near');
    near.replaceChildren(el('p', { class: 'loading' }, 'Places near the click…'));
    const found = await getJSON('review/places', { lat: e.latlng.lat.toFixed(5), lon: e.latlng.lng.toFixed(5) });
    near.replaceChildren(el('span', { class: 'rv-hint' }, 'Near the click: '));
    for (const p of found) near.append(placeChip(p));
    near.dataset.ready = '1';
  });

  function renderCard(card) {
    const ev = card.event;
    const st = card.review;
    const writable = canWrite();
    cardBox.replaceChildren();
    cardBox.dataset.eventId = ev.event_id;
    cardBox.dataset.decision = st?.decision || '';
    cardBox.dataset.version = String(st?.version || 0);
    cardBox.append(
      el('h3', null, value('sub_event_type')),
      el('p', { class: 'ev-meta' }, [value('event_date') || 'undated', placeName(ev)].filter(Boolean).join(' · ')),
    );
    const status = st ? `${st.decision}${st.reason ? ` (${st.reason})` : ''} by ${st.reviewer}, ${st.reviewed_at?.slice(0, 16).replace('T', ' ')}` : 'not reviewed';
    cardBox.append(el('p', { class: 'rv-status' }, status));
    if (st?.conflicts?.length) {
      const box = el('div', { class: 'rv-conflicts', role: 'alert' }, el('strong', null, 'The machine now says otherwise (not applied):'));
      for (const c of st.conflicts) {
        const line = el('p', null, `${c.field}: kept ${show(c.reviewed)}; machine now ${show(c.machine)}${c.machine_then != null ? ` (was ${show(c.machine_then)})` : ''}`);
        if (writable && c.field !== 'event' && st.machine) {
          line.append(' ', chip("Take the machine's", 'use the new value', () => setEdits(machineValue(c.field, st.machine))));
        }
        box.append(line);
      }
      cardBox.append(box);
    }

    // The values, editable.
    const form = el('form', { id: 'rv-form', autocomplete: 'off' });
    form.addEventListener('submit', (e) => e.preventDefault());
    const type = el('select', { id: 'rv-type' });
    for (const t of card.sub_event_types) type.append(el('option', { value: t, selected: t === value('sub_event_type') }, t));
    type.addEventListener('change', () => setEdits({ sub_event_type: type.value }));
    form.append(fieldRow('Type', type));
    const day = el('input', { id: 'rv-date', type: 'date', value: value('event_date') || '' });
    day.addEventListener('change', () => setEdits({ event_date: day.value || null, time_precision: day.value ? 1 : null }));
    form.append(fieldRow('Date', day));
    form.append(actorField('actor1'), actorField('actor2'), placeField());
    const toll = el('input', { id: 'rv-fatalities', type: 'number', min: '0', max: '1000000', value: value('fatalities') ?? '' });
    toll.addEventListener('change', () => setEdits({ fatalities: toll.value === '' ? null : Number(toll.value) }));
    form.append(fieldRow('Fatalities', toll));
    const status2 = el('select', { id: 'rv-status' });
    for (const s of STATUSES) status2.append(el('option', { value: s, selected: s === value('status') }, s));
    status2.addEventListener('change', () => setEdits({ status: status2.value }));
    form.append(fieldRow('Status', status2));
    const source = el('input', { id: 'rv-source', type: 'text', maxlength: '600', value: (value('attributed_to') || []).join('; ') });
    source.addEventListener('change', () => setEdits({ attributed_to: source.value.split(';').map((s) => s.trim()).filter(Boolean) }));
    form.append(fieldRow('Source', source));
    const hist = el('input', { id: 'rv-historical', type: 'checkbox', checked: Boolean(value('historical')) });
    hist.addEventListener('change', () => setEdits({ historical: hist.checked }));
    form.append(fieldRow('Historical background', hist));
    if (!writable) for (const node of form.querySelectorAll('input, select, button')) node.disabled = true;
    cardBox.append(form);

    // One click for what the coder weighed.
    if (card.candidates.places.length) {
      const box = el('div', { class: 'rv-options rv-candidates', id: 'rv-place-candidates' }, el('span', { class: 'rv-hint' }, 'Places the coder weighed: '));
      for (const p of card.candidates.places) box.append(placeChip(p, p.why));
      cardBox.append(box);
    }
    if (card.candidates.actors.length) {
      const box = el('div', { class: 'rv-options rv-candidates', id: 'rv-actor-candidates' }, el('span', { class: 'rv-hint' }, 'Actors in the text: '));
      for (const a of card.candidates.actors) {
        box.append(
          el('span', { class: 'chip-pair' }, a.name, ' ', chip('as 1', a.why || '', () => setActor('actor1', a)), chip('as 2', a.why || '', () => setActor('actor2', a))),
        );
      }
      cardBox.append(box);
    }
    if (!writable) for (const b of cardBox.querySelectorAll('.rv-candidates button')) b.disabled = true;

    // The decisions.
    const edited = Object.keys(rv.edits).length > 0;
    const buttons = el('div', { class: 'rv-actions' });
    const accept = el('button', { id: 'rv-accept', type: 'button', disabled: !writable || edited }, 'Accept (a)');
    accept.addEventListener('click', () => acceptCard().catch(showError));
    const save = el('button', { id: 'rv-save', type: 'button', disabled: !writable || !edited }, 'Save corrections (s)');
    save.addEventListener('click', () => saveCard().catch(showError));
    const reason = el('select', { id: 'rv-reason', disabled: !writable, 'aria-label': 'Reason' });
    for (const r of card.reject_reasons) reason.append(el('option', { value: r }, r));
    const reject = el('button', { id: 'rv-reject', type: 'button', disabled: !writable }, 'Reject (r)');
    reject.addEventListener('click', () => rejectCard(reason.value).catch(showError));
    buttons.append(accept, save, reason, reject);
    if (st && st.decision !== 'pending') {
      const reopen = el('button', { id: 'rv-reopen', type: 'button', disabled: !writable }, 'Reopen');
      reopen.addEventListener('click', () => act(() => postJSON(`review/events/${enc(ev.event_id)}/reopen`, { if_version: st.version }), 'Reopened.').catch(showError));
      buttons.append(reopen);
    }
    if (edited) {
      const undo = el('button', { type: 'button', id: 'rv-undo' }, 'Undo edits');
      undo.addEventListener('click', () => {
        rv.edits = {};
        renderCard(card);
      });
      buttons.append(undo);
    }
    cardBox.append(buttons);

    // The evidence and every source.
    const evidence = el('div', { class: 'ev-evidence-list' });
    fillEvidence(evidence, ev);
    cardBox.append(el('h4', null, 'Evidence'), evidence);
    if (card.members.length > 1) {
      const list = el('ul', { class: 'rv-members' });
      for (const m of card.members) {
        list.append(
          el(
            'li',
            null,
            el('input', { type: 'checkbox', class: 'rv-member', value: m.event_id, disabled: !writable, 'aria-label': 'Select to split off' }),
            ` ${m.doc_id}: ${m.status || ''}${m.fatalities != null ? `, ${m.fatalities} killed` : ''}${m.location ? `, ${m.location}` : ''}`,
          ),
        );
      }
      const split = el('button', { type: 'button', id: 'rv-split', disabled: !writable }, 'Split off the selected reports');
      split.addEventListener('click', () => {
        const ids = [...list.querySelectorAll('.rv-member:checked')].map((b) => b.value);
        act(() => postJSON(`review/events/${enc(ev.event_id)}/split`, { member_ids: ids, if_version: version() }), 'Split.').catch(showError);
      });
      cardBox.append(el('h4', null, `Reports (${card.members.length})`), list, split);
    }
    if (card.history.length) {
      const log = el('ol', { class: 'rv-history' });
      for (const h of card.history) log.append(el('li', null, `${h.at.slice(0, 16).replace('T', ' ')} ${h.user}: ${h.action}${h.note ? ` (${h.note})` : ''}`));
      cardBox.append(el('h4', null, 'History'), log);
    }
  }

  const enc = encodeURIComponent;
  const show = (v) => (Array.isArray(v) ? v.join(', ') : v == null ? 'nothing' : String(v));

  function machineValue(field, machine) {
    if (field === 'place') return Object.fromEntries(PLACE_FIELDS.map((f) => [f, machine[f] ?? null]));
    return { [field]: machine[field] ?? null };
  }

  async function act(call, message) {
    const result = await call();
    say(message);
    await loadQueue(true);
    changed(result);
    return result;
  }

  function version() {
    return rv.card.review ? rv.card.review.version : 0;
  }

  async function acceptCard() {
    if (Object.keys(rv.edits).length) return saveCard();
    return act(() => postJSON(`review/events/${enc(rv.card.event.event_id)}/accept`, { if_version: version() }), 'Accepted.');
  }

  async function saveCard() {
    const fields = { ...rv.edits };
    return act(() => postJSON(`review/events/${enc(rv.card.event.event_id)}/correct`, { fields, if_version: version() }), 'Saved.');
  }

  async function rejectCard(reason) {
    return act(() => postJSON(`review/events/${enc(rv.card.event.event_id)}/reject`, { reason, if_version: version() }), 'Rejected.');
  }

  // -- keyboard --------------------------------------------------------------------------------
  document.addEventListener('keydown', (e) => {
    if (panel.hidden || !rv.card) return;
    if (e.key === 'Escape') {
      if (rv.picking) {
        stopPicking();
        renderCard(rv.card);
      } else if (typing(e)) {
        e.target.blur();
      }
      return;
    }
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
    const keys = {
      j: () => select(rv.index + 1),
      ArrowDown: () => select(rv.index + 1),
      k: () => select(rv.index - 1),
      ArrowUp: () => select(rv.index - 1),
      a: () => canWrite() && acceptCard(),
      s: () => canWrite() && Object.keys(rv.edits).length && saveCard(),
      r: () => canWrite() && byId('rv-reason').focus(),
      e: () => byId('rv-type').focus(),
      p: () => canWrite() && startPicking(),
    };
    const run = keys[e.key];
    if (!run) return;
    e.preventDefault();
    Promise.resolve(run()).catch(showError);
  });
  // Enter on the reason list rejects.
  cardBox.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.target.id === 'rv-reason') {
      e.preventDefault();
      rejectCard(e.target.value).catch(showError);
    }
  });

  return {
    ready: checkToken().catch(() => showUser()),
    open(eventId) {
      map.closePopup();
      toggle(true, false)
        .then(() => openCard(eventId))
        .catch(showError);
    },
  };
}
