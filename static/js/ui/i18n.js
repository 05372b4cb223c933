// @ts-check
/**
 * Translation of the app's text through Django's i18n: the page loads Django's JavaScript catalog
 * (/app/jsi18n/, the `djangojs` domain, precached for offline use) before the app, and every
 * user-facing string is written as `gettext('Indonesian text')`, which `makemessages -d djangojs`
 * extracts into locale/<lang>/LC_MESSAGES/djangojs.po. Without a catalog (node tests, the service
 * worker) the Indonesian source text is used.
 */

/**
 * @param {string} msgid  the Indonesian text
 * @returns {string}
 */
export function gettext(msgid) {
  const catalog = /** @type {{django?: {gettext?: (s: string) => string}}} */ (globalThis).django;
  return catalog && typeof catalog.gettext === 'function' ? catalog.gettext(msgid) : msgid;
}

/**
 * Fills `%(name)s` placeholders (Django's style, so translators see the same markers as in Python).
 * @param {string} template
 * @param {Record<string, unknown>} values
 * @returns {string}
 */
export function interpolate(template, values) {
  return template.replace(/%\((\w+)\)s/g, (whole, name) => (Object.hasOwn(values, name) ? String(values[name]) : whole));
}
