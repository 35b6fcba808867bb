// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // A select marked js-autosubmit submits its form on change; its button is then not needed.
  for (const select of document.querySelectorAll("select.js-autosubmit")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  for (const el of document.querySelectorAll(".js-hidden")) {
    el.hidden = true;
  }
  // Buttons that ask before doing something that cannot be taken back.
  document.body.addEventListener("click", (event) => {
    const button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });
});

// The suggested reading (ふりがな) is put into the fields only when the clerk asks.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".js-use-reading");
  if (!button) return;
  const prefix = button.dataset.prefix;
  for (const [part, value] of [["family_name_kana", button.dataset.family], ["given_name_kana", button.dataset.given]]) {
    const input = document.getElementById(`id_${prefix}-${part}`);
    if (input && value && !input.value) input.value = value;
  }
  const input = document.getElementById(`id_${prefix}-family_name_kana`);
  if (input) input.dispatchEvent(new Event("change", { bubbles: true }));
  button.closest(".reading-suggestion").remove();
});

// The error summary of a form sent back: focus goes to it, so that a screen
// reader reads what to correct and the page does not open far from the fields;
// each of its links moves to its field and shows the field's label.
function focusErrorSummary(root) {
  const summary = root.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    return true;
  }
  return false;
}
document.addEventListener("DOMContentLoaded", () => focusErrorSummary(document));
document.addEventListener("htmx:afterSettle", (event) => {
  const root = event.detail.elt || document;
  if (!focusErrorSummary(root)) {
    const invalid = root.querySelector("[aria-invalid='true']");
    if (invalid) invalid.focus();
  }
});
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-error-summary] a[href^='#']");
  if (!link) return;
  const target = document.getElementById(link.getAttribute("href").slice(1));
  if (!target) return;
  event.preventDefault();
  const input = target.matches("input, select, textarea, button") ? target : target.querySelector("input, select, textarea, button");
  const shown = target.closest("fieldset, .field") || target;
  shown.scrollIntoView({ block: "start" });
  (input || target).focus({ preventScroll: true });
});
