// The control room's single page: live hits and reads over a WebSocket, searches and
// administration through the JSON API (docs/api.md). No external assets: control rooms are offline.
'use strict';

const state = {
  session: null,
  hits: new Map(),       // hit_id -> hit, the feed's memory
  faults: new Map(),     // fault_id -> camera fault, beside the hits
  selected: null,        // hit_id under the keyboard cursor
  reads: [],             // newest first, bounded
  cameras: new Map(),    // camera_id -> camera
  ws: null,
  retryMs: 1000,
  audio: null,
  list: null,            // watchlist shown in detail
  path: [],              // the last vehicle search's sightings, for the map
  mapHits: new Map(),    // hit_id -> hit of the last 12 hours, for the map
  map: null,             // the Leaflet map, made when first shown
  mapLayers: null,
  mapFitted: false,
};
const FAULT_NAMES = { offline: 'offline', 'spool-growing': 'spool growing', 'no-reads': 'no reads' };
const FAULT_PREFIX = 'fault:';  // list keys of faults, beside hit ids
const MAX_READS = 300;
const ROLES = ['operator', 'supervisor', 'admin'];
const $ = (id) => document.getElementById(id);

// Builds an element without ever parsing text as HTML (no injection from plate or reason text).
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function shortTime(iso) { return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : ''; }
function toIso(localValue) { return localValue ? new Date(localValue + 'Z').toISOString() : ''; }

async function api(path, options = {}) {
  const headers = {};
  const method = options.method || 'GET';
  if (method !== 'GET') headers['X-CSRF-Token'] = state.session ? state.session.csrf : '';
  let body = options.body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.contentType) {
    headers['Content-Type'] = options.contentType;
  }
  const response = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  if (response.status === 401) {
    window.location.href = '/login';
    throw new Error('logged out');
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.error || `HTTP ${response.status}`);
    error.body = data;
    throw error;
  }
  return data;
}

// ---- views -------------------------------------------------------------------------------

function showView(name) {
  const tab = document.querySelector(`#tabs a[data-view="${name}"]`);
  if (!tab || tab.hidden) name = 'hits';
  for (const section of document.querySelectorAll('.view')) section.hidden = section.id !== `view-${name}`;
  for (const link of document.querySelectorAll('#tabs a')) link.classList.toggle('active', link.dataset.view === name);
  if (name === 'cameras') loadCameras();
  if (name === 'watchlists') loadWatchlists();
  if (name === 'audit') loadAudit();
  if (name === 'analysis') loadSections().catch((e) => { $('analysis-error').textContent = e.message; });
  if (name === 'reads') renderReads();
  if (name === 'map') showMap();
  if (name === 'dashboard' && !$('dashboard-summary').textContent) loadDashboard().catch(() => {});
}

function currentView() { return (window.location.hash || '#hits').slice(1); }

// ---- live hits ---------------------------------------------------------------------------

function unacknowledged() {
  let n = 0;
  for (const hit of state.hits.values()) if (hit.state === 'new') n += 1;
  for (const fault of state.faults.values()) if (fault.state === 'new') n += 1;
  return n;
}

function updateCount() {
  const n = unacknowledged();
  const badge = $('unacked');
  badge.textContent = String(n);
  badge.classList.toggle('zero', n === 0);
  document.title = n ? `(${n}) ANPR control room` : 'ANPR control room';
}

function hitElement(hit) {
  const crop = el('img', { src: hit.crop_url, alt: `Plate crop of ${hit.plate}`, loading: 'lazy',
                           onclick: () => showOverview(hit) });
  crop.addEventListener('error', () => { crop.alt = 'no image'; crop.removeAttribute('src'); }, { once: true });
  const ackButton = hit.state === 'new'
    ? el('button', { type: 'button', class: 'ack', onclick: () => openAck(hit.hit_id) }, 'Acknowledge')
    : el('span', { class: 'acked' }, `${hit.state} by ${hit.acknowledged_by}${hit.note ? ': ' + hit.note : ''}`);
  const place = hit.latitude !== null && hit.longitude !== null ? ` (${hit.latitude.toFixed(4)}, ${hit.longitude.toFixed(4)})` : '';
  // A possible clone shows both sightings side by side.
  let pictures = crop;
  if (hit.related_crop_url) {
    const other = el('img', { src: hit.related_crop_url, alt: `Other sighting of ${hit.plate}`, loading: 'lazy' });
    other.addEventListener('error', () => { other.alt = 'no image'; other.removeAttribute('src'); }, { once: true });
    pictures = el('div', { class: 'pair' }, crop, other);
  }
  const item = el('li', { class: `hit ${hit.state}`, dataset: { hitId: hit.hit_id }, tabIndex: 0 },
    pictures,
    el('div', { class: 'meta' },
      el('div', {}, el('span', { class: 'plate' }, hit.plate), ' ',
        el('span', { class: 'priority' }, `priority ${hit.priority} · ${hit.category}`), ' ',
        hit.match_kind === 'clone' ? el('em', {}, 'possible clone: compare both sightings')
          : hit.match_kind !== 'exact' ? el('em', {}, `possible (${hit.match_kind}, listed ${hit.entry_plate})`) : null),
      el('div', {}, `${shortTime(hit.at)} · ${hit.camera_name} · ${hit.site_id}${place}`),
      el('div', {}, `${hit.list}: ${hit.reason}`),
      el('div', { class: 'action' }, hit.action || '')),
    ackButton);
  item.style.borderLeftColor = hit.colour;
  item.addEventListener('focus', () => select(hit.hit_id));
  return item;
}

