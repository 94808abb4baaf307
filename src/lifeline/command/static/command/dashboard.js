/* The dashboard's chart (Chart.js) and map (Leaflet, no tile server): both read their
   data from json_script blocks the page renders, so no inline script is needed. */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function drawChart() {
    var canvas = document.getElementById("figure-chart");
    var data = readJson("chart-data");
    if (!canvas || !data || typeof Chart === "undefined") {
      return;
    }
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [{ label: data.label, data: data.values, borderColor: "#2b8cbe",
          backgroundColor: "rgba(43,140,190,0.15)", fill: true, tension: 0.2, spanGaps: true }]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0,
          callback: function (v) { return data.percent ? v + "%" : v; } } } }
      }
    });
    canvas.setAttribute("data-drawn", String(data.values.length));
  }

  function drawMap() {
    var box = document.getElementById("children-map");
    var data = readJson("map-data");
    if (!box || !data || typeof L === "undefined") {
      return;
    }
    var map = L.map(box, { zoomSnap: 0.25, attributionControl: false });
    var layer = L.geoJSON(data, {
      style: function (f) {
        return { color: "#445", weight: 1, fillColor: f.properties.colour, fillOpacity: 0.75 };
      },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 10, color: "#445", weight: 1,
          fillColor: f.properties.colour, fillOpacity: 0.9 });
      },
      onEachFeature: function (f, l) {
        l.bindTooltip(f.properties.title + ": " + f.properties.shown, { sticky: true, direction: "top" });
        l.on("click", function () { window.location.href = f.properties.url; });
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [12, 12] });
    } else {
      map.setView([0, 0], 2);
    }
    box.setAttribute("data-drawn", String((data.features || []).length));
  }

  function start() {
    drawChart();
    drawMap();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
