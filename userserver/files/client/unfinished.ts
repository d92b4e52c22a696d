/**
 * Unfinished uploads into this folder (the server keeps their bytes until they expire): listed
 * above the upload progress with how much arrived, "choose the file again to resume" (tus resumes
 * from the server's offset), and Discard (a tus DELETE, and the browser forgets the upload URL).
 */
import { $, folderSection } from "./dom.ts";

/** The tus endpoint (userserver/files/uploads.ts `UPLOAD_PATH`). */
const ENDPOINT = "/upload/tus";

interface Unfinished {
  id: string;
  name: string;
  size: number;
  offset: number;
  expires: number;
}

const bytes = new Intl.NumberFormat(undefined, {
  style: "unit",
  unit: "byte",
  notation: "compact",
  unitDisplay: "narrow",
});
const day = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

/** Drops tus-js-client's stored resume entries for this upload id (they would 404 otherwise). */
function forget(id: string): void {
  for (let i = localStorage.length - 1; i >= 0; i--) {
    const key = localStorage.key(i);
    if (!key?.startsWith("tus::")) continue;
    try {
      const url = (JSON.parse(localStorage.getItem(key) ?? "{}") as { uploadUrl?: string }).uploadUrl ?? "";
      if (url.endsWith(`/${id}`)) localStorage.removeItem(key);
    } catch {
      // not an entry of tus-js-client's: leave it
    }
  }
}

function row(u: Unfinished): HTMLElement {
  const li = document.createElement("li");
  li.className = "fm-unfinished-row";
  li.dataset.upload = u.id;
  const name = document.createElement("span");
  name.className = "n";
  name.textContent = u.name;
  const note = document.createElement("span");
  note.className = "p";
  note.textContent = `${bytes.format(u.offset)} of ${bytes.format(u.size)} arrived — ` +
    `choose the file again to resume (kept until ${day.format(new Date(u.expires))})`;
  const discard = document.createElement("button");
  discard.type = "button";
  discard.className = "btn";
  discard.textContent = "Discard";
  discard.setAttribute("aria-label", `Discard the unfinished upload of ${u.name}`);
  discard.addEventListener("click", async () => {
    discard.disabled = true;
    const res = await fetch(`${ENDPOINT}/${encodeURIComponent(u.id)}`, {
      method: "DELETE",
      headers: { "tus-resumable": "1.0.0" },
    }).catch(() => undefined);
    if (res && (res.ok || res.status === 404 || res.status === 410)) {
      forget(u.id);
      const list = li.parentElement;
      li.remove();
      if (list && !list.children.length) list.closest<HTMLElement>("[data-fm-unfinished]")?.remove();
    } else {
      discard.disabled = false;
      note.textContent = "Could not discard it — check the connection and try again";
    }
  });
  li.append(name, note, discard);
  return li;
}

/** Shows this folder's unfinished uploads (or nothing when there are none). */
export async function showUnfinished(): Promise<void> {
  const section = folderSection();
  const uploads = section ? $("[data-fm-uploads]", section) : null;
  const folder = section?.dataset.folder;
  if (!section || !uploads || !folder) return;
  const res = await fetch(`/upload/unfinished/${encodeURIComponent(folder)}`).catch(() => undefined);
  if (!res?.ok) return;
  const { uploads: list } = (await res.json()) as { uploads: Unfinished[] };
  $("[data-fm-unfinished]", section)?.remove();
  if (!list.length) return;
  const box = document.createElement("div");
  box.className = "fm-unfinished";
  box.dataset.fmUnfinished = "";
  const title = document.createElement("p");
  title.textContent = list.length === 1 ? "1 unfinished upload" : `${list.length} unfinished uploads`;
  const ul = document.createElement("ul");
  ul.append(...list.map(row));
  box.append(title, ul);
  uploads.before(box);
}

export function installUnfinished(): void {
  void showUnfinished();
}