// A camera fault in the hits' list: its own look, acknowledged the same way.
function faultElement(fault) {
  const cleared = fault.cleared_at !== null;
  const ackButton = fault.state === 'new'
    ? el('button', { type: 'button', class: 'ack', onclick: () => openAck(FAULT_PREFIX + fault.fault_id) }, 'Acknowledge')
    : el('span', { class: 'acked' }, `acknowledged by ${fault.acknowledged_by}${fault.note ? ': ' + fault.note : ''}`);
  const item = el('li', { class: `hit fault ${fault.state}${cleared ? ' cleared' : ''}`,
                          dataset: { hitId: FAULT_PREFIX + fault.fault_id }, tabIndex: 0 },
    el('div', { class: 'fault-icon', title: 'camera fault' }, '⚠'),
    el('div', { class: 'meta' },
      el('div', {}, el('span', { class: 'fault-kind' }, `CAMERA ${(FAULT_NAMES[fault.kind] || fault.kind).toUpperCase()}`), ' ',
        el('span', { class: 'priority' }, `priority ${fault.priority} · camera fault`), ' ',
        el('em', {}, cleared ? `cleared ${shortTime(fault.cleared_at)}` : 'still open')),
      el('div', {}, `${shortTime(fault.raised_at)} · ${fault.camera_name} · ${fault.site_id}`),
      el('div', {}, fault.detail)),
    ackButton);
  item.addEventListener('focus', () => select(FAULT_PREFIX + fault.fault_id));
  return item;
}

function renderHits() {
  const list = $('hit-list');
  const showAcked = $('show-acked').checked;
  const entries = [
    ...[...state.hits.values()].filter((h) => showAcked || h.state === 'new').map((h) => [h.created_at, hitElement(h)]),
    ...[...state.faults.values()].filter((f) => showAcked || f.state === 'new').map((f) => [f.raised_at, faultElement(f)]),
  ].sort((a, b) => b[0].localeCompare(a[0]));
  list.replaceChildren(...entries.map((e) => e[1]));
  $('no-hits').hidden = entries.length > 0;
  if (state.selected) {
    const node = list.querySelector(`[data-hit-id="${CSS.escape(state.selected)}"]`);
    if (node) node.classList.add('selected');
  }
  updateCount();
}

function select(hitId) {
  state.selected = hitId;
  for (const node of document.querySelectorAll('.hit')) node.classList.toggle('selected', node.dataset.hitId === hitId);
}

function moveSelection(step) {
  const nodes = [...document.querySelectorAll('.hit')];
  if (!nodes.length) return;
  let index = nodes.findIndex((n) => n.dataset.hitId === state.selected);
  index = index < 0 ? 0 : Math.min(nodes.length - 1, Math.max(0, index + step));
  nodes[index].focus();
  select(nodes[index].dataset.hitId);
}

function beep() {
  if (!$('sound').checked) return;
  try {
    state.audio = state.audio || new AudioContext();
    const oscillator = state.audio.createOscillator();
    const gain = state.audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.value = 0.2;
    oscillator.connect(gain).connect(state.audio.destination);
    oscillator.start();
    oscillator.stop(state.audio.currentTime + 0.35);
  } catch (e) { /* no audio device: the badge and title still show the hit */ }
}

// A lower double tone: a camera fault, not a vehicle.
function faultBeep() {
  if (!$('sound').checked) return;
  try {
    state.audio = state.audio || new AudioContext();
    for (const [start, frequency] of [[0, 440], [0.25, 330]]) {
      const oscillator = state.audio.createOscillator();
      const gain = state.audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.value = 0.2;
      oscillator.connect(gain).connect(state.audio.destination);
      oscillator.start(state.audio.currentTime + start);
      oscillator.stop(state.audio.currentTime + start + 0.2);
    }
  } catch (e) { /* no audio device: the badge and title still show the fault */ }
}

function openAck(hitId) {
  const fault = hitId.startsWith(FAULT_PREFIX) ? state.faults.get(hitId.slice(FAULT_PREFIX.length)) : null;
  const hit = fault || state.hits.get(hitId);
  if (!hit || hit.state !== 'new') return;
  select(hitId);
  $('ack-plate').textContent = fault ? `camera fault at ${fault.camera_name}` : hit.plate;
  $('ack-note').value = '';
  $('ack-dialog').dataset.hitId = hitId;
  $('ack-dialog').showModal();
  $('ack-note').focus();
}

async function submitAck(event) {
  event.preventDefault();
  const dialog = $('ack-dialog');
  const hitId = dialog.dataset.hitId;
  const faultId = hitId.startsWith(FAULT_PREFIX) ? hitId.slice(FAULT_PREFIX.length) : null;
  try {
    await api(faultId ? `/api/faults/${encodeURIComponent(faultId)}/acknowledge` : `/api/hits/${encodeURIComponent(hitId)}/acknowledge`,
      { method: 'POST', json: { note: $('ack-note').value } });
    const hit = faultId ? state.faults.get(faultId) : state.hits.get(hitId);
    if (hit) { hit.state = 'acknowledged'; hit.acknowledged_by = state.session.user; hit.note = $('ack-note').value; }
    dialog.close();
    renderHits();
  } catch (e) {
    alert(`Could not acknowledge: ${e.message}`);
  }
}

function showOverview(hit) {
  const image = $('image-full');
  image.src = hit.overview_url;
  image.onerror = () => { image.onerror = null; image.src = hit.crop_url; };
  $('image-dialog').showModal();
}

async function loadHits() {
  // Every unacknowledged hit, and the recent ones whatever their state.
  const [fresh, recent] = await Promise.all([api('/api/hits?state=new&limit=5000'), api('/api/hits?limit=300')]);
  for (const hit of [...recent.hits, ...fresh.hits]) state.hits.set(hit.hit_id, hit);
  renderHits();
}

async function loadFaults() {
  // Open or unacknowledged faults; settled ones leave the list (the audit log keeps them).
  const { faults } = await api('/api/faults');
  const wanted = new Set(faults.map((f) => f.fault_id));
  for (const [id, fault] of state.faults) if (!wanted.has(id) && fault.state === 'new') state.faults.delete(id);
  for (const fault of faults) state.faults.set(fault.fault_id, fault);
  renderHits();
  if (currentView() === 'map') drawMap();
}

