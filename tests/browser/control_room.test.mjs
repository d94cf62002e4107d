// The control room in a real headless browser (Chromium or Firefox): log in, a read that matches a watchlist goes
// through the real broker and receiver, the hit appears live, is acknowledged by keyboard, a
// camera fault is raised and cleared live, the plate's movements are searched with a reason,
// drawn as a path on the map and exported as an evidence pack whose hashes are verified, the
// partnership dashboard is drawn, a camera's position is edited, and every change is found in
// the audit log. No request may leave the receiver. Screenshots of each step are kept in
// $ANPR_TEST_WORK (test artefacts); with ANPR_SCREENSHOT_DIR set, one of each page is written
// there too (scripts/screenshots.sh makes docs/screenshots/ that way).
//
// Usage: node control_room.test.mjs chromium|firefox. Run by ctest (tests/CMakeLists.txt), once
// per browser. Needs ANPR_BIN (the build's bin folder), mosquitto, Debian's chromium and
// firefox-esr, and puppeteer-core (tests/browser: npm ci), which drives Chromium over CDP and
// Firefox over WebDriver BiDi.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const SKIP = 77;  // ctest's SKIP_RETURN_CODE for this test
const bin = process.env.ANPR_BIN;
const work = path.join(process.env.ANPR_TEST_WORK || fs.mkdtempSync('/tmp/anpr-browser-'), process.argv[2] || 'chromium');
const browserName = process.argv[2] || 'chromium';
const executables = { chromium: '/usr/bin/chromium', firefox: '/usr/bin/firefox-esr' };
const executable = executables[browserName];
if (!executable) throw new Error(`unknown browser '${browserName}': chromium or firefox`);
const password = 'correct-horse-battery';
const plate = 'AB12CDE';
const reason = 'Incident 4521: burglary follow-up';

let puppeteer;
try {
  puppeteer = (await import('puppeteer-core')).default;
} catch (e) {
  console.log('SKIP: puppeteer-core is not installed (cd tests/browser && npm ci)');
  process.exit(SKIP);
}
if (!fs.existsSync(executable)) {
  console.log(`SKIP: no ${browserName} at ${executable} (apt-get install chromium firefox-esr)`);
  process.exit(SKIP);
}
if (!bin) throw new Error('ANPR_BIN must name the folder with anpr-receiver');

fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
const children = [];
const cleanup = () => { for (const child of children) child.kill('SIGTERM'); };
process.on('exit', cleanup);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function run(command, args, input) {
  const result = spawnSync(command, args, { input, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

function start(name, command, args, readyText) {
  const log = fs.openSync(path.join(work, `${name}.log`), 'w');
  const child = spawn(command, args, { stdio: ['ignore', log, log] });
  children.push(child);
  if (!readyText) return Promise.resolve(child);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const text = fs.readFileSync(path.join(work, `${name}.log`), 'utf8');
      if (text.includes(readyText)) { clearInterval(timer); resolve(child); }
      else if (child.exitCode !== null || Date.now() - started > 20000) {
        clearInterval(timer);
        reject(new Error(`${name} did not start:\n${text}`));
      }
    }, 100);
  });
}

function check(condition, message) {
  if (!condition) throw new Error(`FAILED: ${message}`);
  console.log(`ok: ${message}`);
}

