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

// --- A clerk's work is not lost ----------------------------------------------
// Drafts of long forms (marked data-draft) are kept on the server as the clerk
// types, never in the browser's storage (a window's PC is shared); opened
// again, the form gets them back. Five minutes before the idle sign-out a
// dialog offers to stay signed in.
function csrfToken() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (input) return input.value;
  return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
}

function draftKey(form) {
  return `${new URL(form.action || location.href, location.href).pathname}#${form.dataset.draft || ""}`;
}

function draftValues(form) {
  const values = {};
  for (const [name, value] of new FormData(form)) {
    if (typeof value !== "string" || name === "csrfmiddlewaretoken") continue;
    (values[name] ||= []).push(value);
  }
  return values;
}

function fillDraft(form, values) {
  const used = {};
  for (const element of form.elements) {
    const name = element.name;
    if (!name || !(name in values) || element.type === "hidden" || name === "csrfmiddlewaretoken") continue;
    const kept = values[name];
    if (element.type === "checkbox" || element.type === "radio") {
      element.checked = kept.includes(element.value);
    } else if (element.tagName === "SELECT" && element.multiple) {
      for (const option of element.options) option.selected = kept.includes(option.value);
    } else if (element.type !== "file") {
      const index = used[name] || 0;
      if (index < kept.length) element.value = kept[index];
      used[name] = index + 1;
    }
  }
}

const idle = {
  timers: [],
  restart() {
    const seconds = Number(document.body.dataset.idleSeconds || 0);
    if (!seconds) return;
    for (const timer of this.timers) clearTimeout(timer);
    // 5 minutes before; a limit of 10 minutes or less warns at its half.
    const warnAt = Math.max(seconds - 300, seconds / 2);
    this.timers = [
      setTimeout(() => this.warn(), warnAt * 1000),
      // Past the limit the server has signed out: the page shows the sign-in.
      setTimeout(() => location.reload(), (seconds + 2) * 1000),
    ];
  },
  warn() {
    const dialog = document.getElementById("idle-warning");
    if (!dialog || dialog.open) return;
    dialog.showModal();
    document.getElementById("idle-warning-stay").focus();
  },
};

async function saveDraft(form) {
  const base = document.body.dataset.draftsUrl;
  const response = await fetch(`${base}save/`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify({ form: draftKey(form), values: draftValues(form) }),
  });
  if (response.ok) idle.restart();
}

async function restoreDraft(form) {
  const base = document.body.dataset.draftsUrl;
  const key = draftKey(form);
  const response = await fetch(`${base}?form=${encodeURIComponent(key)}`, { credentials: "same-origin" });
  if (!response.ok) return;
  const draft = await response.json();
  if (!draft.values) return;
  fillDraft(form, draft.values);
  const notice = document.getElementById("draft-notice-template").content.firstElementChild.cloneNode(true);
  notice.querySelector(".draft-saved-at").textContent = `（${draft.saved}）`;
  notice.querySelector(".js-discard-draft").addEventListener("click", async () => {
    const body = new FormData();
    body.append("form", key);
    body.append("csrfmiddlewaretoken", csrfToken());
    await fetch(`${base}discard/`, { method: "POST", credentials: "same-origin", body });
    form.reset();
    notice.remove();
    form.querySelector("input:not([type=hidden]), select, textarea")?.focus();
  });
  form.before(notice);
}

document.addEventListener("DOMContentLoaded", () => {
  if (!document.body.dataset.idleSeconds) return;
  idle.restart();
  document.addEventListener("htmx:afterRequest", () => idle.restart());
  const dialog = document.getElementById("idle-warning");
  dialog?.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await fetch(event.target.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
    if (!response.ok || !(response.headers.get("Content-Type") || "").includes("json")) {
      location.reload(); // already signed out: the sign-in page
      return;
    }
    dialog.close();
    idle.restart();
  });
  // A page sent back with errors shows what was sent: no draft over it.
  const sentBack = document.querySelector("[data-error-summary]");
  for (const form of document.querySelectorAll("form[data-draft]")) {
    if (!sentBack) restoreDraft(form);
    let pending;
    const later = () => {
      clearTimeout(pending);
      pending = setTimeout(() => saveDraft(form), 1200);
    };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", () => clearTimeout(pending));
  }
});

// A table wider than the screen scrolls inside its .table-wrap; a keyboard user
// must be able to reach and scroll it too (WCAG 2.1.1; axe's
// scrollable-region-focusable). Only a wrap that does scroll becomes a tab
// stop, named after its table's caption or the nearest heading before it.
function makeScrollingTablesReachable(root) {
  for (const wrap of root.querySelectorAll(".table-wrap")) {
    const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    if (!scrolls) {
      if (wrap.dataset.madeReachable) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        delete wrap.dataset.madeReachable;
      }
      continue;
    }
    if (wrap.hasAttribute("tabindex")) continue;
    const caption = wrap.querySelector("caption");
    let heading = wrap.previousElementSibling;
    while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
    const name = (caption || heading || {}).textContent || "表";
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", `${name.trim()}（横にスクロールできます）`);
    wrap.dataset.madeReachable = "1";
  }
}
document.addEventListener("DOMContentLoaded", () => makeScrollingTablesReachable(document));
document.addEventListener("htmx:afterSettle", (event) => makeScrollingTablesReachable(event.target));
window.addEventListener("resize", () => makeScrollingTablesReachable(document));

// 「その他のメニュー」 opens without script (a details element); with it, Escape
// closes the open list and returns to its button, and a click elsewhere closes it.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const more = document.activeElement?.closest(".nav-more[open]");
  if (!more) return;
  more.open = false;
  more.querySelector("summary").focus();
});
document.addEventListener("click", (event) => {
  for (const more of document.querySelectorAll(".nav-more[open]")) {
    if (!more.contains(event.target)) more.open = false;
  }
});