// ---- live reads --------------------------------------------------------------------------

// A plate pattern as typed ('?' one character, '*' any run; spaces and case ignored) as a test.
function plateMatcher(pattern) {
  const wanted = pattern.toUpperCase().replace(/[^A-Z0-9?*]/g, '');
  if (!wanted) return () => true;
  const re = new RegExp('^' + wanted.replace(/\?/g, '.').replace(/\*/g, '.*') + '$');
  return (plate) => re.test(plate);
}

function renderReads() {
  const camera = $('read-camera').value;
  const plateMatches = plateMatcher($('read-plate').value);
  const rows = state.reads.filter((r) => (!camera || r.camera_id === camera) && plateMatches(r.plate)).slice(0, 100);
  $('read-rows').replaceChildren(...rows.map((r) => el('tr', {},
    el('td', { title: r.clock_ahead_s ? `the camera's clock is ${r.clock_ahead_s} s ahead of the receiver's` : '' },
      shortTime(r.at) + (r.clock_ahead_s ? ' (camera clock ahead)' : '')),
    el('td', {}, el('span', { class: 'plate' }, r.plate)),
    el('td', {}, el('a', { href: `/api/reads/${r.read_id}/overview`, target: '_blank', rel: 'noopener',
      title: 'the whole picture' }, cropOf(r))),
    el('td', {}, r.camera_name), el('td', {}, r.site_id), el('td', {}, r.confidence.toFixed(2)))));
}

// ---- the live feed -----------------------------------------------------------------------

function setConnection(up, text) {
  const node = $('connection');
  node.textContent = text;
  node.classList.toggle('up', up);
  node.classList.toggle('down', !up);
}

function connect() {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${scheme}://${window.location.host}/api/live`);
  state.ws = ws;
  ws.onopen = async () => {
    state.retryMs = 1000;
    setConnection(true, 'live');
    try { await Promise.all([loadHits(), loadFaults()]); } catch (e) { /* the feed still delivers new hits */ }
  };
  ws.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === 'hit') {
      const isNew = !state.hits.has(event.hit.hit_id);
      state.hits.set(event.hit.hit_id, event.hit);
      state.mapHits.set(event.hit.hit_id, event.hit);
      renderHits();
      if (currentView() === 'map') drawMap();
      if (isNew && event.hit.state === 'new') beep();
    } else if (event.type === 'hit-state') {
      const hit = state.hits.get(event.hit_id);
      if (hit) { hit.state = event.state; hit.acknowledged_by = event.by; hit.note = event.note; renderHits(); }
    } else if (event.type === 'fault') {
      const fault = event.fault;
      const isNew = !state.faults.has(fault.fault_id);
      state.faults.set(fault.fault_id, fault);
      renderHits();
      if (isNew && fault.state === 'new' && fault.cleared_at === null) faultBeep();
      if (currentView() === 'cameras') loadCameras().catch(() => {});
      if (currentView() === 'map') drawMap();
    } else if (event.type === 'reload') {
      // This screen fell too far behind the feed: the server drops it, and the page starts afresh.
      window.location.reload();
    } else if (event.type === 'read') {
      state.reads.unshift(event.read);
      state.reads.length = Math.min(state.reads.length, MAX_READS);
      if (currentView() === 'reads') renderReads();
    }
  };
  ws.onclose = () => {
    setConnection(false, `DISCONNECTED: reconnecting in ${Math.round(state.retryMs / 1000)} s`);
    setTimeout(async () => {
      // A closed feed may mean the session ended: the API call sends us to the login page then.
      try { await api('/api/session'); } catch (e) { return; }
      connect();
    }, state.retryMs);
    state.retryMs = Math.min(state.retryMs * 2, 15000);
  };
}

// ---- search ------------------------------------------------------------------------------

// A horizontal bar chart in SVG: one bar per [label, value] entry.
function barChart(title, entries, { labelWidth = 220, width = 720 } = {}) {
  const ns = 'http://www.w3.org/2000/svg';
  const barHeight = 20;
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(entries.length * (barHeight + 4) + 30));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', title);
  const max = Math.max(1, ...entries.map((e) => e[1]));
  const span = width - labelWidth - 70;
  const text = (x, y, content) => {
    const t = document.createElementNS(ns, 'text');
    t.setAttribute('x', String(x)); t.setAttribute('y', String(y)); t.textContent = content;
    return t;
  };
  entries.forEach(([name, value], i) => {
    const y = 22 + i * (barHeight + 4);
    const bar = document.createElementNS(ns, 'rect');
    bar.setAttribute('x', String(labelWidth)); bar.setAttribute('y', String(y));
    bar.setAttribute('height', String(barHeight));
    bar.setAttribute('width', String(Math.max(2, span * value / max)));
    const shown = Number.isInteger(value) ? String(value) : value.toFixed(1);
    svg.append(text(8, y + 15, name), bar, text(labelWidth + span * value / max + 6, y + 15, shown));
  });
  svg.append(text(8, 14, title));
  return svg;
}

function drawChart(rows) {
  const counts = new Map();
  for (const r of rows) counts.set(r.camera_name, (counts.get(r.camera_name) || 0) + 1);
  const entries = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  $('search-chart').replaceChildren(...(entries.length ? [barChart('Sightings per camera', entries)] : []));
}

function searchParams() {
  const params = new URLSearchParams({ plate: $('search-plate').value, reason: $('search-reason').value });
  if ($('search-from').value) params.set('from', toIso($('search-from').value));
  if ($('search-to').value) params.set('to', toIso($('search-to').value));
  return params;
}

