/* Sampling console (screening/console.html): the sampler picks a site and a session, scans
   tubes and people, and sends closed tubes to a lab. Every action queues in localStorage
   and is sent to the sync endpoint when the network allows; each carries a client id, so a
   retry after a lost answer is a replay, never a second sample. A service worker keeps the
   page itself available offline. Loaded as a file, not inline, so the Content-Security-
   Policy needs no 'unsafe-inline' for scripts. */
(function () {
  var KEY = "lifeline.screening.queue";
  var WHERE = "lifeline.screening.where";   // {site, session}
  var TUBES = "lifeline.screening.tubes";   // barcode -> members accepted by the server
  var CACHE = "lifeline-console-v1";
  var data = document.currentScript.dataset;
  var SYNC_URL = data.syncUrl;
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var busy = false, synced = 0;
  function $(id) { return document.getElementById(id); }
  function read(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function write(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
  function load() { return read(KEY, []); }
  function save(q) { write(KEY, q); render(); }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return values[k] === undefined ? m : values[k]; });
  }
  function uid() {
    // 128 random bits in base-36 groups of at most 7 characters: unique, and never a run
    // of digits that reads as a phone number (a UUID's hex sometimes does).
    var parts = new Uint32Array(4);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(parts);
    else for (var i = 0; i < 4; i++) parts[i] = Math.floor(Math.random() * 4294967296);
    return Array.prototype.map.call(parts, function (n) { return n.toString(36); }).join("-");
  }
  function masked(code) {
    // A refused code is echoed without the digits of an ID number.
    if (/^[Pp]\d{1,12}$/.test(code)) return code;
    return code.slice(0, 2) + new Array(Math.max(code.length - 1, 1)).join("*");
  }
  function optionText(select) {
    var o = select && select.options[select.selectedIndex];
    return o && o.value ? o.textContent : "";
  }

  // --- where: site and session, kept on the phone ---------------------------------------
  function where() { return read(WHERE, {}); }
  function showSessions() {
    var site = $("site") ? $("site").value : "";
    if (!$("session")) return;
    Array.prototype.forEach.call($("session").options, function (o) {
      o.hidden = !!o.value && o.dataset.site !== site;
    });
    var chosen = $("session").options[$("session").selectedIndex];
    if (chosen && chosen.value && chosen.hidden) $("session").value = "";
  }
  function rememberWhere() {
    write(WHERE, {site: $("site").value, session: $("session").value});
    render();
  }
  function restoreWhere() {
    if (!$("site")) return;
    var opened = document.querySelector("#session option[data-opened]");
    var saved = where();
    if (opened && /[?&]opened=/.test(location.search)) {
      saved = {site: opened.dataset.site, session: opened.value};
      history.replaceState(null, "", location.pathname);
    }
    if (saved.site && $("site").querySelector('option[value="' + saved.site + '"]')) $("site").value = saved.site;
    showSessions();
    if (saved.session && $("session").querySelector('option[value="' + saved.session + '"]')) $("session").value = saved.session;
    rememberWhere();
  }
  function sessionId() { return $("session") ? $("session").value : ""; }

  // --- what the sampler sees ----------------------------------------------------------------
  function render() {
    var q = load(), bc = $("barcode").value.trim(), tubes = read(TUBES, {});
    $("queue-count").textContent = q.length;
    $("synced-count").textContent = synced;
    $("tube-count").textContent = tubes[bc] || 0;
    var waiting = q.filter(function (it) { return it.kind === "sample" && it.barcode === bc; }).length;
    $("tube-waiting").textContent = waiting;
    $("tube-waiting-wrap").hidden = !waiting;
    var chosen = $("where-chosen");
    if (chosen) {
      chosen.hidden = !sessionId();
      chosen.textContent = fill(data.msgChosen, {site: optionText($("site")), session: optionText($("session"))});
    }
  }
  function setNet(online) {
    $("net-status").dataset.online = online ? "1" : "0";
    $("net-status").textContent = online ? data.msgOnline : data.msgOffline;
  }
  function say(text, state) {
    $("last-scan").textContent = text;
    $("last-scan").dataset.state = state;
  }
  function reject(item, error) {
    var li = document.createElement("li");
    var what = item.kind === "sample" ? masked(item.code) : (item.barcode || "");
    li.textContent = (what ? what + ": " : "") + (error && error.message || "");
    $("rejected").insertBefore(li, $("rejected").firstChild);
    if (item.kind === "sample") say(data.msgRefused + " · " + li.textContent, "refused");
  }
  function accepted(item, res) {
    if (item.kind === "sample") {
      var tubes = read(TUBES, {});
      tubes[res.barcode] = res.members;
      write(TUBES, tubes);
      say(fill(data.msgAccepted, {name: res.name, age: res.age || "—"}), "accepted");
      if (res.members >= res.pool_size && $("barcode").value.trim() === res.barcode) {
        $("barcode").value = "";  // full: the server closed it, scan the next tube
      }
    } else if (item.kind === "ship") {
      var li = document.createElement("li");
      li.textContent = fill(data.msgSent, {lab: res.lab, n: res.tubes, time: res.sent_time});
      $("sent").insertBefore(li, $("sent").firstChild);
    }
  }

  // --- the queue ----------------------------------------------------------------------------
  function enqueue(item) { var q = load(); q.push(item); save(q); sync(); }
  function sync() {
    if (busy) return;
    var q = load();
    if (!q.length) return;
    busy = true;
    var batch = q.slice(0, 100);
    fetch(SYNC_URL, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({items: batch})})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (body) {
        setNet(true);
        var done = {};
        body.results.forEach(function (res, i) {
          done[res.client_id] = true;
          if (res.status === "error") reject(batch[i], res.error);
          else { synced += 1; accepted(batch[i], res); }
        });
        save(load().filter(function (it) { return !done[it.client_id]; }));
        busy = false;
        if (load().length) sync();
      })
      .catch(function () { setNet(false); busy = false; render(); });
  }

  // --- actions ------------------------------------------------------------------------------
  // Enter in a field or the submit button must never post the forms: the queue sends.
  ["tube-form", "person-form", "send-form"].forEach(function (id) {
    if ($(id)) $(id).addEventListener("submit", function (event) { event.preventDefault(); });
  });
  $("add-person").addEventListener("click", function () {
    var bc = $("barcode").value.trim(), code = $("person-code").value.trim();
    if (!sessionId()) { say(data.msgNoSession, "refused"); return; }
    if (!bc || !code) { say(data.msgEmpty, "refused"); return; }
    enqueue({kind: "sample", client_id: uid(), barcode: bc, code: code,
             pool_size: Number($("pool-size").value), session_id: sessionId(),
             per_household: $("per-household").checked, sampled_at: new Date().toISOString()});
    $("person-code").value = "";
    if (!navigator.onLine || $("net-status").dataset.online === "0") say(data.msgQueued, "queued");
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
  if ($("send-tubes")) $("send-tubes").addEventListener("click", function () {
    if (!sessionId()) { say(data.msgNoSession, "refused"); return; }
    var bc = $("barcode").value.trim();
    if (bc) { enqueue({kind: "close", client_id: uid(), barcode: bc}); $("barcode").value = ""; }
    enqueue({kind: "ship", client_id: uid(), session_id: sessionId(), lab_id: $("lab").value,
             sent_at: new Date().toISOString()});
    if ($("net-status").dataset.online === "0") say(data.msgSendQueued, "queued");
  });
  if ($("site")) {
    $("site").addEventListener("change", function () { showSessions(); rememberWhere(); });
    $("session").addEventListener("change", rememberWhere);
  }
  $("barcode").addEventListener("input", render);
  $("sync-now").addEventListener("click", sync);
  window.addEventListener("online", function () { setNet(true); sync(); });
  window.addEventListener("offline", function () { setNet(false); });
  setInterval(sync, 3000);
  restoreWhere();
  render();
  sync();

  // --- offline shell ------------------------------------------------------------------------
  function cacheShell() {
    var urls = [location.pathname];
    document.querySelectorAll("link[rel=stylesheet], script[src]").forEach(function (el) {
      urls.push(new URL(el.href || el.src, location.href).pathname);
    });
    return caches.open(CACHE).then(function (cache) {
      return Promise.all(urls.map(function (u) { return cache.add(u).catch(function () {}); }));
    }).then(function () { document.body.dataset.consoleCached = "1"; });
  }
  if ("serviceWorker" in navigator && navigator.onLine) {
    navigator.serviceWorker.register(data.swUrl, {scope: "./"})
      .then(function () { return navigator.serviceWorker.ready; })
      .then(cacheShell).catch(function () {});
  }
})();
