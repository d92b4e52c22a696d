/** Row selection: checkboxes in the listing drive the selection bar (Star, Move, Copy, Delete). */
import { $, $$ } from "./dom.ts";

export const checks = (): HTMLInputElement[] => $$<HTMLInputElement>("#listing .fm-check");
export const selected = (): HTMLInputElement[] => checks().filter((c) => c.checked);

/** "Select all N items": the selection becomes the folder's whole listing, every page (the server expands it). */
const allInputs = (bar: ParentNode) => $$<HTMLInputElement>("[data-fm-all]", bar);
const allOn = (bar: ParentNode) => allInputs(bar).some((i) => !i.disabled);
function setAll(bar: ParentNode, on: boolean): void {
  for (const i of allInputs(bar)) i.disabled = !on;
}

export function syncSelection(): void {
  const bar = $("[data-fm-selbar]");
  if (!bar) return;
  const rows = checks();
  const n = selected().length;
  const total = Number($("#listing")?.dataset.total ?? 0);
  // Unticking a row leaves "all" for the rows ticked by hand.
  if (allOn(bar) && n < rows.length) setAll(bar, false);
  const all = allOn(bar);
  bar.classList.toggle("on", n > 0 || all);
  const count = $("[data-fm-selcount]", bar);
  if (count) count.textContent = all ? `All ${total.toLocaleString()} items selected` : `${n} selected`;
  const offer = $<HTMLButtonElement>("[data-fm-select-all]", bar);
  if (!offer) return;
  const canOffer = n > 0 && n === rows.length && total > n;
  offer.hidden = !canOffer && !all;
  offer.textContent = all
    ? "Select only this page"
    : `Select all ${total.toLocaleString()} items in this folder`;
}

/** Posts the selection form to `action` (the checked rows belong to it through their `form` attribute). */
export function submitSelection(action: string, extra: Record<string, string> = {}): void {
  const form = $<HTMLFormElement>("#fm-sel");
  if (!form) return;
  form.action = action;
  for (const [name, value] of Object.entries(extra)) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
  form.requestSubmit();
}

export function installSelection(): void {
  document.addEventListener("click", (e) => {
    const offer = e.target instanceof Element ? e.target.closest("[data-fm-select-all]") : null;
    const bar = $("[data-fm-selbar]");
    if (!offer || !bar) return;
    setAll(bar, !allOn(bar));
    syncSelection();
  });
  document.addEventListener("change", (e) => {
    if (e.target instanceof HTMLInputElement && e.target.classList.contains("fm-check")) syncSelection();
  });
  // A new listing (filter, sort, upload) replaces the rows: the bar follows.
  document.addEventListener("htmx:after:swap", syncSelection);
}