// The search's sightings as an evidence pack (a ZIP the browser saves); audited by the server.
async function exportPack() {
  $('search-error').textContent = '';
  if (!$('search-form').reportValidity()) return;
  const response = await fetch(`/api/evidence-pack?${searchParams()}`, {
    method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': state.session ? state.session.csrf : '' } });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    $('search-error').textContent = data.error || `HTTP ${response.status}`;
    return;
  }
  const name = (response.headers.get('Content-Disposition') || '').match(/filename="([^"]+)"/);
  const link = el('a', { href: URL.createObjectURL(await response.blob()), download: name ? name[1] : 'evidence.zip' });
  document.body.append(link);
  link.click();
  link.remove();
  $('search-error').textContent = `Evidence pack exported (audit record ${response.headers.get('X-Audit-Id')}).`;
}

async function search(event) {
  event.preventDefault();
  $('search-error').textContent = '';
  const params = searchParams();
  try {
    const result = await api(`/api/movements?${params}`);
    $('search-rows').replaceChildren(...result.rows.map((r) => el('tr', {},
      el('td', { title: r.clock_ahead_s ? `the camera's clock is ${r.clock_ahead_s} s ahead of the receiver's` : '' },
      shortTime(r.at) + (r.clock_ahead_s ? ' (camera clock ahead)' : '')),
    el('td', {}, el('span', { class: 'plate' }, r.plate)),
      el('td', {}, r.camera_name), el('td', {}, r.site_id),
      el('td', {}, r.latitude !== null ? `${r.latitude.toFixed(4)}, ${r.longitude.toFixed(4)}` : ''),
      el('td', {}, r.confidence.toFixed(2)))));
    drawChart(result.rows);
    state.path = result.rows.filter((r) => r.latitude !== null && r.longitude !== null);
    $('show-path').disabled = state.path.length === 0;
    if (state.map) drawMap();
    if (!result.rows.length) $('search-error').textContent = 'No sightings in that time range.';
    else if (result.truncated) $('search-error').textContent = 'Only the first rows are shown: narrow the time range.';
  } catch (e) {
    $('search-error').textContent = e.message;
  }
}

// ---- analysis ----------------------------------------------------------------------------

function analysisKind() { return $('analysis-kind').value; }

function showAnalysisFields() {
  for (const label of document.querySelectorAll('#analysis-form [data-for]')) label.hidden = label.dataset.for !== analysisKind();
}

async function loadSections() {
  const { sections } = await api('/api/analysis/sections');
  $('analysis-section').replaceChildren(...sections.map((x) => el('option', { value: x.name },
    `${x.name} (${x.from_camera} → ${x.to_camera}, ${x.limit_mph} mph)`)));
}

function analysisParams() {
  const kind = analysisKind();
  const params = new URLSearchParams({ reason: $('analysis-reason').value });
  const time = (name, id) => { if ($(id).value) params.set(name, toIso($(id).value)); };
  time('from', 'analysis-from');
  time('to', 'analysis-to');
  if (kind === 'speed') params.set('section', $('analysis-section').value);
  if (kind === 'convoy') params.set('plate', $('analysis-plate').value);
  if (kind === 'first-seen') { params.set('site', $('analysis-site').value); params.set('lookback_days', $('analysis-lookback').value); }
  if (kind === 'hotspots') {
    time('baseline_from', 'analysis-baseline-from');
    time('baseline_to', 'analysis-baseline-to');
    params.set('bucket', $('analysis-bucket').value);
  }
  return params;
}

function table(headings, rows) {
  $('analysis-head').replaceChildren(el('tr', {}, ...headings.map((h) => el('th', {}, h))));
  $('analysis-rows').replaceChildren(...rows.map((cells) => el('tr', {}, ...cells.map((c) => el('td', {}, c)))));
}

function cropOf(read) {
  const img = el('img', { src: `/api/reads/${read.read_id}/crop`, alt: `${read.plate} at ${read.camera_name}`, class: 'crop', loading: 'lazy' });
  img.addEventListener('error', () => { img.alt = 'no image'; img.removeAttribute('src'); }, { once: true });
  return img;
}

const plateCell = (plate) => el('span', { class: 'plate small' }, plate);

function renderAnalysis(kind, r) {
  const charts = [];
  let summary = '';
  if (kind === 'clones') {
    summary = `${r.alerts.length} possible clones (straight-line speed over ${r.parameters.ceiling_mph} mph, ${r.parameters.margin_s} s clock margin).`;
    table(['Plate', 'Earlier', '', 'Later', '', 'km', 'min', 'mph'], r.alerts.map((a) => [plateCell(a.plate),
      `${shortTime(a.earlier.at)} ${a.earlier.camera_name}`, cropOf(a.earlier), `${shortTime(a.later.at)} ${a.later.camera_name}`,
      cropOf(a.later), a.distance_km.toFixed(1), a.minutes.toFixed(1), a.implied_mph.toFixed(0)]));
  } else if (kind === 'speed') {
    summary = `${r.section.name}: ${r.vehicles} vehicles, median ${r.median_mph.toFixed(1)} mph, 85th percentile ` +
      `${r.p85_mph.toFixed(1)} mph; ${r.offenders.length} over ${r.threshold_mph.toFixed(1)} mph (limit ${r.section.limit_mph}).`;
    if (r.hours.length) {
      charts.push(barChart('85th percentile speed by hour (mph)', r.hours.map((h) => [shortTime(h.hour).slice(0, 16), h.p85_mph])));
      charts.push(barChart('Share over the limit by hour (%)', r.hours.map((h) => [shortTime(h.hour).slice(0, 16), 100 * h.share_over_limit])));
    }
    table(['Plate', 'Entry', '', 'Exit', '', 'mph'], r.offenders.map((o) => [plateCell(o.plate), shortTime(o.entry.at),
      cropOf(o.entry), shortTime(o.exit.at), cropOf(o.exit), o.mph.toFixed(1)]));
  } else if (kind === 'convoy') {
    summary = `${r.target}: ${r.target_sightings} sightings${r.truncated ? ' (only the first examined)' : ''}. ${r.note}`;
    table(['Plate', 'Times beside the target', 'Cameras', 'Mean gap (s)', 'Expected by chance'], r.candidates.map((c) =>
      [plateCell(c.plate), c.sightings, c.cameras, c.mean_gap_s.toFixed(1), c.chance.toFixed(2)]));
  } else if (kind === 'hotspots') {
    const total = r.cameras.reduce((n, c) => n + c.reads, 0);
    summary = `${total} reads at ${r.cameras.length} cameras` + (r.baseline ? `, against ${shortTime(r.baseline.from)} – ${shortTime(r.baseline.to)}.` : '.');
    charts.push(barChart(`Reads per ${r.bucket}`, r.totals.map((t) => [shortTime(t.at).slice(0, r.bucket === 'hour' ? 16 : 10), t.reads])));
    charts.push(barChart('Reads by hour of day (UTC)', r.reads_by_hour_of_day.map((n, h) => [`${String(h).padStart(2, '0')}:00`, n]), { labelWidth: 80 }));
    table(['Camera', 'Site', 'Reads', 'Hits', 'Per hour', 'Baseline per hour', 'Change'], r.cameras.map((c) => [c.name, c.site_id,
      c.reads, c.hits, c.reads_per_hour.toFixed(1), c.baseline_per_hour !== undefined ? c.baseline_per_hour.toFixed(1) : '',
      c.change !== undefined ? `${c.change >= 0 ? '+' : ''}${(100 * c.change).toFixed(0)}%` : '']));
  } else if (kind === 'first-seen') {
    summary = `${r.plates.length} plates first seen at ${r.site} (none there since ${shortTime(r.lookback_from)})${r.truncated ? '; only the first shown' : ''}.`;
    table(['Plate', 'First', 'Last', 'Reads'], r.plates.map((f) => [plateCell(f.plate), shortTime(f.first), shortTime(f.last), f.reads]));
  }
  $('analysis-summary').textContent = summary;
  $('analysis-charts').replaceChildren(...charts);
}

