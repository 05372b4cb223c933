// @ts-check
// The review desk's family page (templates/review/family.html): the geotag on a small Leaflet map
// with the SLS and kelurahan boundaries, and the j / k keys that open the next / previous family of
// the queue. No tiles unless the server names a tile URL (MAP_TILE_URL): the map then shows the
// boundaries and the point on a blank ground, and the page loads nothing from elsewhere.
import L from "leaflet";
import "leaflet/dist/leaflet.css";

/**
 * @typedef {object} MapData
 * @property {[number, number] | null} point  latitude, longitude
 * @property {number | null} accuracy_m
 * @property {import("geojson").GeoJsonObject | null} sls
 * @property {import("geojson").GeoJsonObject | null} kelurahan
 * @property {string} tiles
 * @property {string} attribution
 */

/** @returns {MapData | null} */
function readMapData() {
  const script = document.getElementById("family-map-data");
  if (!script || !script.textContent) return null;
  return JSON.parse(script.textContent);
}

function drawMap() {
  const container = document.getElementById("family-map");
  const data = readMapData();
  if (!container || !data || !data.point) return;
  const point = L.latLng(data.point[0], data.point[1]);
  // A view first: vector layers are projected as they are added.
  const map = L.map(container, { scrollWheelZoom: false, attributionControl: Boolean(data.attribution) }).setView(
    point,
    17,
  );
  if (data.tiles) {
    L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution }).addTo(map);
  }
  /** @type {L.LatLngBounds | null} */
  let bounds = null;
  if (data.kelurahan) {
    const layer = L.geoJSON(data.kelurahan, { style: { color: "#555", weight: 1, dashArray: "4 4", fill: false } });
    layer.addTo(map);
    bounds = layer.getBounds();
  }
  if (data.sls) {
    const layer = L.geoJSON(data.sls, { style: { color: "#1f5fa8", weight: 2, fillOpacity: 0.08 } });
    layer.addTo(map);
    bounds = layer.getBounds();
  }
  if (data.accuracy_m) {
    L.circle(point, { radius: data.accuracy_m, color: "#b35c00", weight: 1, fillOpacity: 0.15 }).addTo(map);
  }
  L.circleMarker(point, { radius: 6, color: "#b30000", weight: 2, fillOpacity: 0.9 }).addTo(map);
  if (bounds && bounds.isValid()) {
    map.fitBounds(bounds.extend(point), { maxZoom: 18 });
  }
}

/** @param {EventTarget | null} target */
function isTyping(target) {
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}

/** j: next family of the queue, k: previous (the links carry the queue's filters). */
function bindQueueKeys() {
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || isTyping(event.target)) return;
    const id = event.key === "j" ? "family-next" : event.key === "k" ? "family-previous" : "";
    const link = id ? document.getElementById(id) : null;
    if (link instanceof HTMLAnchorElement) {
      event.preventDefault();
      link.click();
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  drawMap();
  bindQueueKeys();
});
