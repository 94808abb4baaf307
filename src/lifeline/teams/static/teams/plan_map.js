/* The plan's map with Leaflet (vendored) and no tile server: the service areas'
   boundaries are the base layer, then each route's line, stops and depot in its colour,
   and the unserved visits. Labels are tooltips (on hover or tap), never permanent, so
   they cannot overlap. The page's legend moves into the map's corner. */
(function () {
  "use strict";

  function styleOf(feature) {
    var p = feature.properties || {};
    if (p.kind === "area") {
      return { color: "#6b8bab", weight: 1, dashArray: "4 3", fillColor: "#dfe9f3", fillOpacity: 0.6 };
    }
    if (p.kind === "route") {
      return { color: p.colour, weight: 3, opacity: 0.85, lineJoin: "round" };
    }
    return {};
  }

  function markerOf(feature, latlng) {
    var p = feature.properties || {};
    if (p.kind === "depot") {
      return L.circleMarker(latlng, { radius: 8, color: "#000", weight: 2, fillColor: p.colour, fillOpacity: 1 });
    }
    if (p.kind === "unserved") {
      return L.circleMarker(latlng, { radius: 5, color: "#555", weight: 2, dashArray: "2 2", fillColor: "#fff", fillOpacity: 1 });
    }
    return L.circleMarker(latlng, { radius: 5, color: "#fff", weight: 1, fillColor: p.colour, fillOpacity: 1 });
  }

  function withTooltip(feature, layer) {
    var p = feature.properties || {};
    var text = p.title || p.name;
    if (text) {
      layer.bindTooltip(String(text), { sticky: p.kind === "area" || p.kind === "route", direction: "top" });
    }
  }

  function draw(box, data) {
    var map = L.map(box, { zoomSnap: 0.25, attributionControl: false });
    var order = { area: 0, route: 1, unserved: 2, stop: 3, depot: 4 };
    var features = (data.features || []).slice().sort(function (a, b) {
      return order[a.properties.kind] - order[b.properties.kind];
    });
    var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
      style: styleOf,
      pointToLayer: markerOf,
      onEachFeature: withTooltip
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16] });
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
    box.setAttribute("data-drawn", String(features.length));
  }

  function start() {
    var box = document.getElementById("plan-map");
    if (!box || typeof L === "undefined") {
      return;
    }
    fetch(box.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
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
