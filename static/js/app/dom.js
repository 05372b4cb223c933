// @ts-check
/**
 * A few DOM helpers for the app's screens. Text is always set as text (never parsed as HTML), so
 * names typed by a PPL or sent by the server cannot inject markup.
 */

/**
 * @typedef {{[key: string]: unknown, class?: string, text?: string}} Props
 * `on<event>` props are listeners; `hidden`, `disabled`, `checked`, `value` are set as properties;
 * `dataset` is an object; every other prop is an attribute (skipped when null/undefined/false).
 */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') element.className = String(value);
    else if (key === 'text') element.textContent = String(value);
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    } else if (key === 'hidden' || key === 'disabled' || key === 'checked' || key === 'value') {
      /** @type {any} */ (element)[key] = value;
    } else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'number' ? String(child) : child);
  }
  return element;
}

/**
 * Replaces the content of `root`.
 * @param {Element} root
 * @param {...(Node | string | null | undefined | false)} nodes
 */
export function mount(root, ...nodes) {
  root.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined && n !== false).map((n) => /** @type {Node | string} */ (n)));
}

/**
 * "12 Okt 2022 09.30" in the phone's time zone, Indonesian.
 * @param {number | string | null | undefined} moment
 * @returns {string}
 */
export function formatTime(moment) {
  if (moment === null || moment === undefined) return '–';
  const date = new Date(moment);
  if (Number.isNaN(date.getTime())) return '–';
  return date.toLocaleString('id-ID', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/**
 * @param {number} bytes
 * @returns {string}
 */
export function formatBytes(bytes) {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toLocaleString('id-ID', { maximumFractionDigits: 0 })} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toLocaleString('id-ID', { maximumFractionDigits: 1 })} MB`;
  return `${(bytes / 1024 ** 3).toLocaleString('id-ID', { maximumFractionDigits: 1 })} GB`;
}
