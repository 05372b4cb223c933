// @ts-check
// The monitoring dashboard's map (templates/monitoring/dashboard.html, docs/monitoring.md, "Map").
// Boundaries of the areas in scope coloured by % done (the map needs no base map); family geotags
// clustered by the server per viewport, or one by one when zoomed in, drawn on a canvas; a click on a
// family opens it at the review desk. A tile layer only when the server names one (MAP_TILE_URL).
import * as L from "leaflet";
import "leaflet/dist/leaflet.css";
import "../../css/monitoring.css";
import { clusterColour, clusterSize, percentColour, pointColour, shortCount } from "../monitoring/map-style.js";

/**
 * @typedef {{points: string, clusters: string, families: string, points_failed: string, areas_failed: string}} MapText
 * @typedef {{boundaries: string, points: string, family_url: string, extent: number[] | null,
 *   tile_url: string, tile_attribution: string, text: MapText}} MapConfig
 */

/**
 * A translated text (from the page, through Django's i18n) with {n} filled in.
 * @param {string} text
 * @param {number} n
 */
const fill = (text, n) => text.replace("{n}", String(n));

/** @param {string} url */
async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

/**
 * @param {HTMLElement} element
 * @param {MapConfig} config
 */
function start(element, config) {
  const status = document.getElementById("map-status");
  /** @param {string} text */
  const say = (text) => {
    if (status) status.textContent = text;
  };
  const map = L.map(element, { preferCanvas: false, zoomSnap: 1 });
  if (config.tile_url) {
    L.tileLayer(config.tile_url, { attribution: config.tile_attribution, maxZoom: 19 }).addTo(map);
  }
  const [west, south, east, north] = config.extent ?? [106.62, -6.37, 106.78, -6.22];
  map.fitBounds([
    [south, west],
    [north, east],
  ]);
  const canvas = L.canvas({ padding: 0.2 });
  const areas = L.geoJSON(undefined, {
    style: (feature) => ({
      color: "#333",
      weight: feature?.properties.level === "sls" ? 1 : 2,
      fillColor: percentColour(feature?.properties.percent_done),
      fillOpacity: 0.45,
    }),
    onEachFeature: (feature, layer) => {
      const p = feature.properties;
      const pct = p.percent_done === null ? "–" : `${String(p.percent_done).replace(".", ",")}%`;
      // Names come from imports: shown as text, never as HTML.
      const label = document.createElement("span");
      label.textContent = `${p.name} (${p.code}): ${pct} · ${p.collected} / ${p.target}`;
      layer.bindTooltip(label, { sticky: true });
    },
  }).addTo(map);
  const families = L.layerGroup().addTo(map);
  /** @type {"status" | "flag"} */
  let mode = "status";
  /** @type {any} */
  let lastPoints = null;
  let request = 0;

  const familyUrl = (/** @type {number} */ id) => config.family_url.replace(/\/0\/$/, `/${id}/`);

  function draw() {
    families.clearLayers();
    if (!lastPoints) return;
    let drawn = 0;
    for (const feature of lastPoints.features) {
      const [lng, lat] = feature.geometry.coordinates;
      const p = feature.properties;
      if (lastPoints.kind === "points") {
        const marker = L.circleMarker([lat, lng], {
          renderer: canvas,
          radius: 5,
          weight: 1,
          color: "#fff",
          fillColor: pointColour(p, mode),
          fillOpacity: 0.9,
        });
        marker.on("click", () => window.location.assign(familyUrl(p.id)));
        families.addLayer(marker);
      } else {
        const size = clusterSize(p.count);
        const icon = L.divIcon({
          className: "cluster",
          html: `<span>${shortCount(p.count)}</span>`,
          iconSize: [size, size],
        });
        const marker = L.marker([lat, lng], {
          icon,
          keyboard: true,
          title: fill(config.text.families, p.count),
          alt: fill(config.text.families, p.count),
        });
        marker.on("add", () => {
          const el = marker.getElement();
          if (el) el.style.backgroundColor = clusterColour(p, mode);
        });
        marker.on("click", () => map.setView([lat, lng], Math.min(map.getZoom() + 2, map.getMaxZoom())));
        families.addLayer(marker);
      }
      drawn += 1;
    }
    element.dataset.pointsKind = lastPoints.kind;
    element.dataset.pointsDrawn = String(drawn);
  }

  async function loadPoints() {
    const mine = ++request;
    const zoom = map.getZoom();
    const params = new URLSearchParams({ bbox: map.getBounds().toBBoxString(), zoom: String(zoom) });
    try {
      const data = await getJSON(`${config.points}&${params}`);
      if (mine !== request) return; // a later move already asked again
      lastPoints = data;
      draw();
      element.dataset.pointsZoom = String(zoom);
      const n = data.features.length;
      say(fill(data.kind === "points" ? config.text.points : config.text.clusters, n));
    } catch (error) {
      say(`${config.text.points_failed} (${error instanceof Error ? error.message : error})`);
    }
  }

  async function loadAreas() {
    try {
      const data = await getJSON(`${config.boundaries}&zoom=${map.getZoom()}`);
      areas.addData(data);
      areas.bringToBack();
      element.dataset.areasDrawn = String(data.features.length);
    } catch (error) {
      say(`${config.text.areas_failed} (${error instanceof Error ? error.message : error})`);
    }
  }

  for (const radio of document.querySelectorAll('input[name="map-color"]')) {
    radio.addEventListener("change", (event) => {
      const target = /** @type {HTMLInputElement} */ (event.target);
      mode = target.value === "flag" ? "flag" : "status";
      draw();
    });
  }
  map.on("moveend", loadPoints);
  loadAreas();
  loadPoints();
}

document.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("monitoring-map");
  const data = document.getElementById("map-config");
  if (!element || !data?.textContent) return;
  start(element, /** @type {MapConfig} */ (JSON.parse(data.textContent)));
});
