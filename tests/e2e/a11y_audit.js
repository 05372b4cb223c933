// The accessibility floor of a rendered app screen, run in the page by tests/e2e/test_family_form.py:
// every visible control and button at least 48 px high, every input labelled, and every text at least
// 4.5:1 against the first opaque background behind it (WCAG 2 relative luminance). Returns the problems.
() => {
  const parse = (c) => { const m = c.match(/[\d.]+/g) || []; return m.map(Number); };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || c[3] > 0.5) return c.slice(0, 3); } return [255, 255, 255]; };
  const visible = (el) => el.offsetParent !== null && el.getClientRects().length > 0;
  const problems = [];
  const root = document.querySelector('.screen') || document.body;
  const name = (el) => (el.id || el.className || el.tagName) + ' ' + (el.textContent || '').trim().slice(0, 30);
  for (const el of root.querySelectorAll('button, select, textarea, input:not([type=checkbox]):not([type=radio]):not([type=file]), label.choice, summary, a.back')) {
    if (!visible(el)) continue;
    if (el.getBoundingClientRect().height < 47.5) problems.push('small: ' + name(el));
  }
  for (const el of root.querySelectorAll('input, select, textarea')) {
    if (el.type === 'file' || !visible(el.closest('label, .field') || el)) continue;
    const labelled = el.labels?.length || el.getAttribute('aria-label') || el.closest('fieldset')?.querySelector('legend');
    if (!labelled) problems.push('no label: ' + name(el));
  }
  for (const el of root.querySelectorAll('*')) {
    if (!visible(el) || ![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const style = getComputedStyle(el);
    const fg = parse(style.color).slice(0, 3);
    const a = lum(fg), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5 && parseFloat(style.opacity) > 0.9 && !el.closest('button:disabled')) problems.push('contrast ' + ratio.toFixed(2) + ': ' + name(el));
  }
  return problems;
}
