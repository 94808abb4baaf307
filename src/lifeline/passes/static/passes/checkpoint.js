// Checkpoint verifier page: verifies passes offline with cached keys and revocations,
// checks live status and logs each check when the server answers, queues checks made
// without it and uploads them when it answers again (the server ignores a client_id it
// already has).
//
// "Online" means the server answered the last request, not navigator.onLine: that flag
// only says a network interface is up (it stays true behind a dead Wi-Fi and is wrong on
// some devices), so it is a hint that triggers a real request, never the verdict.
const root = document.getElementById('verifier');
const api = root.dataset.api;
const msg = (name) => root.dataset[name];
const $ = (id) => document.getElementById(id);
const words = JSON.parse($('verifier-words').textContent);
const CACHE = 'lifeline-checkpoint-v1';
const STORE = { keys: 'll.passes.keys', revs: 'll.passes.revocations', queue: 'll.passes.queue',
  checkpoint: 'll.passes.checkpoint' };
const RETRY_MS = 15000;
const PASS_TEXT = /^LL1:/i;

const load = (key, fallback) => {
  try { return JSON.parse(localStorage.getItem(key)) ?? fallback; } catch { return fallback; }
};
const save = (key, value) => localStorage.setItem(key, JSON.stringify(value));

// The CSRF cookie is always the current one; the meta tag of a page served from the
// service worker's cache may be from an earlier login, and a stale token made every upload
// fail with 403 while the queue waited forever.
function csrf() {
  const cookie = document.cookie.split('; ').find((c) => c.startsWith(`${root.dataset.csrfCookie}=`));
  if (cookie) return decodeURIComponent(cookie.split('=').slice(1).join('='));
  return document.querySelector('meta[name=csrf-token]')?.content || '';
}

// crypto.randomUUID exists only on https and localhost; a checkpoint phone on plain http
// in a command post's LAN still needs unique ids.
function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

let verifier = null;
async function verifierModule() {
  verifier ??= await import(new URL(root.dataset.verifier, location.href).href);
  return verifier;
}

let reachable = null; // null: not tried yet; true/false: the last request's outcome

function age(stamp) {
  if (!stamp) return msg('msgNever');
  const minutes = Math.max(0, Math.round((Date.now() - stamp) / 60000));
  return msg('msgAgo').replace('%(n)s', String(minutes));
}

function render() {
  const keys = load(STORE.keys, null);
  const revs = load(STORE.revs, null);
  const online = reachable ?? navigator.onLine;
  $('net').textContent = msg(online ? 'msgNetUp' : 'msgNetDown');
  $('net').dataset.state = online ? 'online' : 'offline';
  $('keys-age').textContent = keys ? `${age(keys.fetchedAt)} (#${keys.data.sequence})` : age(null);
  $('rev-age').textContent = revs ? `${age(revs.fetchedAt)} (#${revs.sequence})` : age(null);
  $('queued').textContent = String(load(STORE.queue, []).length);
}

class HttpError extends Error {
  constructor(status, body) { super(`HTTP ${status}`); this.status = status; this.body = body; }
}

async function request(path, options = {}) {
  let response;
  try {
    response = await fetch(api + path, { credentials: 'same-origin', cache: 'no-store', ...options });
  } catch (err) {
    reachable = false;
    throw err;
  }
  reachable = true;
  if (!response.ok) throw new HttpError(response.status, await response.json().catch(() => null));
  return response.json();
}

const getJson = (path) => request(path);
const postJson = (path, body) => request(path, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf() },
  body: JSON.stringify(body),
});

// Keys are replaced whole; revocations come as a delta from our sequence, or a full list
// when we have none or the server cannot give a delta from where we are.
async function sync() {
  const keys = await getJson('/keys');
  save(STORE.keys, { data: keys, fetchedAt: Date.now() });
  const have = load(STORE.revs, null);
  let update = await getJson(`/revocations${have ? `?since=${have.sequence}` : ''}`);
  let hashes;
  if (update.full) {
    hashes = new Set(update.added);
  } else if (have && update.base_sequence === have.sequence) {
    hashes = new Set(have.hashes);
    for (const h of update.removed) hashes.delete(h);
    for (const h of update.added) hashes.add(h);
  } else {
    update = await getJson('/revocations');
    hashes = new Set(update.added);
  }
  save(STORE.revs, { sequence: update.sequence, hashes: [...hashes], fetchedAt: Date.now() });
  root.dataset.synced = String(update.sequence);
}

