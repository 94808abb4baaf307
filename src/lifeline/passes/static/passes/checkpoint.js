// Checkpoint verifier page: verifies passes offline with cached keys and revocations,
// checks live status and logs each check when online, queues checks made offline and
// uploads them when the network returns (the server ignores a client_id it already has).
const root = document.getElementById('verifier');
const api = root.dataset.api;
const msg = (name) => root.dataset[name];
const $ = (id) => document.getElementById(id);
const CACHE = 'lifeline-checkpoint-v1';
const STORE = { keys: 'll.passes.keys', revs: 'll.passes.revocations', queue: 'll.passes.queue',
  checkpoint: 'll.passes.checkpoint' };

const load = (key, fallback) => {
  try { return JSON.parse(localStorage.getItem(key)) ?? fallback; } catch { return fallback; }
};
const save = (key, value) => localStorage.setItem(key, JSON.stringify(value));
const csrf = () => document.querySelector('meta[name=csrf-token]')?.content || '';
const nowSeconds = () => Math.floor(Date.now() / 1000);

let verifier = null;
async function verifierModule() {
  verifier ??= await import(new URL(root.dataset.verifier, location.href).href);
  return verifier;
}

function age(stamp) {
  if (!stamp) return msg('msgNever');
  const minutes = Math.max(0, Math.round((Date.now() - stamp) / 60000));
  return msg('msgAgo').replace('%(n)s', String(minutes));
}

function render() {
  const keys = load(STORE.keys, null);
  const revs = load(STORE.revs, null);
  $('net').textContent = msg(navigator.onLine ? 'msgNetUp' : 'msgNetDown');
  $('net').dataset.state = navigator.onLine ? 'online' : 'offline';
  $('keys-age').textContent = keys ? `${age(keys.fetchedAt)} (#${keys.data.sequence})` : age(null);
  $('rev-age').textContent = revs ? `${age(revs.fetchedAt)} (#${revs.sequence})` : age(null);
  $('queued').textContent = String(load(STORE.queue, []).length);
}

async function getJson(path) {
  const response = await fetch(api + path, { credentials: 'same-origin', cache: 'no-store' });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

async function postJson(path, body) {
  const response = await fetch(api + path, {
    method: 'POST', credentials: 'same-origin', cache: 'no-store',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf() },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

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
  render();
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
      await postJson('/checks/upload', { checkpoint, checks });
      const sent = new Set(items.map((i) => i.client_id));
      save(STORE.queue, load(STORE.queue, []).filter((i) => !sent.has(i.client_id)));
    }
  } catch {
    // Still offline or the server is down: the queue stays and is retried later.
  } finally {
    uploading = false;
    render();
  }
}

function show(status, reason, claims, how) {
  const ok = status === 'ok';
  const box = $('result');
  box.replaceChildren();
  box.dataset.status = status;
  const banner = document.createElement('p');
  banner.className = `banner ${ok ? 'ok' : 'refused'}`;
  banner.textContent = `${ok ? msg('msgOk') : msg('msgRefused')} · ${status}`;
  const detail = document.createElement('p');
  detail.textContent = reason;
  box.append(banner, detail);
  if (claims) {
    const facts = document.createElement('p');
    const until = new Date((claims.validUntil ?? 0) * 1000).toLocaleString();
    facts.textContent = `${claims.holder ?? ''} · ${claims.passType ?? ''} · ${until}`;
    box.append(facts);
  }
  const note = document.createElement('p');
  note.className = 'muted';
  note.dataset.testid = 'how';
  note.textContent = how;
  box.append(note);
}

async function check(text) {
  text = text.trim();
  if (!text) return;
  const checkpoint = $('cp').value;
  const keys = load(STORE.keys, null);
  if (!keys) { show('unknown_key', msg('msgNokeys'), null, ''); return; }
  const revs = load(STORE.revs, { hashes: [] });
  const { verifyPass } = await verifierModule();
  const local = await verifyPass(text, { keys: keys.data, revokedHashes: revs.hashes });
  const clientId = crypto.randomUUID();
  if (navigator.onLine) {
    try {
      const live = await postJson('/checks/verify', { checkpoint, text, client_id: clientId });
      const status = live.live_status === 'revoked' ? 'revoked' : live.status;
      show(status, live.reason, local.claims, msg('msgOnline'));
      return;
    } catch {
      // Fall through: treat as offline and queue.
    }
  }
  const queue = load(STORE.queue, []);
  queue.push({ client_id: clientId, checkpoint, pass_id: local.claims?.passId ?? '',
    result: local.status, checked_at: new Date().toISOString() });
  save(STORE.queue, queue);
  show(local.status, local.reason, local.claims, msg('msgOffline'));
  render();
}

async function scanWithCamera() {
  const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
  const video = $('camera');
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  try {
    for (;;) {
      const codes = await detector.detect(video);
      if (codes.length) { $('pass-text').value = codes[0].rawValue; break; }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    stream.getTracks().forEach((t) => t.stop());
    video.hidden = true;
  }
  await check($('pass-text').value);
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
  $('sync').addEventListener('click', () => sync().catch(() => render()));
  if ('BarcodeDetector' in window && navigator.mediaDevices) {
    $('scan').hidden = false;
    $('scan').addEventListener('click', () => scanWithCamera().catch(() => {}));
  }
  window.addEventListener('online', async () => {
    render();
    await sync().catch(() => {});
    await upload();
  });
  window.addEventListener('offline', render);
  setInterval(() => { render(); if (navigator.onLine) upload(); }, 30000);
  render();
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: './' })
      .then(() => navigator.serviceWorker.ready).then(cacheShell).catch(() => {});
  }
  if (navigator.onLine) {
    await sync().catch(() => {});
    await upload();
  }
  await verifierModule().catch(() => {});
  root.dataset.ready = 'true';
}

start();
