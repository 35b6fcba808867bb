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
