/** Dialogs: showing the Move/Copy folder picker, the rename prompt (F2), the shortcut help, confirmations. */
import { $ } from "./dom.ts";

/** The Move/Copy buttons load the folder picker into the dialog with htmx; this shows it once it is there. */
function showPicker(): void {
  const dialog = $<HTMLDialogElement>("#fm-dialog");
  if (!dialog || dialog.open || !$(".fm-picker", dialog)) return;
  dialog.setAttribute("aria-labelledby", "fm-picker-title");
  dialog.showModal();
  $("[data-fm-picker-filter]", dialog)?.focus();
}

/**
 * Filters the picker's folder tree as the user types: a folder whose name matches shows, with its
 * ancestors opened to reach it; the others hide. An empty filter shows the tree as it was.
 */
function filterPicker(input: HTMLInputElement): void {
  const tree = input.closest("form")?.querySelector<HTMLElement>(".fm-tree");
  if (!tree) return;
  const q = input.value.trim().toLowerCase();
  const rows = [...tree.querySelectorAll<HTMLElement>("li[data-fm-folder]")];
  if (!q) {
    for (const li of rows) li.hidden = false;
    tree.querySelector<HTMLElement>("[data-fm-picker-none]")!.hidden = true;
    return;
  }
  for (const li of rows) li.hidden = true;
  let found = 0;
  for (const li of rows) {
    if (!(li.dataset.fmFolder ?? "").includes(q)) continue;
    found++;
    // Show it and every folder above it, opened.
    for (let at: HTMLElement | null = li; at && at !== tree; at = at.parentElement) {
      if (at instanceof HTMLLIElement) at.hidden = false;
      if (at instanceof HTMLDetailsElement) at.open = true;
    }
  }
  tree.querySelector<HTMLElement>("[data-fm-picker-none]")!.hidden = found > 0;
}

/** A one-field form in the dialog that posts `name` to `action` (a plain form: no script needed to send it). */
export function askName(title: string, value: string, action: string): void {
  const dialog = $<HTMLDialogElement>("#fm-dialog");
  if (!dialog) return;
  const form = document.createElement("form");
  form.method = "post";
  form.action = action;
  const label = document.createElement("label");
  label.textContent = title;
  label.htmlFor = "fm-ask";
  const input = document.createElement("input");
  Object.assign(input, { type: "text", name: "name", id: "fm-ask", required: true, value });
  const back = document.createElement("input");
  Object.assign(back, { type: "hidden", name: "back", value: location.pathname + location.search });
  const row = document.createElement("div");
  row.className = "row";
  const ok = document.createElement("button");
  ok.type = "submit";
  ok.textContent = "Save";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "secondary";
  cancel.dataset.fmClose = "";
  cancel.textContent = "Cancel";
  row.append(ok, cancel);
  form.append(label, input, back, row);
  dialog.replaceChildren(form);
  dialog.showModal();
  const dot = value.lastIndexOf(".");
  input.focus();
  input.setSelectionRange(0, dot > 0 ? dot : value.length);
}

export function installDialogs(): void {
  document.addEventListener("click", (e) => {
    // The phone menu's "New folder": the name in the dialog, posted to the folder's mkdir.
    const mkdir = e.target instanceof Element ? e.target.closest<HTMLElement>("[data-fm-ask-mkdir]") : null;
    if (mkdir) {
      mkdir.closest("details")?.removeAttribute("open");
      askName("New folder name", "", mkdir.dataset.fmAskMkdir ?? "");
      return;
    }
    const t = e.target instanceof Element ? e.target.closest("[data-fm-close],[data-fm-help]") : null;
    if (!t) return;
    if (t.matches("[data-fm-close]")) t.closest("dialog")?.close();
    else if (t.matches("[data-fm-help]")) $<HTMLDialogElement>("#fm-help")?.showModal();
  });
  document.addEventListener("htmx:after:swap", showPicker);
  document.addEventListener("input", (e) => {
    if (e.target instanceof HTMLInputElement && e.target.matches("[data-fm-picker-filter]")) {
      filterPicker(e.target);
    }
  });
  // A closed dialog is emptied, so the next swap elsewhere does not show an old picker again.
  document.addEventListener("close", (e) => {
    if (e.target instanceof HTMLDialogElement && e.target.id === "fm-dialog") e.target.replaceChildren();
  }, true);
  document.addEventListener("submit", (e) => {
    const message = e.target instanceof HTMLFormElement ? e.target.dataset.fmConfirm : undefined;
    if (message && !confirm(message)) e.preventDefault();
  });
}