async function runAnalysis(event) {
  event.preventDefault();
  $('analysis-error').textContent = '';
  const kind = analysisKind();
  const params = analysisParams();
  try {
    const result = await api(`/api/analysis/${kind}?${params}`);
    renderAnalysis(kind, result);
    params.set('format', 'csv');
    $('analysis-csv').href = `/api/analysis/${kind}?${params}`;
    $('analysis-csv').hidden = false;
  } catch (e) {
    $('analysis-error').textContent = e.message;
  }
}

// ---- watchlists --------------------------------------------------------------------------

async function loadWatchlists() {
  const { watchlists } = await api('/api/watchlists');
  $('list-rows').replaceChildren(...watchlists.map((l) => {
    const row = el('tr', { class: 'clickable', tabIndex: 0, onclick: () => loadEntries(l.name) },
      el('td', {}, l.name), el('td', {}, l.category), el('td', {}, l.priority), el('td', {}, l.entries), el('td', {}, l.action));
    row.addEventListener('keydown', (e) => { if (e.key === 'Enter') loadEntries(l.name); });
    row.style.borderLeft = `8px solid ${l.colour}`;
    return row;
  }));
}

async function loadEntries(name) {
  state.list = name;
  $('list-detail').hidden = false;
  $('list-title').textContent = name;
  const { entries } = await api(`/api/watchlists/${encodeURIComponent(name)}/entries`);
  $('entry-rows').replaceChildren(...entries.map((e) => el('tr', {},
    el('td', {}, el('span', { class: 'plate' }, e.plate)), el('td', {}, e.reason), el('td', {}, e.added_by),
    el('td', {}, shortTime(e.added_at)), el('td', {}, shortTime(e.expires_at)),
    el('td', {},
      el('button', { type: 'button', onclick: () => changeEntry(e.plate, 'expire') }, 'Expire now'), ' ',
      el('button', { type: 'button', onclick: () => changeEntry(e.plate, 'remove') }, 'Remove')))));
}

// After a change to the open list: its entries, and the lists with their counts, shown again.
async function reloadList() {
  await loadEntries(state.list);
  await loadWatchlists();
}

async function changeEntry(plate, change) {
  const reason = prompt(`Why ${change} ${plate}? (audited)`);
  if (!reason) return;
  try {
    await api(`/api/watchlists/${encodeURIComponent(state.list)}/entries/${encodeURIComponent(plate)}/${change}`,
      { method: 'POST', json: { reason } });
    await reloadList();
  } catch (e) {
    $('entry-error').textContent = e.message;
  }
}

async function addEntry(event) {
  event.preventDefault();
  $('entry-error').textContent = '';
  try {
    const result = await api(`/api/watchlists/${encodeURIComponent(state.list)}/entries`, { method: 'POST', json: {
      plate: $('entry-plate').value, reason: $('entry-reason').value, expires: toIso($('entry-expires').value) } });
    $('entry-error').textContent = result.retrospective_hits ? `${result.retrospective_hits} past reads matched: see Live hits` : '';
    $('entry-form').reset();
    await reloadList();
  } catch (e) {
    $('entry-error').textContent = e.message;
  }
}

async function importList(event) {
  event.preventDefault();
  const out = $('import-result');
  out.replaceChildren();
  const file = $('import-file').files[0];
  if (!file) return;
  const params = new URLSearchParams({ category: $('import-category').value, priority: $('import-priority').value,
    colour: $('import-colour').value, action: $('import-action').value, file: file.name });
  try {
    const result = await api(`/api/watchlists/${encodeURIComponent($('import-name').value)}/import?${params}`,
      { method: 'POST', body: await file.text(), contentType: 'text/csv' });
    out.append(el('p', {}, `Imported ${result.entries} entries (version ${result.version}); ${result.retrospective_hits} past reads matched.`));
    await loadWatchlists();
  } catch (e) {
    out.append(el('p', { class: 'error' }, e.message));
    if (e.body && e.body.rows) out.append(el('ul', { class: 'error' }, ...e.body.rows.map((r) => el('li', {}, `line ${r.line}: ${r.message}`))));
  }
}

