/** Row selection: checkboxes in the listing drive the selection bar (Star, Move, Copy, Delete). */
import { $, $$ } from "./dom.ts";

export const checks = (): HTMLInputElement[] => $$<HTMLInputElement>("#listing .fm-check");
export const selected = (): HTMLInputElement[] => checks().filter((c) => c.checked);

export function syncSelection(): void {
  const bar = $("[data-fm-selbar]");
  if (!bar) return;
  const n = selected().length;
  bar.classList.toggle("on", n > 0);
  const count = $("[data-fm-selcount]", bar);
  if (count) count.textContent = `${n} selected`;
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
  document.addEventListener("change", (e) => {
    if (e.target instanceof HTMLInputElement && e.target.classList.contains("fm-check")) syncSelection();
  });
  // A new listing (filter, sort, upload) replaces the rows: the bar follows.
  document.addEventListener("htmx:after:swap", syncSelection);
}
