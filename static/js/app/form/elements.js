// @ts-check
/**
 * The two element helpers of the family form. Text is always set with textContent, never as HTML.
 */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} [className]
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/**
 * @param {string} type
 * @param {string} className
 * @param {string} text
 * @returns {HTMLButtonElement}
 */
export function button(type, className, text) {
  const node = el('button', className, text);
  node.type = /** @type {'button'} */ (type);
  return node;
}
