/**
 * The text editor: leaving it (another page, a reload, closing the tab) with unsaved changes asks
 * first. A submit of the editor's form (Save, Save as a copy, Overwrite) is not leaving.
 */
let dirty = false;

export function installEditor(): void {
  document.addEventListener("input", (e) => {
    if (e.target instanceof HTMLTextAreaElement && e.target.closest("[data-fm-editor]")) dirty = true;
  });
  document.addEventListener("submit", (e) => {
    if (e.target instanceof HTMLFormElement && e.target.matches("[data-fm-editor]")) dirty = false;
  }, true);
  // htmx navigations (boosted links) replace the page without unloading it: ask there too.
  document.addEventListener("htmx:before:request", (e) => {
    if (!dirty || !document.querySelector("[data-fm-editor]")) return;
    if (!confirm("Leave the editor? Your changes are not saved.")) e.preventDefault();
    else dirty = false;
  });
  addEventListener("beforeunload", (e) => {
    if (dirty && document.querySelector("[data-fm-editor]")) e.preventDefault();
  });
}
