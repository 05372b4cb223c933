// @ts-check
/**
 * The SLS map on the SLS screen: the boundary from the pull (the kelurahan's when the SLS has
 * none), the buildings already geotagged on the phone and, on request, where the phone is. Plain
 * SVG drawn by geo/svgmap.js: no tiles, no map library, works offline (docs/pwa.md, "SLS map").
 */
import { drawMap, scaleBarMetres } from '../geo/svgmap.js';
import { interpolate } from '../ui/i18n.js';
import { LIST_STRINGS as L } from '../ui/list-strings.js';
import { STRINGS as T } from '../ui/strings.js';
import { h } from './dom.js';
import { currentFix } from './media.js';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attributes
 * @param {...Node} children
 * @returns {SVGElement}
 */
function svg(tag, attributes, ...children) {
  const element = /** @type {SVGElement} */ (document.createElementNS(SVG, tag));
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  element.append(...children);
  return element;
}

/**
 * @param {import('../sync/db.js').SlsRow} sls
 * @param {import('../geo/rules.js').LatLon[]} buildings  the geotags on the phone of this SLS (opened)
 * @returns {HTMLElement}
 */
export function slsMap(sls, buildings) {
  const area = sls.boundary ?? sls.kelurahan_boundary ?? null;
  const areaName = sls.boundary ? L.mapAreaSls : L.mapAreaKelurahan;
  const figure = h('figure', { class: 'slsmap', 'data-testid': 'sls-map' });
  const status = h('p', { class: 'muted', role: 'status' });
  /** @type {import('../geo/rules.js').LatLon | null} */
  let you = null;

  const draw = () => {
    const drawing = drawMap({ area, points: buildings, you });
    if (!drawing) {
      figure.replaceChildren(h('figcaption', { text: L.mapNothing }));
      return;
    }
    const bar = scaleBarMetres(drawing.metresPerUnit, drawing.width);
    const barUnits = bar / drawing.metresPerUnit;
    const caption = h('figcaption', { id: `map-caption-${sls.id}`, text: area ? interpolate(L.mapCaption, { area: areaName, tagged: buildings.length }) : L.mapNoBoundary });
    const picture = svg(
      'svg',
      { viewBox: `0 0 ${drawing.width} ${drawing.height}`, role: 'img', 'aria-labelledby': `map-caption-${sls.id}`, class: 'mapsvg' },
      ...(drawing.area ? [svg('path', { d: drawing.area, class: 'area', 'fill-rule': 'evenodd' })] : []),
      ...drawing.points.map((p) => svg('circle', { cx: p.x, cy: p.y, r: 4.5, class: 'building' })),
      ...(drawing.you ? [svg('circle', { cx: drawing.you.x, cy: drawing.you.y, r: 9, class: 'you-ring' }), svg('circle', { cx: drawing.you.x, cy: drawing.you.y, r: 4, class: 'you' })] : []),
      svg('line', { x1: 10, y1: drawing.height - 10, x2: 10 + barUnits, y2: drawing.height - 10, class: 'scale' }),
      svg('text', { x: 10, y: drawing.height - 15, class: 'scale-label' }, document.createTextNode(`${bar} m`)),
    );
    figure.replaceChildren(
      picture,
      caption,
      h(
        'p',
        { class: 'legend' },
        h('span', { class: 'key building' }),
        ` ${L.mapLegendBuilding} `,
        drawing.you ? h('span', { class: 'key you' }) : null,
        drawing.you ? ` ${L.mapLegendYou}` : null,
      ),
    );
    status.textContent = drawing.youOutside ? L.mapYouOutside : '';
  };

  const locate = h('button', {
    type: 'button',
    class: 'secondary',
    'data-testid': 'map-locate',
    text: L.mapLocate,
    onclick: async () => {
      locate.disabled = true;
      status.textContent = L.mapLocating;
      try {
        const fix = await currentFix(navigator.geolocation);
        you = { lat: fix.lat, lon: fix.lon };
        draw();
      } catch (error) {
        const code = /** @type {{code?: string}} */ (error).code;
        status.textContent =
          code === 'denied' ? T.geotagDenied : code === 'unsupported' ? T.geotagUnsupported : code === 'timeout' ? T.geotagTimeout : T.geotagUnavailable;
      } finally {
        locate.disabled = false;
      }
    },
  });
  draw();
  return h('details', { class: 'card mapbox' }, h('summary', { text: L.mapTitle }), figure, locate, status);
}
