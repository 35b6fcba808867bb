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
