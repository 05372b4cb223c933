// @ts-check
// The field staff health page (templates/monitoring/staff_health.html): revoking a device asks
// first, since the phone wipes its data at its next contact; so does unlocking a PPL's sign-in
// (someone else may have been guessing the password).

/** @param {SubmitEvent} event */
function confirmRevoke(event) {
  const button = event.submitter;
  const question = button instanceof HTMLElement ? button.dataset.confirm : undefined;
  if (question && !window.confirm(question)) event.preventDefault();
}

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form.inline")) {
    if (form instanceof HTMLFormElement) form.addEventListener("submit", confirmRevoke);
  }
});