const receiver = path.join(bin, 'anpr-receiver');
const screenshotDir = process.env.ANPR_SCREENSHOT_DIR;
const database = path.join(work, 'anpr.db');
const brokerPort = await freePort();
const webPort = await freePort();
fs.writeFileSync(path.join(work, 'mosquitto.conf'), `listener ${brokerPort} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
await start('mosquitto', 'mosquitto', ['-c', path.join(work, 'mosquitto.conf')], 'running');

run(receiver, ['user', 'add', 'alice', '--role', 'admin', '--database', database], `${password}\n`);
fs.writeFileSync(path.join(work, 'stolen.csv'), `plate,reason\n${plate},Stolen in a burglary at Ashby\n`);
run(receiver, ['watchlist', 'import', 'Stolen vehicles', path.join(work, 'stolen.csv'), '--category', 'stolen-vehicle',
  '--priority', '0', '--action', 'Inform police control; do not follow', '--database', database]);
// The generated cameras (cam0..cam2 of loadgen) at real places around Castle Donington, looking
// along the road; they send no health reports, so only a camera's own "offline" may raise a fault.
const cameraPlaces = [['cam0', 52.8300, -1.3480, 90], ['cam1', 52.8262, -1.3301, 135], ['cam2', 52.8205, -1.3152, 180]];
fs.writeFileSync(path.join(work, 'cameras.csv'), 'camera_id,site_id,name,latitude,longitude,bearing\n' +
  cameraPlaces.map(([id, lat, lon, bearing], i) => `${id},loadgen,A453 camera ${i + 1}${i === 1 ? ' <b>east</b>' : ''},${lat},${lon},${bearing}`)
    .join('\n') + '\n');  // (camera 2's name carries markup: every page must show it as text)
run(receiver, ['register-cameras', path.join(work, 'cameras.csv'), '--database', database]);
fs.writeFileSync(path.join(work, 'receiver.toml'), '[faults]\noffline_after_s = 3600\n[clones]\nlive = false\n');
const receiverArgs = ['serve', '--config', path.join(work, 'receiver.toml'), '--broker', `tcp://127.0.0.1:${brokerPort}`, '--database', database,
  '--data-dir', path.join(work, 'data'), '--http', `127.0.0.1:${webPort}`, '--client-id', 'browser-test'];
let receiverProcess = await start('receiver', receiver, receiverArgs, 'ingesting from');

const browser = await puppeteer.launch(browserName === 'firefox'
  ? { browser: 'firefox', executablePath: executable, headless: true, extraPrefsFirefox: { 'media.autoplay.default': 0 } }
  : { browser: 'chrome', executablePath: executable, headless: true, args: ['--no-sandbox'] });
const base = `http://127.0.0.1:${webPort}`;
let page;

// Puppeteer has no "fill": empty the field, then type like a person.
async function fill(selector, text) {
  await page.$eval(selector, (e) => { e.value = ''; });
  await page.type(selector, text);
}
async function waitForText(selector, text, timeout = 10000) {
  await page.waitForFunction((s, t) => [...document.querySelectorAll(s)].some((e) => e.textContent.includes(t)),
    { timeout }, selector, text);
}

