// @ts-check
// The admin's boundary map (enumeration/admin.py, BoundaryMap): the stored boundary of a
// kecamatan, kelurahan or SLS drawn from the GeoJSON the page carries, with no base map (the
// boundary is the map) and no script from elsewhere (docs/reliability.md).
import * as L from "leaflet";
import "leaflet/dist/leaflet.css";
import "../../css/admin-boundary.css";

/** @param {HTMLElement} element */
function draw(element) {
  /** @type {import("geojson").GeoJsonObject} */
  const shape = JSON.parse(element.dataset.geojson ?? "null");
  if (!shape) return;
  const map = L.map(element, { attributionControl: false, zoomSnap: 0.5 });
  const layer = L.geoJSON(shape, { style: { color: "#1a4e8a", weight: 2, fillOpacity: 0.15 } }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [8, 8] });
  element.dataset.drawn = String(layer.getLayers().length);
}

for (const element of document.querySelectorAll("[data-boundary-map]")) {
  if (element instanceof HTMLElement) draw(element);
}
