/** Dialogs: the Move/Copy folder picker, the rename prompt (F2), the shortcut help, confirmations. */
import { $ } from "./dom.ts";
import { selected } from "./selection.ts";

export async function openPicker(action: "move" | "copy"): Promise<void> {
  const ids = selected().map((c) => c.value);
  if (!ids.length) return;
  const back = $<HTMLInputElement>("#fm-sel input[name=back]")?.value || location.pathname;
  const query = new URLSearchParams({ action, back });
  for (const id of ids) query.append("ids", id);
  const res = await fetch(`/files-ui/picker?${query}`);
  const dialog = $<HTMLDialogElement>("#fm-dialog");
  if (!dialog || !res.ok) return;
  dialog.innerHTML = await res.text();
  dialog.showModal();
  $("select", dialog)?.focus();
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
    const t = e.target instanceof Element
      ? e.target.closest("[data-fm-move],[data-fm-copy],[data-fm-close],[data-fm-help]")
      : null;
    if (!t) return;
    if (t.matches("[data-fm-move]")) void openPicker("move");
    else if (t.matches("[data-fm-copy]")) void openPicker("copy");
    else if (t.matches("[data-fm-close]")) t.closest("dialog")?.close();
    else if (t.matches("[data-fm-help]")) $<HTMLDialogElement>("#fm-help")?.showModal();
  });
  document.addEventListener("submit", (e) => {
    const message = e.target instanceof HTMLFormElement ? e.target.dataset.fmConfirm : undefined;
    if (message && !confirm(message)) e.preventDefault();
  });
}