// ---- cameras and audit -------------------------------------------------------------------

function openFaults(cameraId) {
  return [...state.faults.values()].filter((f) => f.camera_id === cameraId && f.cleared_at === null);
}

// The latest sign of life: a status, a health report or a read (the camera's clock).
function lastContact(c) {
  const times = [c.state_at, c.last_read_at, c.last_health ? c.last_health.at : null].filter(Boolean);
  return times.sort().pop() || '';
}

function positionText(c) {
  if (c.latitude === null || c.longitude === null) return 'not set';
  return `${c.latitude.toFixed(5)}, ${c.longitude.toFixed(5)}${c.bearing !== null ? ` → ${Math.round(c.bearing)}°` : ''}`;
}

async function loadCameras() {
  const { cameras } = await api('/api/cameras');
  const select = $('read-camera');
  for (const c of cameras) {
    if (!state.cameras.has(c.camera_id)) select.append(el('option', { value: c.camera_id }, `${c.name} (${c.site_id})`));
    state.cameras.set(c.camera_id, c);
  }
  const admin = state.session && state.session.role === 'admin';
  $('camera-rows').replaceChildren(...cameras.map((c) => {
    const h = c.last_health || {};
    const faults = openFaults(c.camera_id).map((f) => FAULT_NAMES[f.kind] || f.kind).join(', ');
    return el('tr', { dataset: { cameraId: c.camera_id } },
      el('td', {}, c.name, c.registered ? '' : ' (unregistered)'), el('td', {}, c.site_id),
      el('td', { class: `state-${c.state}`, title: `since ${shortTime(c.state_at)}` }, c.state),
      el('td', { class: 'faults-cell' }, faults),
      el('td', {}, shortTime(lastContact(c))),
      el('td', {}, shortTime(c.last_read_at)), el('td', {}, h.fps !== undefined ? h.fps.toFixed(1) : ''),
      el('td', {}, h.frames_dropped ?? ''), el('td', {}, h.spool_depth ?? ''),
      el('td', {}, h.temperature_c !== undefined && h.temperature_c !== null ? h.temperature_c.toFixed(0) : ''),
      el('td', {}, positionText(c)),
      admin ? el('td', {}, el('button', { type: 'button', class: 'edit-position', onclick: () => editPosition(c) }, 'Edit position')) : null);
  }));
}

function editPosition(camera) {
  $('position-camera').textContent = camera.name;
  $('position-dialog').dataset.cameraId = camera.camera_id;
  $('position-lat').value = camera.latitude ?? '';
  $('position-lon').value = camera.longitude ?? '';
  $('position-bearing').value = camera.bearing ?? '';
  $('position-reason').value = '';
  $('position-error').textContent = '';
  $('position-dialog').showModal();
}

async function savePosition(event) {
  event.preventDefault();
  const id = $('position-dialog').dataset.cameraId;
  const number = (field) => ($(field).value === '' ? null : Number($(field).value));
  try {
    await api(`/api/cameras/${encodeURIComponent(id)}/position`, { method: 'POST', json: {
      latitude: number('position-lat'), longitude: number('position-lon'), bearing: number('position-bearing'),
      reason: $('position-reason').value } });
    $('position-dialog').close();
    await loadCameras();
    if (state.map) drawMap();
  } catch (e) {
    $('position-error').textContent = e.message;
  }
}

// ---- map ---------------------------------------------------------------------------------

// Leaflet puts a string tooltip in as HTML: camera and list names go in as text nodes instead.
const tip = (text) => el('span', {}, text);

// Graticule spacing in degrees: about six lines across the view.
function graticuleStep(span) {
  const steps = [20, 10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001];
  return steps.find((step) => span / step >= 4) || steps[steps.length - 1];
}

// The offline base: a graticule with its degrees, redrawn as the view moves (no tiles needed).
function drawGraticule() {
  const layer = state.mapLayers.graticule;
  layer.clearLayers();
  const b = state.map.getBounds();
  const step = graticuleStep(Math.max(b.getNorth() - b.getSouth(), (b.getEast() - b.getWest()) / 2));
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const style = { color: '#8a99a8', weight: 1, opacity: 0.6, interactive: false };
  for (let lat = Math.ceil(b.getSouth() / step) * step; lat <= b.getNorth(); lat += step) {
    L.polyline([[lat, b.getWest()], [lat, b.getEast()]], style).addTo(layer);
    L.marker([lat, b.getWest()], { icon: L.divIcon({ className: 'graticule-label', html: '', iconSize: null }), interactive: false })
      .bindTooltip(tip(`${lat.toFixed(decimals)}°`), { permanent: true, direction: 'right', className: 'graticule-label' }).addTo(layer);
  }
  for (let lon = Math.ceil(b.getWest() / step) * step; lon <= b.getEast(); lon += step) {
    L.polyline([[b.getSouth(), lon], [b.getNorth(), lon]], style).addTo(layer);
    L.marker([b.getSouth(), lon], { icon: L.divIcon({ className: 'graticule-label', html: '', iconSize: null }), interactive: false })
      .bindTooltip(tip(`${lon.toFixed(decimals)}°`), { permanent: true, direction: 'top', className: 'graticule-label' }).addTo(layer);
  }
}

function makeMap() {
  state.map = L.map('map', { attributionControl: false, zoomSnap: 0.5 });
  const tiles = state.session && state.session.map_tile_url;
  if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(state.map);
  state.mapLayers = {
    graticule: L.layerGroup().addTo(state.map), sites: L.layerGroup().addTo(state.map),
    cameras: L.layerGroup().addTo(state.map), hits: L.layerGroup().addTo(state.map), path: L.layerGroup().addTo(state.map),
  };
  L.control.scale({ imperial: true, metric: true }).addTo(state.map);
  if (!tiles) state.map.on('moveend', drawGraticule);
  state.map.setView([52.7, -1.4], 9);
}

