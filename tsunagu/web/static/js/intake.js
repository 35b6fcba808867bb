// The intake and つなぐシート forms, shortened. Every page works without this
// file: the server fills the main topic from one ticked topic, the grouped
// list of destinations is a plain <select>, and every field stays in the form.
document.addEventListener("DOMContentLoaded", () => {
  // 主な相談内容: only the topics ticked above (all of them while none is ticked).
  const main = document.querySelector("select.js-main-topic");
  const topics = Array.from(document.querySelectorAll("input.js-topic"));
  if (main && topics.length) {
    const narrow = () => {
      const ticked = topics.filter((box) => box.checked).map((box) => box.value);
      for (const option of main.options) {
        if (!option.value) continue;
        const offered = ticked.length === 0 || ticked.includes(option.value);
        option.hidden = !offered;
        option.disabled = !offered;
      }
      if (ticked.length === 1) {
        main.value = ticked[0];
      } else if (main.value && !ticked.includes(main.value) && ticked.length) {
        main.value = "";
      }
    };
    topics.forEach((box) => box.addEventListener("change", narrow));
    narrow();
  }

  // 対象者: the new person's fields, or the clue about an unknown one.
  const modes = Array.from(document.querySelectorAll("input[name='subject_mode'][type='radio']"));
  const known = document.querySelector(".subject-new");
  const unknown = document.querySelector(".subject-unknown");
  if (modes.length && known && unknown) {
    const show = () => {
      const mode = (modes.find((radio) => radio.checked) || {}).value;
      known.hidden = mode === "unknown";
      unknown.hidden = mode !== "unknown" && !unknown.querySelector(".errorlist");
    };
    modes.forEach((radio) => radio.addEventListener("change", show));
    show();
  }

  // つなぐ先: a box that filters the grouped list as the clerk types.
  for (const select of document.querySelectorAll("select.js-filterable")) {
    const fold = (text) => text.normalize("NFKC").toLowerCase().replace(/\s+/g, "")
      .replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
    const box = document.createElement("input");
    box.type = "search";
    box.id = `${select.id}-filter`;
    box.className = "destination-filter";
    box.setAttribute("aria-controls", select.id);
    box.setAttribute("autocomplete", "off");
    const label = document.createElement("label");
    label.htmlFor = box.id;
    label.textContent = select.dataset.filterLabel || "";
    const count = document.createElement("p");
    count.className = "help";
    count.id = `${select.id}-filter-count`;
    count.setAttribute("aria-live", "polite");
    box.setAttribute("aria-describedby", count.id);
    select.before(label, box, count);
    const options = Array.from(select.options).filter((option) => option.value);
    box.addEventListener("input", () => {
      const words = fold(box.value);
      const shown = options.filter((option) => {
        const match = !words || fold(option.textContent).includes(words);
        option.hidden = !match;
        option.disabled = !match && option.value !== select.value;
        return match;
      });
      for (const group of select.querySelectorAll("optgroup")) {
        group.hidden = !Array.from(group.children).some((option) => !option.hidden);
      }
      if (shown.length === 1 && select.value !== shown[0].value) {
        select.value = shown[0].value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      count.textContent = words ? (select.dataset.filterCount || "").replace("{count}", shown.length) : "";
    });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        select.focus();
      }
    });
  }
});
