/* The key users on a Leaflet map (vendored) with no tile server: one circle per key user,
   coloured by kind, with a popup of its name, kind and supply points. People at home
   arrive already counted per area (no name, no address, no link). Text is set with
   textContent only: names never become markup. */
(function () {
  "use strict";

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function popupOf(p, labels) {
    var box = el("div", null, "keyuser-popup");
    box.setAttribute("data-testid", "map-popup");
    box.appendChild(el("strong", p.name));
    var facts = el("dl");
    facts.appendChild(el("dt", p.kind_label));
    if (p.area) { facts.appendChild(el("dd", p.area)); }
    facts.appendChild(el("dt", labels.supply_points));
    facts.appendChild(el("dd", (p.supply_points || []).join(", ") || "—"));
    box.appendChild(facts);
    if (p.approximate) { box.appendChild(el("p", labels.approximate, "note")); }
    if (p.url) {
      var link = el("a", labels.open);
      link.href = p.url;
      box.appendChild(link);
    }
    return box;
  }

  function counts(data) {
    var note = document.querySelector("[data-testid=map-counts]");
    if (!note) { return; }
    var parts = [];
    if (data.masked) { parts.push(note.getAttribute("data-masked").replace("%(n)s", data.masked)); }
    if (data.left_out) { parts.push(note.getAttribute("data-left-out").replace("%(n)s", data.left_out)); }
    if (parts.length) {
      note.textContent = parts.join(" ");
      note.hidden = false;
    }
  }

  function draw(box, data) {
    var map = L.map(box, { zoomSnap: 0.25, attributionControl: false });
    var labels = data.labels || {};
    var layer = L.geoJSON({ type: "FeatureCollection", features: data.features || [] }, {
      pointToLayer: function (feature, latlng) {
        var p = feature.properties || {};
        return L.circleMarker(latlng, {
          radius: p.url ? 7 : 9, color: "#fff", weight: 1.5,
          dashArray: p.approximate ? "3 2" : null, fillColor: p.colour, fillOpacity: 0.9
        });
      },
      onEachFeature: function (feature, marker) {
        var p = feature.properties || {};
        marker.bindTooltip(String(p.name), { direction: "top" });
        marker.bindPopup(function () { return popupOf(p, labels); });
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
    } else {
      map.setView([0, 0], 2);
    }
    L.control.scale({ imperial: false }).addTo(map);
    var legend = document.querySelector(".map-legend");
    if (legend) {
      var Legend = L.Control.extend({
        onAdd: function () {
          var div = L.DomUtil.create("div", "leaflet-bar map-legend-box");
          div.appendChild(legend);
          L.DomEvent.disableClickPropagation(div);
          return div;
        }
      });
      new Legend({ position: "bottomright" }).addTo(map);
    }
    counts(data);
    box.setAttribute("data-drawn", String((data.features || []).length));
  }

  function start() {
    var box = document.getElementById("keyusers-map");
    if (!box || typeof L === "undefined") { return; }
    fetch(box.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) { draw(box, data); })
      .catch(function () { box.setAttribute("data-drawn", "failed"); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
