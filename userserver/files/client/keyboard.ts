/** Keyboard shortcuts for the folder page (listed in its `?` help dialog). */
import { $, $$, isTyping } from "./dom.ts";
import { askName } from "./dialogs.ts";
import { checks, selected, submitSelection, syncSelection } from "./selection.ts";

const rows = () => $$("#listing .items > li");

function currentRow(): number {
  const active = document.activeElement?.closest("#listing .items > li");
  return active ? rows().indexOf(active as HTMLElement) : -1;
}

function focusRow(i: number): void {
  const all = rows();
  if (!all.length) return;
  const row = all[Math.max(0, Math.min(all.length - 1, i))];
  $(".fm-open", row)?.focus();
  row.scrollIntoView({ block: "nearest" });
}

/** With nothing selected, the focused row is what a shortcut acts on. */
function selectFocusedIfNone(row: HTMLElement | undefined): boolean {
  const check = row ? $<HTMLInputElement>(".fm-check", row) : null;
  if (!selected().length && check) check.checked = true;
  return selected().length > 0;
}

const click = (selector: string) => $(selector)?.click();

function onKey(e: KeyboardEvent): void {
  const editor = $<HTMLFormElement>("[data-fm-editor]");
  if (e.key === "s" && (e.ctrlKey || e.metaKey) && editor) {
    e.preventDefault();
    editor.requestSubmit();
    return;
  }
  if (isTyping(e.target)) {
    // Escape leaves the field, unless a widget in it used the key (the header search closing its list).
    if (e.key === "Escape" && !e.defaultPrevented && e.target instanceof HTMLElement) e.target.blur();
    return;
  }
  if (e.altKey || (e.metaKey && e.key !== "a") || $("dialog[open]")) return;
  const i = currentRow();
  const row = i >= 0 ? rows()[i] : undefined;
  const act = (run: () => void) => {
    e.preventDefault();
    run();
  };
  if (e.key === "a" && (e.ctrlKey || e.metaKey)) {
    return act(() => {
      for (const c of checks()) c.checked = true;
      syncSelection();
    });
  }
  if (e.ctrlKey) return;
  switch (e.key) {
    case "/":
      return act(() => $("#fm-q")?.focus());
    case "j":
    case "ArrowDown":
      return act(() => focusRow(i + 1));
    case "k":
    case "ArrowUp":
      return act(() => focusRow(i < 0 ? 0 : i - 1));
    case "x":
    case " ": {
      const check = row ? $<HTMLInputElement>(".fm-check", row) : null;
      if (!check) return;
      return act(() => {
        check.checked = !check.checked;
        syncSelection();
      });
    }
    case "Escape":
      return act(() => {
        for (const c of checks()) c.checked = false;
        syncSelection();
      });
    case "Delete":
      return selectFocusedIfNone(row) ? act(() => submitSelection("/files/trash")) : undefined;
    case "F2": {
      // The one ticked item, else the focused row.
      const ticked = selected();
      const target = ticked.length === 1
        ? ticked[0].closest<HTMLElement>("#listing .items > li") ?? row
        : row;
      const link = target ? $(".fm-open", target) : null;
      const check = target ? $<HTMLInputElement>(".fm-check", target) : null;
      if (!link || !check) return;
      return act(() => askName("New name", link.textContent ?? "", `/browse/${check.value}/rename`));
    }
    case "m":
    case "c":
      return selectFocusedIfNone(row)
        ? act(() => click(e.key === "m" ? "[data-fm-move]" : "[data-fm-copy]"))
        : undefined;
    case "s":
      return selectFocusedIfNone(row)
        ? act(() => submitSelection("/files/favorite", { on: "1" }))
        : undefined;
    case "n":
      return act(() => $("#fm-new-name")?.focus());
    case "u":
      return act(() => click("[data-fm-input]"));
    case "e":
      return act(() => click("a[aria-keyshortcuts=e]"));
    case "v":
      return act(() => click(".fm-views a:not([aria-current])"));
    case "ArrowLeft":
      return act(() => click(".fm-pager a[rel=prev]"));
    case "ArrowRight":
      return act(() => click(".fm-pager a[rel=next]"));
    case "Backspace": {
      const up = $$(".crumbs a").at(-1);
      return up ? act(() => up.click()) : undefined;
    }
    case "?":
      return act(() => $<HTMLDialogElement>("#fm-help")?.showModal());
  }
}

export function installKeyboard(): void {
  document.addEventListener("keydown", onKey);
}