let uploading = false;
async function upload() {
  const queue = load(STORE.queue, []);
  if (uploading || !queue.length) return;
  uploading = true;
  try {
    const byCheckpoint = new Map();
    for (const item of queue) {
      if (!byCheckpoint.has(item.checkpoint)) byCheckpoint.set(item.checkpoint, []);
      byCheckpoint.get(item.checkpoint).push(item);
    }
    for (const [checkpoint, items] of byCheckpoint) {
      const checks = items.map(({ client_id, pass_id, result, checked_at }) => (
        { client_id, pass_id, result, checked_at }));
      try {
        await postJson('/checks/upload', { checkpoint, checks });
      } catch (err) {
        // 400/404/422: the server will never take this batch (a checkpoint closed since,
        // a malformed entry); keeping it would block every later check behind it.
        if (!(err instanceof HttpError) || ![400, 404, 422].includes(err.status)) throw err;
      }
      const sent = new Set(items.map((i) => i.client_id));
      save(STORE.queue, load(STORE.queue, []).filter((i) => !sent.has(i.client_id)));
    }
  } catch {
    // No answer, a login needed or the server down: the queue stays and is retried.
  } finally {
    uploading = false;
    render();
  }
}

// One real round trip decides whether we are online; then the queue goes up.
let refreshing = null;
function refresh() {
  refreshing ??= (async () => {
    try {
      await sync();
      await upload();
    } catch {
      // reachable was set by request(); nothing else to do until the next try
    } finally {
      refreshing = null;
      render();
    }
  })();
  return refreshing;
}

const statusWord = (status) => words.status[status] ?? words.status.invalid_format;

function show(status, claims, how) {
  const ok = status === 'ok';
  const box = $('result');
  box.replaceChildren();
  box.dataset.status = status;
  const banner = document.createElement('p');
  banner.className = `banner ${ok ? 'ok' : 'refused'}`;
  banner.textContent = ok ? msg('msgOk') : msg('msgRefused');
  const detail = document.createElement('p');
  detail.dataset.testid = 'reason';
  detail.textContent = statusWord(status);
  box.append(banner);
  if (!ok) box.append(detail);
  if (claims) {
    const facts = document.createElement('dl');
    facts.className = 'pass-facts';
    const until = new Date((claims.validUntil ?? 0) * 1000).toLocaleString(document.documentElement.lang);
    const type = words.types[claims.passType] ?? words.otherType;
    for (const [label, value] of [[words.holder, claims.holder ?? ''], [words.type, type],
      [words.until, until]]) {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = value;
      facts.append(dt, dd);
    }
    box.append(facts);
  }
  const note = document.createElement('p');
  note.className = 'muted';
  note.dataset.testid = 'how';
  note.textContent = how;
  box.append(note);
}

function showMessage(text, status) {
  const box = $('result');
  box.replaceChildren();
  box.dataset.status = status;
  const p = document.createElement('p');
  p.className = 'banner refused';
  p.textContent = text;
  box.append(p);
}

const liveClaims = (live) => (live.pass_id ? {
  holder: live.holder, passType: live.pass_type, validUntil: live.valid_until,
} : null);

// The short pass number needs the server: it is looked up there, never guessed locally.
async function checkNumber(number, checkpoint) {
  try {
    const live = await postJson('/checks/lookup', { checkpoint, pass_id: number, client_id: newClientId() });
    show(live.live_status === 'revoked' ? 'revoked' : live.status, liveClaims(live), msg('msgOnline'));
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) showMessage(msg('msgNoSuchPass'), 'unknown');
    else if (err instanceof HttpError) showMessage(err.body?.error?.message ?? msg('msgFailed'), 'error');
    else showMessage(msg('msgNumberOffline'), 'offline');
  } finally {
    render();
  }
}