try {
  page = await browser.newPage();
  await page.setViewport({ width: 1600, height: 1000 });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  const shot = (name) => page.screenshot({ path: path.join(work, `${name}.png`), fullPage: true });
  // A page's picture for the docs, from this run (only when asked: ANPR_SCREENSHOT_DIR).
  const docShot = async (name) => {
    if (!screenshotDir) return;
    fs.mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
  };
  // Every request the pages make must go to the receiver itself: control rooms are offline.
  const external = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== base) external.push(request.url());
  });

  await page.goto(`${base}/`, { waitUntil: 'load' });
  check(page.url() === `${base}/login`, 'without a session the page sends you to the login page');
  await docShot('login');
  await fill('#username', 'alice');
  await fill('#password', 'wrong-password-1');
  await page.click('button[type=submit]');
  await page.waitForSelector('#login-error:not(:empty)');
  check((await page.$eval('#login-error', (e) => e.textContent)).includes('wrong'), 'a wrong password is refused with a message');
  await fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  check(page.url() === `${base}/`, 'logged in');
  await page.waitForSelector('#connection.up', { timeout: 10000 });
  check(true, 'the live feed is connected');
  pageErrors.length = 0;  // the refused login above logged its 401 on purpose
  await shot('1-logged-in');

  // The generated reads carry real JPEGs, drawn here on a canvas: a rear plate and a street.
  const images = await page.evaluate((text) => {
    const jpeg = (width, height, draw) => {
      const canvas = document.createElement('canvas');
      canvas.width = width; canvas.height = height;
      draw(canvas.getContext('2d'));
      return canvas.toDataURL('image/jpeg', 0.85).split(',')[1];
    };
    const drawPlate = (g, x, y, w, h) => {
      g.fillStyle = '#f5c400'; g.fillRect(x, y, w, h);
      g.strokeStyle = '#222'; g.lineWidth = Math.max(1, h / 30); g.strokeRect(x, y, w, h);
      g.fillStyle = '#111'; g.font = `bold ${Math.round(h * 0.72)}px "DejaVu Sans Mono", monospace`;
      g.textAlign = 'center'; g.textBaseline = 'middle';
      g.fillText(`${text.slice(0, 4)} ${text.slice(4)}`, x + w / 2, y + h / 2 + h * 0.04);
    };
    const crop = jpeg(520, 112, (g) => drawPlate(g, 0, 0, 520, 112));
    const overview = jpeg(960, 540, (g) => {
      const sky = g.createLinearGradient(0, 0, 0, 540);
      sky.addColorStop(0, '#7d8a96'); sky.addColorStop(0.45, '#5b656e'); sky.addColorStop(1, '#3b4046');
      g.fillStyle = sky; g.fillRect(0, 0, 960, 540);
      g.fillStyle = '#eee'; for (let x = 40; x < 960; x += 120) g.fillRect(x, 470, 60, 8);
      g.fillStyle = '#243b5a'; g.fillRect(300, 220, 360, 200);
      g.fillStyle = '#9fb3c8'; g.fillRect(330, 235, 300, 70);
      g.fillStyle = '#111'; g.fillRect(310, 415, 60, 40); g.fillRect(590, 415, 60, 40);
      drawPlate(g, 420, 350, 120, 26);
      g.fillStyle = '#fff'; g.font = '18px monospace'; g.textAlign = 'left'; g.fillText('A453 camera 1', 12, 24);
    });
    return { crop, overview };
  }, plate);
  fs.writeFileSync(path.join(work, 'crop.jpg'), Buffer.from(images.crop, 'base64'));
  fs.writeFileSync(path.join(work, 'overview.jpg'), Buffer.from(images.overview, 'base64'));
  const pictures = ['--crop', path.join(work, 'crop.jpg'), '--overview', path.join(work, 'overview.jpg')];

  // A read of a listed plate, published through the broker like a camera's.
  const published = Date.now();
  await start('loadgen', receiver, ['loadgen', '--broker', `tcp://127.0.0.1:${brokerPort}`, '--cameras', '1',
    '--count', '1', '--rate', '1', '--hit-share', '1', '--hit-plates', plate, '--hit-wait', '5', ...pictures]);
  await waitForText('.hit .plate', plate);
  const onScreen = Date.now();
  const hits = await page.evaluate(async () => (await (await fetch('/api/hits')).json()).hits);
  const latency = onScreen - Date.parse(hits[0].created_at);
  console.log(`${browserName}: hit on screen ${latency} ms after the receiver recorded it ` +
              `(${onScreen - published} ms after starting the publisher process)`);
  check(latency < 1000, 'the hit appeared live, without a reload, within 1 s');
  check((await page.$eval('#unacked', (e) => e.textContent)) === '1', 'the unacknowledged count shows 1');

  // The same read in the live reads, with its plate image linking to the overview, and filters.
  await page.click('a[data-view=reads]');
  await waitForText('#read-rows .plate', plate);
  await page.waitForFunction(() => [...document.querySelectorAll('#read-rows tr img.crop')].some((img) => img.complete && img.naturalWidth > 0),
    { timeout: 10000 });
  check(true, 'the plate image in live reads is the read\'s own crop, shown');
  const link = await page.$eval('#read-rows tr a', (a) => ({ href: a.getAttribute('href'), img: a.querySelector('img.crop') !== null }));
  check(link.img && link.href.endsWith('/overview'), 'a live read shows its plate image, the overview on click');
  await docShot('live-reads');
  await fill('#read-plate', plate.slice(0, 3) + '*');
  check((await page.$$('#read-rows tr')).length === 1, 'a plate pattern keeps the matching read');
  await fill('#read-plate', 'ZZ9?ZZZ');
  check((await page.$$('#read-rows tr')).length === 0, 'a plate pattern hides the others');
  await fill('#read-plate', '');
  await page.click('a[data-view=hits]');
  check((await page.$eval('.hit', (e) => e.textContent)).includes('Inform police control'), 'the hit shows the operator action');
  await shot('2-hit-live');
  await docShot('live-hits');

  // Acknowledge by keyboard: j selects the newest hit, a opens the note.
  await page.keyboard.press('j');
  await page.keyboard.press('a');
  await page.waitForSelector('#ack-dialog[open]');
  await page.type('#ack-note', 'Passed to police control, log 118');
  await shot('3-acknowledge');
  await page.click('#ack-submit');
  await page.waitForFunction(() => document.getElementById('unacked').textContent === '0');
  const acknowledged = await page.evaluate(async () => (await (await fetch('/api/hits?state=acknowledged')).json()).hits);
  check(acknowledged.length === 1 && acknowledged[0].note === 'Passed to police control, log 118',
    'the hit is acknowledged with the note, on the server');

  // The receiver restarts: the page says it is disconnected, then reconnects by itself, still logged in.
  receiverProcess.kill('SIGTERM');
  await page.waitForSelector('#connection.down', { timeout: 10000 });
  check((await page.$eval('#connection', (e) => e.textContent)).includes('DISCONNECTED'), 'the page says when it is disconnected');
  for (let i = 0; i < 100 && receiverProcess.exitCode === null && receiverProcess.signalCode === null; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  receiverProcess = await start('receiver-2', receiver, receiverArgs, 'ingesting from');
  await page.waitForSelector('#connection.up', { timeout: 30000 });
  check(page.url().split('#')[0] === `${base}/`, 'after a receiver restart the page reconnects by itself, still logged in');

  // A camera fault: cam2 says it is going offline (as its Last Will would), then comes back.
  const status = (state) => run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(brokerPort), '-q', '1',
    '-t', 'anpr/v1/loadgen/cam2/status', '-m', JSON.stringify({ schema_version: 1, type: 'status', camera_id: 'cam2',
      site_id: 'loadgen', state, at: new Date().toISOString(), version: 'browser-test' })]);
  status('offline');
  await page.waitForSelector('.hit.fault.new:not(.cleared)', { timeout: 15000 });
  const faultText = await page.$eval('.hit.fault', (e) => e.textContent);
  check(faultText.includes('CAMERA OFFLINE') && faultText.includes('A453 camera 3'), 'a camera going offline is raised live as a camera fault');
  check((await page.$eval('#unacked', (e) => e.textContent)) === '1', 'the fault counts as unacknowledged');
  await docShot('camera-fault');
  await new Promise((resolve) => setTimeout(resolve, 50));
  status('online');
  await page.waitForSelector('.hit.fault.cleared', { timeout: 15000 });
  check((await page.$eval('.hit.fault', (e) => e.textContent)).includes('cleared'), 'the fault is cleared live when the camera is back');
  await page.click('.hit.fault button.ack');
  await page.waitForSelector('#ack-dialog[open]');
  await page.type('#ack-note', 'Power cut at the site, restored');
  await page.click('#ack-submit');
  await page.waitForFunction(() => document.getElementById('unacked').textContent === '0');
  check((await page.$$('.hit.fault')).length === 0, 'an acknowledged fault leaves the list like a hit');

  // Three more sightings of the plate along the road, for the path on the map.
  await start('loadgen-2', receiver, ['loadgen', '--broker', `tcp://127.0.0.1:${brokerPort}`, '--cameras', '3',
    '--count', '3', '--rate', '2', '--hit-share', '1', '--hit-plates', plate, '--hit-wait', '5', ...pictures]);
  await page.waitForFunction(() => document.getElementById('unacked').textContent === '3', { timeout: 20000 });

  // Movements of the plate, with a reason.
  await page.click('a[data-view=search]');
  await fill('#search-plate', plate);
  await fill('#search-reason', reason);
  await page.click('#search-form button[type=submit]');
  await page.waitForSelector('#search-rows tr');
  check((await page.$$('#search-rows tr')).length === 4, 'the search finds the four sightings');
  check((await page.$('#search-chart svg')) !== null, 'the sightings chart is drawn');
  // The same sightings as an evidence pack: the server builds and audits it, the page says which record.
  await page.click('#export-pack');
  await waitForText('#search-error', 'Evidence pack exported');
  const auditId = (await page.$eval('#search-error', (e) => e.textContent)).match(/audit record (\d+)/);
  const audited = await page.evaluate(async () => (await (await fetch('/api/audit')).json()).audit);
  check(auditId !== null && audited.some((a) => String(a.id) === auditId[1] && a.action === 'evidence-export'),
    'an evidence pack is exported from the search, and its audit record exists');
  await shot('4-search');
  await docShot('vehicle-search');
  // The pack itself, as the page gets it: unpacked and every file checked against SHA256SUMS.
  const packBase64 = await page.evaluate(async (query) => {
    const response = await fetch(`/api/evidence-pack?${query}`, { method: 'POST', credentials: 'same-origin',
      headers: { 'X-CSRF-Token': state.session.csrf } });
    const bytes = new Uint8Array(await response.arrayBuffer());
    let text = '';
    for (const b of bytes) text += String.fromCharCode(b);
    return btoa(text);
  }, new URLSearchParams({ plate, reason }).toString());
  fs.writeFileSync(path.join(work, 'pack.zip'), Buffer.from(packBase64, 'base64'));
  const verified = run('python3', ['-c', `
import hashlib, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
sums = [l.split(None, 1) for l in z.read('SHA256SUMS').decode().splitlines() if l.strip()]
bad = [n for h, n in sums if hashlib.sha256(z.read(n.strip().lstrip('*'))).hexdigest() != h]
print(len(sums), 'files', 'bad:', bad)
sys.exit(1 if bad or not sums else 0)`, path.join(work, 'pack.zip')]);
  check(/^\d+ files bad: \[\]/.test(verified.trim()), `the evidence pack unpacks and every file matches its SHA-256 (${verified.trim()})`);

  // The path on the map: the cameras at their registered places, the sightings joined in time order.
  await page.click('#show-path');
  await page.waitForSelector('#view-map:not([hidden]) .vehicle-path', { timeout: 10000 });
  const drawn = await page.evaluate(() => {
    const cameras = state.mapLayers.cameras.getLayers().filter((l) => l instanceof L.CircleMarker).map((l) => l.getLatLng());
    const line = state.mapLayers.path.getLayers().find((l) => l instanceof L.Polyline && !(l instanceof L.CircleMarker));
    return { cameras: cameras.map((p) => [p.lat, p.lng]), path: line.getLatLngs().map((p) => [p.lat, p.lng]) };
  });
  const near = (a, b) => Math.abs(a[0] - b[0]) < 1e-6 && Math.abs(a[1] - b[1]) < 1e-6;
  check(cameraPlaces.every(([, lat, lon]) => drawn.cameras.some((p) => near(p, [lat, lon]))) && drawn.cameras.length === 3,
    'the map draws every camera at its registered position');
  const expected = [[52.8300, -1.3480], [52.8300, -1.3480], [52.8262, -1.3301], [52.8205, -1.3152]];
  check(drawn.path.length === 4 && drawn.path.every((p, i) => near(p, expected[i])),
    'the searched vehicle\'s path is drawn through its sightings in time order');
  check((await page.$$('.site-label')).length >= 1 && (await page.$('.leaflet-control-scale')) !== null,
    'the offline base shows site names and a scale');
  const tooltips = await page.evaluate(() => {
    state.mapLayers.cameras.eachLayer((l) => { if (l.getTooltip()) l.openTooltip(); });
    return [...document.querySelectorAll('.leaflet-tooltip')].map((t) => ({ text: t.textContent, markup: t.querySelector('b') !== null }));
  });
  check(tooltips.some((t) => t.text.includes('A453 camera 2 <b>east</b>')) && !tooltips.some((t) => t.markup),
    'a camera name with markup is shown as text on the map, never parsed');
  check(await page.evaluate(() => state.mapLayers.hits.getLayers().length === 4), 'the last 12 hours\' hits are on the map');
  await shot('4b-map');
  await docShot('map');

  // Hotspots over the last week: the camera that read the plate, charts drawn as SVG, a CSV link.
  const analysisReason = 'event review, race weekend';
  await page.click('a[data-view=analysis]');
  await page.select('#analysis-kind', 'hotspots');
  await fill('#analysis-reason', analysisReason);
  await page.click('#analysis-form button[type=submit]');
  await page.waitForSelector('#analysis-rows tr');
  check((await page.$$('#analysis-charts svg')).length === 2, 'the hotspot charts are drawn');
  check((await page.$eval('#analysis-rows', (e) => e.textContent)).includes('1'), 'the camera with the read is listed');
  const csvHref = await page.$eval('#analysis-csv', (e) => e.getAttribute('href'));
  const csv = await page.evaluate(async (href) => (await fetch(href)).text(), csvHref);
  check(csv.startsWith('camera_id,camera_name,site_id,bucket,reads,hits'), 'the report downloads as CSV');
  await shot('5-analysis');
  await docShot('analysis');

  // The partnership dashboard: reads per hour and per camera, hits per list, both as CSV.
  await page.click('a[data-view=dashboard]');
  await page.click('#dashboard-form button[type=submit]');
  await waitForText('#dashboard-summary', '4 reads at 3 cameras and 4 hits on 1 lists');
  check((await page.$$('#dashboard-charts svg')).length === 6, 'the dashboard charts are drawn: per hour, per camera, per list, and each camera per hour');
  const readsCsv = await page.evaluate(async () => (await fetch(document.getElementById('dashboard-reads-csv').href)).text());
  const hitsCsv = await page.evaluate(async () => (await fetch(document.getElementById('dashboard-hits-csv').href)).text());
  check(readsCsv.startsWith('camera_id,camera_name,site_id,hour,reads\n') && readsCsv.includes('cam0,A453 camera 1,loadgen,'),
    'reads per camera per hour download as CSV');
  check(hitsCsv.startsWith('list,day,hits\n') && hitsCsv.includes('Stolen vehicles,') && hitsCsv.trim().endsWith(',4'),
    'hits per list download as CSV');
  await docShot('dashboard');

  // Health reports as the cameras send them: frame rate, drops, spool, board temperature, shown
  // on the Cameras page within seconds (it refreshes every 5 s).
  await page.click('a[data-view=cameras]');
  cameraPlaces.forEach(([id], i) => run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(brokerPort), '-q', '1',
    '-t', `anpr/v1/loadgen/${id}/health`, '-m', JSON.stringify({ schema_version: 1, type: 'health', camera_id: id,
      site_id: 'loadgen', at: new Date().toISOString(), fps: 24.5 + i, frames_captured: 90000, frames_dropped: 12 * i,
      queue_depth: 0, spool_depth: i, spool_bytes: 4096 * i, spool_evictions: 0, reconnects: 0, uptime_s: 3600,
      source_state: 'ok', temperature_c: 48 + i })]));
  await waitForText('#camera-rows tr[data-camera-id="cam2"] td', '26.5', 10000);
  const cam2 = await page.$eval('#camera-rows tr[data-camera-id="cam2"]', (row) => [...row.cells].map((c) => c.textContent));
  check(cam2.includes('24') && cam2.includes('2') && cam2.includes('50'), 'a camera\'s health (fps, dropped, spool, temperature) shows within seconds');
  await page.waitForSelector('#camera-rows tr[data-camera-id="cam1"] button.edit-position');
  await docShot('cameras');

  // An admin moves a camera: the page shows the new position and bearing, and the change is audited.
  await page.click('#camera-rows tr[data-camera-id="cam1"] button.edit-position');
  await page.waitForSelector('#position-dialog[open]');
  await fill('#position-bearing', '150');
  await fill('#position-reason', 'Site survey 2026-12: camera turned to face the junction');
  await page.click('#position-save');
  await waitForText('#camera-rows tr[data-camera-id="cam1"] td', '→ 150°');
  check(true, 'an admin edits a camera\'s bearing on the Cameras page');

  // The search and the analysis are in the audit log, with their reasons.
  await page.click('a[data-view=audit]');
  await waitForText('#audit-rows td', reason, 5000);
  check(true, 'the search is in the audit log with its reason');
  await waitForText('#audit-rows td', analysisReason, 5000);
  check(true, 'the analysis is in the audit log with its reason');
  check(await page.$$eval('#audit-rows tr', (rows) => rows.some((r) => r.textContent.includes('camera-position') &&
    r.textContent.includes('Site survey 2026-12'))), 'the camera change is in the audit log with its reason');
  check(await page.$$eval('#audit-rows tr', (rows) => rows.some((r) => r.textContent.includes('fault-acknowledge'))),
    'the fault acknowledgement is in the audit log');
  await shot('6-audit');
  await docShot('audit-log');
  await page.click('a[data-view=watchlists]');
  await page.waitForSelector('#list-rows tr');
  await docShot('watchlists');
  check(pageErrors.length === 0, `no script errors or blocked resources in the page${pageErrors.length ? ': ' + pageErrors.join('; ') : ''}`);
  check(external.length === 0, `the pages made no request to any other host${external.length ? ': ' + external.join(', ') : ''}`);

  // Log out: the session is gone.
  await Promise.all([page.waitForNavigation(), page.click('#logout')]);
  check(page.url() === `${base}/login`, 'logging out returns to the login page');
  const after = await page.evaluate(async () => (await fetch('/api/hits')).status);
  check(after === 401, 'after logging out the API refuses');
  console.log(`screenshots in ${work}`);
} catch (e) {
  if (page) await page.screenshot({ path: path.join(work, 'failure.png'), fullPage: true }).catch(() => {});
  console.error(e.message);
  console.error(`logs and screenshots in ${work}`);
  process.exitCode = 1;
} finally {
  await browser.close();
  cleanup();
}