// A point `metres` from [lat, lon] towards `bearing` (near enough on a camera's scale).
function ahead(lat, lon, bearing, metres) {
  const rad = (bearing * Math.PI) / 180;
  return [lat + (metres * Math.cos(rad)) / 111320, lon + (metres * Math.sin(rad)) / (111320 * Math.cos((lat * Math.PI) / 180))];
}

function drawMap() {
  if (!state.map) return;
  const { sites, cameras, hits, path } = state.mapLayers;
  for (const layer of [sites, cameras, hits, path]) layer.clearLayers();
  const placed = [...state.cameras.values()].filter((c) => c.latitude !== null && c.longitude !== null);
  const bySite = new Map();
  for (const c of placed) {
    const faults = openFaults(c.camera_id);
    const colour = c.state === 'offline' || faults.length ? '#d00000' : c.state === 'online' ? '#138a4b' : '#6b7785';
    if (c.bearing !== null) {
      L.polyline([[c.latitude, c.longitude], ahead(c.latitude, c.longitude, c.bearing, 120)],
        { color: colour, weight: 3, interactive: false }).addTo(cameras);
    }
    L.circleMarker([c.latitude, c.longitude], { radius: 8, color: '#000', weight: 1, fillColor: colour, fillOpacity: 0.9,
      className: `camera-marker camera-${c.state}` })
      .bindTooltip(tip(`${c.name} (${c.site_id}): ${c.state}${faults.length ? ', fault: ' + faults.map((f) => FAULT_NAMES[f.kind]).join(', ') : ''}`))
      .addTo(cameras);
    if (!bySite.has(c.site_id)) bySite.set(c.site_id, []);
    bySite.get(c.site_id).push([c.latitude, c.longitude]);
  }
  for (const [site, points] of bySite) {
    const centre = [points.reduce((n, p) => n + p[0], 0) / points.length, points.reduce((n, p) => n + p[1], 0) / points.length];
    L.circleMarker(centre, { radius: 0, opacity: 0, interactive: false })
      .bindTooltip(tip(site), { permanent: true, direction: 'top', offset: [0, -12], className: 'site-label' }).addTo(sites);
  }
  if ($('map-hits').checked) {
    for (const hit of state.mapHits.values()) {
      if (hit.latitude === null || hit.longitude === null) continue;
      const corner = 0.00035;
      L.rectangle([[hit.latitude - corner, hit.longitude - corner], [hit.latitude + corner, hit.longitude + corner]],
        { color: hit.colour, weight: 2, fillOpacity: 0.6, className: 'hit-marker' })
        .bindTooltip(tip(`${hit.plate}: ${hit.list}, ${shortTime(hit.at)} at ${hit.camera_name}`)).addTo(hits);
    }
  }
  if ($('map-path').checked && state.path.length) {
    const points = [...state.path].sort((a, b) => a.at.localeCompare(b.at)).map((r) => [r.latitude, r.longitude]);
    L.polyline(points, { color: '#4ea1ff', weight: 4, className: 'vehicle-path' }).addTo(path);
    [...state.path].sort((a, b) => a.at.localeCompare(b.at)).forEach((r, i) => {
      L.circleMarker([r.latitude, r.longitude], { radius: 6, color: '#0b3d91', fillColor: '#4ea1ff', fillOpacity: 1, className: 'path-point' })
        .bindTooltip(tip(`${i + 1}. ${r.plate} ${shortTime(r.at)} at ${r.camera_name}`)).addTo(path);
    });
  }
  const unplaced = state.cameras.size - placed.length;
  $('map-note').textContent = unplaced ? `${unplaced} camera(s) have no position yet: an admin can set it on the Cameras page.` : '';
  if (!state.mapFitted && placed.length) {
    state.map.fitBounds(L.latLngBounds(placed.map((c) => [c.latitude, c.longitude])).pad(0.3), { maxZoom: 15 });
    state.mapFitted = true;
  }
}

// The hits of the last 12 hours, whatever the list on the hits page holds.
async function loadMapHits() {
  const since = new Date(Date.now() - 12 * 3600000).toISOString();
  const { hits } = await api(`/api/hits?since=${encodeURIComponent(since)}&limit=2000`);
  state.mapHits = new Map(hits.map((h) => [h.hit_id, h]));
}

async function showMap() {
  if (typeof L === 'undefined') { $('map-note').textContent = 'The map library did not load.'; return; }
  if (!state.map) makeMap();
  state.map.invalidateSize();
  await Promise.all([loadCameras(), loadMapHits()]).catch(() => {});
  drawMap();
  if (!state.session.map_tile_url) drawGraticule();
}

function showPath() {
  state.mapFitted = true;
  window.location.hash = '#map';
  setTimeout(() => {
    if (state.path.length) state.map.fitBounds(L.latLngBounds(state.path.map((r) => [r.latitude, r.longitude])).pad(0.3), { maxZoom: 15 });
  }, 0);
}

// ---- partnership dashboard ---------------------------------------------------------------

// Columns over time: one per entry of [label, value], labelled sparsely.
function columnChart(title, entries, { width = 960, height = 220 } = {}) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height + 40));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', title);
  const max = Math.max(1, ...entries.map((e) => e[1]));
  const step = (width - 60) / Math.max(1, entries.length);
  const text = (x, y, content) => {
    const t = document.createElementNS(ns, 'text');
    t.setAttribute('x', String(x)); t.setAttribute('y', String(y)); t.textContent = content;
    return t;
  };
  svg.append(text(8, 14, `${title} (peak ${max})`));
  const every = Math.ceil(entries.length / 8);
  entries.forEach(([label, value], i) => {
    const bar = document.createElementNS(ns, 'rect');
    const h = (height - 30) * value / max;
    bar.setAttribute('x', String(40 + i * step)); bar.setAttribute('y', String(height - h));
    bar.setAttribute('width', String(Math.max(1, step - 1))); bar.setAttribute('height', String(Math.max(0, h)));
    const tip = document.createElementNS(ns, 'title');
    tip.textContent = `${label}: ${value}`;
    bar.append(tip);
    svg.append(bar);
    if (i % every === 0) svg.append(text(40 + i * step, height + 18, label));
  });
  return svg;
}