async function check(text) {
  text = text.trim();
  if (!text) return;
  const checkpoint = $('cp').value;
  if (!PASS_TEXT.test(text)) { await checkNumber(text, checkpoint); return; }
  text = `LL1:${text.slice(4)}`;
  const keys = load(STORE.keys, null);
  if (!keys) { showMessage(msg('msgNokeys'), 'unknown_key'); return; }
  const revs = load(STORE.revs, { hashes: [] });
  const { verifyPass } = await verifierModule();
  const local = await verifyPass(text, { keys: keys.data, revokedHashes: revs.hashes });
  const clientId = newClientId();
  if (reachable !== false || navigator.onLine) {
    try {
      const live = await postJson('/checks/verify', { checkpoint, text, client_id: clientId });
      show(live.live_status === 'revoked' ? 'revoked' : live.status, local.claims, msg('msgOnline'));
      render();
      return;
    } catch (err) {
      // A refusal from the server (not staff here, a bad request): say so, queue nothing.
      if (err instanceof HttpError) {
        showMessage(err.body?.error?.message ?? msg('msgFailed'), 'error');
        render();
        return;
      }
      // No answer: check offline and queue.
    }
  }
  const queue = load(STORE.queue, []);
  queue.push({ client_id: clientId, checkpoint, pass_id: local.claims?.passId ?? '',
    result: local.status, checked_at: new Date().toISOString() });
  save(STORE.queue, queue);
  show(local.status, local.claims, msg('msgOffline'));
  render();
}

// QR decoding: the browser's BarcodeDetector where it exists, else the vendored jsQR
// (Firefox, Safari on iOS and Chromium builds without the Shape Detection API).
function qrReader() {
  if ('BarcodeDetector' in window) {
    const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    return async (video) => (await detector.detect(video))[0]?.rawValue ?? null;
  }
  if (typeof window.jsQR !== 'function') return null;
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  return async (video) => {
    if (!video.videoWidth) return null;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    return window.jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
  };
}

let scanning = false;
async function scanWithCamera() {
  const read = qrReader();
  if (!read || scanning) return;
  scanning = true;
  const video = $('camera');
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
  video.srcObject = stream;
  video.hidden = false;
  let found = null;
  try {
    await video.play();
    while (scanning && !found) {
      found = await read(video);
      if (!found) await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    scanning = false;
    stream.getTracks().forEach((t) => t.stop());
    video.hidden = true;
  }
  if (found) {
    $('pass-text').value = found;
    await check(found);
  }
}

async function cacheShell() {
  if (!('caches' in window)) return;
  const urls = [location.pathname, new URL(root.dataset.verifier, location.href).pathname];
  for (const el of document.querySelectorAll('link[rel=stylesheet], script[src]')) {
    urls.push(new URL(el.href || el.src, location.href).pathname);
  }
  const cache = await caches.open(CACHE);
  await Promise.all(urls.map((u) => cache.add(u).catch(() => {})));
}

async function start() {
  const saved = localStorage.getItem(STORE.checkpoint);
  if (saved && [...$('cp').options].some((o) => o.value === saved)) $('cp').value = saved;
  $('cp').addEventListener('change', () => localStorage.setItem(STORE.checkpoint, $('cp').value));
  $('check-form').addEventListener('submit', (event) => {
    event.preventDefault();
    check($('pass-text').value);
  });
  $('sync').addEventListener('click', () => refresh());
  if (navigator.mediaDevices?.getUserMedia && ('BarcodeDetector' in window || typeof window.jsQR === 'function')) {
    $('scan').hidden = false;
    $('scan').addEventListener('click', () => scanWithCamera().catch(() => { scanning = false; }));
  }
  window.addEventListener('online', () => refresh());
  window.addEventListener('offline', () => { reachable = false; render(); });
  document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });
  setInterval(() => refresh(), RETRY_MS);
  render();
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: './' })
      .then(() => navigator.serviceWorker.ready).then(cacheShell).catch(() => {});
  }
  await refresh();
  await verifierModule().catch(() => {});
  root.dataset.ready = 'true';
}

start();
