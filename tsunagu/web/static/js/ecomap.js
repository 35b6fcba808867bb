// The ecomap's zoom (household page): －/＋ widen the picture inside its box,
// which then scrolls both ways. Without this file the picture fits the width
// of the page and the browser's own zoom still works.
document.addEventListener("DOMContentLoaded", () => {
  const LEVELS = [100, 150, 200, 300];
  for (const controls of document.querySelectorAll(".ecomap-zoom")) {
    const canvas = document.getElementById(controls.querySelector("[data-zoom]").getAttribute("aria-controls"));
    const shown = controls.querySelector(".ecomap-zoom-level");
    if (!canvas || !canvas.querySelector("svg")) continue;
    let level = 0;
    const apply = () => {
      LEVELS.forEach((value, index) => canvas.classList.toggle(`ecomap-zoom-${value}`, index === level));
      shown.textContent = `${LEVELS[level]}%`;
      controls.querySelector("[data-zoom='-1']").disabled = level === 0;
      controls.querySelector("[data-zoom='1']").disabled = level === LEVELS.length - 1;
    };
    controls.addEventListener("click", (event) => {
      const button = event.target.closest("[data-zoom]");
      if (!button) return;
      level = Math.min(LEVELS.length - 1, Math.max(0, level + Number(button.dataset.zoom)));
      apply();
    });
    controls.hidden = false;
    apply();
  }
});
