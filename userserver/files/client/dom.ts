/** Small typed DOM helpers shared by the file manager's client modules. */

export const $ = <T extends Element = HTMLElement>(selector: string, root: ParentNode = document): T | null =>
  root.querySelector<T>(selector);

export const $$ = <T extends Element = HTMLElement>(selector: string, root: ParentNode = document): T[] => [
  ...root.querySelectorAll<T>(selector),
];

/** The folder page's section (it carries the folder id), if this page is one. */
export const folderSection = (): HTMLElement | null => $("section.files[data-folder]");

/** Inputs that take no typing: shortcuts still work while one has focus (a row's checkbox). */
const NOT_TYPED = new Set(["checkbox", "radio", "button", "submit", "reset"]);

/** True while the user types in a field: keyboard shortcuts stay out of the way. */
export function isTyping(el: EventTarget | null): boolean {
  if (el instanceof HTMLInputElement) return !NOT_TYPED.has(el.type);
  return el instanceof HTMLElement &&
    (el.isContentEditable || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement);
}

/** Asks the filter form to reload the listing (htmx: its `hx-trigger` lists `fm-refresh`). */
export function refreshListing(): void {
  $("[data-fm-filter]")?.dispatchEvent(new Event("fm-refresh"));
  $("#fm-usage")?.dispatchEvent(new Event("fm-refresh"));
}
