/* Sampling console (screening/console.html): registrations queue in localStorage and are
   sent to the sync endpoint when the network allows. Loaded as a file, not inline, so the
   Content-Security-Policy needs no 'unsafe-inline' for scripts. */
(function () {
  // Registrations are queued in localStorage first, so nothing is lost offline or on a
  // reload; each carries a client id, so a retry after a lost answer is a replay.
  var KEY = "lifeline.screening.queue";
  // The page's URL and translated messages come in the script tag's data attributes.
  var data = document.currentScript.dataset;
  var SYNC_URL = data.syncUrl;
  var TEXT = {online: data.msgOnline, offline: data.msgOffline, empty: data.msgEmpty};
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var busy = false, synced = 0;
  function $(id) { return document.getElementById(id); }
  function load() { try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; } }
  function save(q) { localStorage.setItem(KEY, JSON.stringify(q)); render(); }
  function uid() {
    // 128 random bits in base-36 groups of at most 7 characters: unique, and never a run
    // of digits that reads as a phone number (a UUID's hex sometimes does).
    var parts = new Uint32Array(4);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(parts);
    else for (var i = 0; i < 4; i++) parts[i] = Math.floor(Math.random() * 4294967296);
    return Array.prototype.map.call(parts, function (n) { return n.toString(36); }).join("-");
  }
  function render() {
    var q = load(), bc = $("barcode").value.trim();
    $("queue-count").textContent = q.length;
    $("synced-count").textContent = synced;
    var inTube = Number(sessionStorage.getItem("tube:" + bc) || 0);
    $("tube-count").textContent = inTube;
  }
  function setNet(online) {
    $("net-status").dataset.online = online ? "1" : "0";
    $("net-status").textContent = online ? TEXT.online : TEXT.offline;
  }
  function enqueue(item) { var q = load(); q.push(item); save(q); sync(); }
  function reject(item, error) {
    var li = document.createElement("li");
    li.textContent = (item.code || item.barcode) + ": " + (error && error.message || "");
    $("rejected").appendChild(li);
  }
  function sync() {
    if (busy) return;
    var q = load();
    if (!q.length) return;
    busy = true;
    fetch(SYNC_URL, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({items: q.slice(0, 100)})})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (body) {
        setNet(true);
        var done = {};
        body.results.forEach(function (res, i) {
          done[res.client_id] = true;
          if (res.status === "error") reject(q[i], res.error); else synced += 1;
        });
        save(load().filter(function (it) { return !done[it.client_id]; }));
        busy = false;
        if (load().length) sync();
      })
      .catch(function () { setNet(false); busy = false; });
  }
  // Enter in a field or the submit button must never post the forms: the queue sends.
  ["tube-form", "person-form"].forEach(function (id) {
    $(id).addEventListener("submit", function (event) { event.preventDefault(); });
  });
  $("add-person").addEventListener("click", function () {
    var bc = $("barcode").value.trim(), code = $("person-code").value.trim();
    if (!bc || !code) { alert(TEXT.empty); return; }
    var size = Number($("pool-size").value);
    enqueue({kind: "sample", client_id: uid(), barcode: bc, code: code, pool_size: size,
             per_household: $("per-household").checked, sampled_at: new Date().toISOString()});
    var n = Number(sessionStorage.getItem("tube:" + bc) || 0) + 1;
    sessionStorage.setItem("tube:" + bc, n);
    $("person-code").value = "";
    if (n >= size) { $("barcode").value = ""; }  // full: the server closes it, scan the next
    render();
    $("person-code").focus();
  });
  $("close-tube").addEventListener("click", function () {
    var bc = $("barcode").value.trim();
    if (!bc) return;
    enqueue({kind: "close", client_id: uid(), barcode: bc});
    $("barcode").value = "";
    render();
  });
  $("barcode").addEventListener("input", render);
  $("sync-now").addEventListener("click", sync);
  window.addEventListener("online", function () { setNet(true); sync(); });
  window.addEventListener("offline", function () { setNet(false); });
  setInterval(sync, 3000);
  render();
  sync();
})();
