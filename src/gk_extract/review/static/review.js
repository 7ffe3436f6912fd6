// gk-extract review: a cell's place in the source, failed checks, a reviewer's decisions.
// No framework; the page's data is the JSON in #report-data, writes carry the page's CSRF token.
"use strict";

(function () {
  const printButton = document.getElementById("print-button");
  if (printButton) printButton.addEventListener("click", () => window.print());

  const dataNode = document.getElementById("report-data");
  if (!dataNode) return;
  const report = JSON.parse(dataNode.textContent);
  const cells = report.cells;
  const source = document.getElementById("source");
  const kind = source ? source.dataset.kind : "none";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  // Pages keep their size before their image arrives, so a box scrolled to stays in view.
  document.querySelectorAll(".page[data-width]").forEach((page) => {
    page.style.aspectRatio = page.dataset.width + " / " + page.dataset.height;
  });
  let selected = [];   // keys shown in the source until another click
  let current = null;  // the key the decision panel is about

  // ------------------------------------------------------------------ the source's places

  function clearSource() {
    document.querySelectorAll(".hl-box").forEach((b) => b.remove());
    document.querySelectorAll(".page.hl-page").forEach((p) => p.classList.remove("hl-page"));
    document.querySelectorAll("[data-ref].hl").forEach((c) => c.classList.remove("hl"));
    const frame = htmlDocument();
    if (frame) frame.querySelectorAll(".gk-hl").forEach((c) => c.classList.remove("gk-hl"));
  }

  function htmlDocument() {
    const frame = document.getElementById("html-source");
    try { return frame ? frame.contentDocument : null; } catch (e) { return null; }
  }

  // The cell's box on its page: bbox is in PDF points (pdf) or image pixels (image files).
  function pageBox(cell) {
    const page = source.querySelector('.page[data-page="' + (cell.page || 1) + '"]');
    if (!page) return null;
    if (!cell.bbox) { page.classList.add("hl-page"); return page; }
    const img = page.querySelector("img");
    const unitWidth = page.dataset.unit === "px" ? img.naturalWidth : parseFloat(page.dataset.width);
    if (!unitWidth) { img.addEventListener("load", () => show(selected, false), { once: true }); return page; }
    const scale = page.clientWidth / unitWidth;
    const [x0, top, x1, bottom] = cell.bbox;
    const box = document.createElement("div");
    box.className = "hl-box";
    box.dataset.key = cell.key;
    box.dataset.scale = String(scale);
    box.style.left = x0 * scale + "px";
    box.style.top = top * scale + "px";
    box.style.width = (x1 - x0) * scale + "px";
    box.style.height = (bottom - top) * scale + "px";
    page.appendChild(box);
    return box;
  }

  function refPlace(cell) {
    if (!cell.source_ref) return null;
    const ref = CSS.escape(cell.source_ref);
    if (kind === "html") {
      const doc = htmlDocument();
      const found = doc ? doc.querySelector('[data-gk-ref="' + ref + '"]') : null;
      if (found) found.classList.add("gk-hl");
      return found;
    }
    const found = source.querySelector('[data-ref="' + ref + '"]');
    if (found) found.classList.add("hl");
    return found;
  }

  function show(keys, scroll) {
    clearSource();
    let first = null;
    keys.forEach((key) => {
      const cell = cells[key];
      if (!cell) return;
      const place = (kind === "pdf" || kind === "image") ? pageBox(cell) : refPlace(cell);
      first = first || place;
    });
    if (first && scroll) first.scrollIntoView({ block: "center", behavior: "instant" });
  }

  // ------------------------------------------------------------------ cells and checks

  function markTables(keys, cls) {
    document.querySelectorAll("td." + cls).forEach((td) => td.classList.remove(cls));
    keys.forEach((key) => {
      const td = document.querySelector('td.cell[data-key="' + CSS.escape(key) + '"]');
      if (td) td.classList.add(cls);
    });
  }

  document.querySelectorAll("td.cell[data-key]").forEach((td) => {
    const key = td.dataset.key;
    if (!cells[key]) return;
    td.addEventListener("mouseenter", () => show([key], false));
    td.addEventListener("mouseleave", () => show(selected, false));
    td.addEventListener("click", () => select(key));
    td.addEventListener("keydown", (e) => { if (e.key === "Enter") select(key); });
  });

  function select(key) {
    selected = [key];
    markTables([key], "sel");
    markTables([], "check-hl");
    show(selected, true);
    openDecision(key);
    const td = document.querySelector('td.cell[data-key="' + CSS.escape(key) + '"]');
    if (td.getBoundingClientRect().bottom > panel.getBoundingClientRect().top) {
      td.scrollIntoView({ block: "center", behavior: "instant" });
    }
  }

  document.querySelectorAll("li.check[data-cells]").forEach((li) => {
    li.addEventListener("click", () => {
      document.querySelectorAll("li.check.on").forEach((x) => x.classList.remove("on"));
      li.classList.add("on");
      selected = li.dataset.cells.split(" ").filter((k) => k && cells[k]);
      markTables(selected, "check-hl");
      markTables([], "sel");
      show(selected, true);
      const first = document.querySelector("td.check-hl");
      if (first) first.scrollIntoView({ block: "center", behavior: "instant" });
    });
  });

  window.addEventListener("resize", () => show(selected, false));

  // ------------------------------------------------------------------ decisions

  const panel = document.getElementById("decide");
  const status = document.getElementById("d-status");
  const reviewer = document.getElementById("d-reviewer");
  if (!reviewer.value) reviewer.value = localStorage.getItem("gk-review-reviewer") || "";

  function openDecision(key) {
    const cell = cells[key];
    current = key;
    panel.hidden = false;
    document.getElementById("d-title").textContent = cell.row_label + " · " + cell.col_label;
    document.getElementById("d-facts").textContent =
      "printed " + JSON.stringify(cell.raw === null ? "" : cell.raw) + " → " +
      (cell.value === null ? "no number" : cell.value) + " (" + cell.kind + ", " +
      (cell.method || "?") + ", " + (cell.source_ref || "") + ")" +
      (cell.doubtful ? " · doubtful" : "") +
      (cell.confidence !== null ? " · confidence " + cell.confidence.toFixed(2) : "");
    document.getElementById("d-decision").textContent = describe(cell.decision);
    document.getElementById("d-value").value = cell.value === null ? "" : String(cell.value);
    document.getElementById("d-reason").value = "";
    status.textContent = "";
    status.className = "";
  }

  function describe(d) {
    if (!d) return "Not reviewed yet.";
    const what = d.action === "confirm" ? "Confirmed" : "Corrected to " + (d.new_value === null ? "no number" : d.new_value);
    return what + " by " + d.reviewer + " at " + d.at + (d.reason ? " (" + d.reason + ")" : "") +
      (d.source_changed ? " — the source cell has changed since: look again." : "");
  }

  async function decide(action) {
    if (!current) return;
    localStorage.setItem("gk-review-reviewer", reviewer.value);
    const body = {
      report_id: report.report_id, key: current, action: action, reviewer: reviewer.value,
      reason: document.getElementById("d-reason").value,
      new_value: action === "correct" ? document.getElementById("d-value").value : null,
    };
    status.textContent = "saving…";
    status.className = "";
    const response = await fetch("/api/corrections", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({ error: response.statusText }));
    if (!response.ok) {
      status.textContent = answer.error || "not saved";
      status.className = "error";
      return;
    }
    cells[current].decision = answer.saved.decision;
    redraw(current);
    document.getElementById("d-decision").textContent = describe(answer.saved.decision);
    status.textContent = "saved";
    status.className = "done";
  }

  function redraw(key) {
    const td = document.querySelector('td.cell[data-key="' + CSS.escape(key) + '"]');
    const d = cells[key].decision;
    if (!td || !d) return;
    td.classList.remove("confirmed", "corrected", "stale");
    td.classList.add(d.action === "confirm" ? "confirmed" : "corrected");
    td.querySelectorAll(".new").forEach((n) => n.remove());
    if (d.action === "correct") {
      const span = document.createElement("span");
      span.className = "new";
      span.textContent = d.new_value === null ? "∅" : String(d.new_value);
      td.appendChild(span);
    }
  }

  document.getElementById("d-confirm").addEventListener("click", () => decide("confirm"));
  document.getElementById("d-correct").addEventListener("click", () => decide("correct"));
  document.getElementById("d-close").addEventListener("click", () => { panel.hidden = true; });
})();