function dashboardParams() {
  const params = new URLSearchParams();
  if ($('dashboard-from').value) params.set('from', toIso($('dashboard-from').value));
  if ($('dashboard-to').value) params.set('to', toIso($('dashboard-to').value));
  return params;
}

async function loadDashboard(event) {
  if (event) event.preventDefault();
  $('dashboard-error').textContent = '';
  const params = dashboardParams();
  try {
    const r = await api(`/api/dashboard?${params}`);
    $('dashboard-summary').textContent = `${r.total_reads} reads at ${r.cameras.length} cameras and ${r.total_hits} hits ` +
      `on ${r.lists.length} lists, ${shortTime(r.from)} – ${shortTime(r.to)}.`;
    // Every hour of the period on the axis, quiet ones included.
    const counted = new Map(r.hours.map((h) => [Date.parse(h.at), h.reads]));
    const hours = [];
    for (let t = Date.parse(r.from); t < Date.parse(r.to); t += 3600000) hours.push([shortTime(new Date(t).toISOString()).slice(5, 13) + 'h', counted.get(t) || 0]);
    const charts = [columnChart('Reads per hour, all cameras', hours)];
    if (r.cameras.length) charts.push(barChart('Reads per camera', r.cameras.map((c) => [`${c.name} (${c.site_id})`, c.reads])));
    // Reads per camera per hour: one small chart per camera, the busiest twelve (all in the CSV).
    for (const camera of r.cameras.slice(0, 12)) {
      const mine = new Map(camera.hours.map((h) => [Date.parse(h.at), h.reads]));
      charts.push(columnChart(`${camera.name}: reads per hour`, hours.map(([label], i) =>
        [label, mine.get(Date.parse(r.from) + i * 3600000) || 0]), { width: 470, height: 110 }));
    }
    charts.push(barChart('Hits per watchlist', r.lists.length ? r.lists.map((l) => [l.list, l.hits]) : [['no hits', 0]]));
    $('dashboard-charts').replaceChildren(...charts);
    for (const [id, table] of [['dashboard-reads-csv', 'reads'], ['dashboard-hits-csv', 'hits']]) {
      const csv = new URLSearchParams(params);
      csv.set('format', 'csv');
      csv.set('table', table);
      $(id).href = `/api/dashboard?${csv}`;
      $(id).hidden = false;
    }
  } catch (e) {
    $('dashboard-error').textContent = e.message;
  }
}

async function loadAudit() {
  const { audit } = await api('/api/audit?limit=500');
  $('audit-rows').replaceChildren(...audit.map((a) => el('tr', {},
    el('td', {}, shortTime(a.at)), el('td', {}, a.actor), el('td', {}, a.action), el('td', {}, a.subject), el('td', {}, a.reason))));
}

// ---- start -------------------------------------------------------------------------------

function onKey(event) {
  if ($('ack-dialog').open || $('image-dialog').open || $('position-dialog').open) return;
  if (['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement.tagName) || currentView() !== 'hits') return;
  if (event.key === 'j') moveSelection(1);
  else if (event.key === 'k') moveSelection(-1);
  else if (event.key === 'a' && state.selected) { event.preventDefault(); openAck(state.selected); }
  else if (event.key === 'o' && state.hits.has(state.selected)) showOverview(state.hits.get(state.selected));
}

async function start() {
  state.session = await api('/api/session');
  $('who').textContent = `${state.session.user} (${state.session.role})`;
  const level = ROLES.indexOf(state.session.role);
  for (const node of document.querySelectorAll('[data-role]')) node.hidden = ROLES.indexOf(node.dataset.role) > level;
  $('logout').addEventListener('click', async () => {
    try { await api('/api/logout', { method: 'POST', json: {} }); } finally { window.location.href = '/login'; }
  });
  $('show-acked').addEventListener('change', renderHits);
  $('ack-form').addEventListener('submit', submitAck);
  $('ack-cancel').addEventListener('click', () => $('ack-dialog').close());
  $('image-close').addEventListener('click', () => $('image-dialog').close());
  $('read-camera').addEventListener('change', renderReads);
  $('read-plate').addEventListener('input', renderReads);
  $('search-form').addEventListener('submit', search);
  $('export-pack').addEventListener('click', exportPack);
  $('show-path').addEventListener('click', showPath);
  $('map-hits').addEventListener('change', drawMap);
  $('map-path').addEventListener('change', drawMap);
  $('position-form').addEventListener('submit', savePosition);
  $('position-cancel').addEventListener('click', () => $('position-dialog').close());
  $('dashboard-form').addEventListener('submit', loadDashboard);
  $('analysis-form').addEventListener('submit', runAnalysis);
  $('analysis-kind').addEventListener('change', showAnalysisFields);
  showAnalysisFields();
  $('entry-form').addEventListener('submit', addEntry);
  $('import-form').addEventListener('submit', importList);
  document.addEventListener('keydown', onKey);
  window.addEventListener('hashchange', () => showView(currentView()));
  const weekAgo = new Date(Date.now() - 7 * 86400000).toISOString().slice(0, 16);
  $('search-from').value = weekAgo;
  $('analysis-from').value = weekAgo;
  $('dashboard-from').value = weekAgo;
  showView(currentView());
  await loadCameras().catch(() => {});
  setInterval(() => { if (currentView() === 'cameras') loadCameras().catch(() => {}); }, 5000);
  // Acknowledgements made at other desks and hits raised elsewhere: a periodic resync as well as the feed.
  setInterval(() => { loadHits().catch(() => {}); loadFaults().catch(() => {}); }, 30000);
  connect();
}

start().catch((e) => setConnection(false, `cannot start: ${e.message}`));
