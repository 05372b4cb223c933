// The supervisor and Pemkot pages' one script (templates/base.html): htmx for partial updates, and the
// behaviour that used to sit in inline attributes. Pages carry no inline script, so a strict
// Content-Security-Policy holds; page-specific code is its own entry point in static/js/pages/.
import htmx from "htmx.org";

// htmx must not inject its indicator <style> (it would need 'unsafe-inline'); app.css styles indicators.
htmx.config.includeIndicatorStyles = false;
htmx.config.allowEval = false;

/** Submit the language form as soon as another language is chosen. */
function bindLanguageSelect() {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    if (!(select instanceof HTMLSelectElement) || !select.form) continue;
    const form = select.form;
    select.addEventListener("change", () => form.requestSubmit());
  }
}

document.addEventListener("DOMContentLoaded", bindLanguageSelect);
