/**
 * The file manager's client code, bundled by `Bun.build` into `/_static/files.js` (userserver/web/static.ts).
 * Progressive: without it every action is a form that posts; filtering, sorting and paging are htmx
 * attributes on the page itself. This adds what htmx does not do: tus uploads with drag-and-drop,
 * selection, the Move/Copy dialogs and keyboard shortcuts. Events are delegated from `document`, so
 * they survive htmx swapping the page body; a guard makes loading the file twice harmless.
 */
import { installDialogs } from "./dialogs.ts";
import { installEditor } from "./editor.ts";
import { installKeyboard } from "./keyboard.ts";
import { installSelection } from "./selection.ts";
import { installTimes } from "./times.ts";
import { installUnfinished } from "./unfinished.ts";
import { installUploads } from "./uploads.ts";

const page = globalThis as { hearthFiles?: true };

if (!page.hearthFiles) {
  page.hearthFiles = true;
  installSelection();
  installDialogs();
  installUploads();
  installKeyboard();
  installEditor();
  installTimes();
  installUnfinished();
  // A thumbnail that fails to load is dropped, so the glyph under it shows.
  document.addEventListener("error", (e) => {
    if (e.target instanceof HTMLImageElement && e.target.classList.contains("fm-thumb")) e.target.remove();
  }, true);
}
