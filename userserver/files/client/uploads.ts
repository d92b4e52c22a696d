/**
 * Drag-and-drop and multi-file uploads over tus (`tus-js-client`), three files at a time, with a
 * progress row per file. An upload resumes after a dropped connection (the library's retries ask the
 * server for its offset) and after a reload (the upload URL is kept in localStorage under a
 * fingerprint that includes the target folder, and removed once the upload is done). The rows sit in
 * a panel fixed to the corner of the window (visible below a long listing), each with Cancel (the
 * server discards the bytes); offline, a row says so and the upload waits for the network.
 * Whole folders come from the folder picker (`webkitdirectory`) or a drop (the entries API), each
 * file with the folders it sits in (`relativePath`), empty folders too; before a batch is sent the
 * server says which names are taken, and the user chooses once for all: replace or keep both.
 * Signed out mid-upload (401), the panel offers sign-in in a new tab and the uploads resume from
 * the server's offset once signed in again (signed_out.ts).
 */
import { type PreviousUpload, Upload } from "tus-js-client";
import { $, folderSection, refreshListing } from "./dom.ts";
import { showUnfinished } from "./unfinished.ts";
import { askClash } from "./clash.ts";
import { whenSignedIn } from "./signed_out.ts";
import { entriesOfDrop, entriesOfInput, type Entry } from "./folder_entries.ts";

const CHUNK_BYTES = 32 * 1024 * 1024;
const PARALLEL = 3;
const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10_000, 15_000, 15_000, 15_000, 15_000, 15_000];
/** The tus endpoint (userserver/files/uploads.ts `UPLOAD_PATH`). */
const ENDPOINT = "/upload/tus";

interface Row {
  file: File;
  /** The folders it goes into, under the target ("" for none). */
  dir: string;
  row: HTMLElement;
  bar: HTMLProgressElement;
  label: HTMLElement;
  cancel: HTMLButtonElement;
  /** Set while uploading: stops it and asks the server to discard its bytes. */
  abort?: () => void;
}

class Cancelled extends Error {}

function uploadOne(
  file: File,
  target: { parent: string; dir: string; onClash: "replace" | "keep"; box: HTMLElement; label: HTMLElement },
  progress: (sent: number) => void,
  onAbort: (abort: () => void) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let cancelled = false;
    const upload = new Upload(file, {
      endpoint: new URL(ENDPOINT, location.href).href,
      chunkSize: CHUNK_BYTES,
      retryDelays: RETRY_DELAYS_MS,
      metadata: {
        filename: file.name,
        filetype: file.type,
        parent: target.parent,
        relativePath: target.dir,
        onClash: target.onClash,
        mtime: String(file.lastModified || Date.now()),
      },
      fingerprint: (f: File) =>
        Promise.resolve(["hearth-tus", target.parent, target.dir, f.name, f.size, f.lastModified].join(":")),
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress: (sent) => progress(sent),
      // As tus-js-client's default (server errors, 409 and 423), but offline too: the retries
      // span a short outage; after them the upload waits for the network (onError).
      onShouldRetry: (err) => {
        const status = err.originalResponse?.getStatus() ?? 0;
        if (status === 401) return false; // signed out: wait for sign-in (onError)
        return status < 400 || status >= 500 || status === 409 || status === 423;
      },
      onSuccess: () => resolve(),
      onError: (err) => {
        if (cancelled) return;
        const status = (err as { originalResponse?: { getStatus(): number } | null }).originalResponse
          ?.getStatus();
        if (status === 401) {
          // The session ended: wait for sign-in in another tab, then resume from the server's offset.
          target.label.textContent = "signed out";
          void whenSignedIn(target.box, `/upload/unfinished/${encodeURIComponent(target.parent)}`).then(
            () => {
              if (!cancelled) upload.start();
            },
          );
          return;
        }
        if (navigator.onLine) return reject(err);
        // Offline however long: resume from the server's offset once the network is back.
        globalThis.addEventListener("online", () => {
          if (!cancelled) upload.start();
        }, { once: true });
      },
    });
    onAbort(() => {
      cancelled = true;
      // `true`: the server discards the bytes it has (tus termination).
      void upload.abort(true).catch(() => {});
      reject(new Cancelled("cancelled"));
    });
    upload.findPreviousUploads().then((previous: PreviousUpload[]) => {
      if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    }, reject);
  });
}

function progressRow(box: HTMLElement, { file, dir }: Entry): Row {
  const shown = dir ? `${dir}/${file.name}` : file.name;
  const row = document.createElement("div");
  row.className = "fm-up";
  row.dataset.state = "queued";
  const name = document.createElement("span");
  name.className = "n";
  name.textContent = shown;
  name.title = shown;
  const bar = document.createElement("progress");
  bar.max = Math.max(1, file.size);
  bar.value = 0;
  bar.setAttribute("aria-label", `Upload progress of ${shown}`);
  const label = document.createElement("span");
  label.className = "p";
  label.textContent = "waiting";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "fm-up-cancel";
  cancel.textContent = "Cancel";
  cancel.setAttribute("aria-label", `Cancel the upload of ${shown}`);
  row.append(name, bar, label, cancel);
  box.append(row);
  const r: Row = { file, dir, row, bar, label, cancel };
  cancel.addEventListener("click", () => {
    if (r.abort) r.abort();
    else if (row.dataset.state === "queued") row.dataset.state = "cancelled";
    label.textContent = "cancelled";
    cancel.remove();
  });
  return r;
}

/** Rows uploading while the browser is offline say so (tus-js-client keeps retrying meanwhile). */
function markOffline(box: HTMLElement, offline: boolean): void {
  box.dataset.offline = String(offline);
  for (const row of box.querySelectorAll<HTMLElement>('.fm-up[data-state="uploading"]')) {
    const label = row.querySelector<HTMLElement>(".p");
    if (label && offline) label.textContent = "offline — retrying";
  }
}

async function postJson(path: string, body: unknown): Promise<Response> {
  return await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

export async function uploadFiles(entries: Entry[], emptyDirs: string[] = []): Promise<void> {
  const section = folderSection();
  const box = section ? $("[data-fm-uploads]", section) : null;
  if (!section || !box || (!entries.length && !emptyDirs.length)) return;
  const parent = section.dataset.folder ?? "";
  // Names already taken where the files would go: one choice for the whole batch.
  let onClash: "replace" | "keep" = "keep";
  const paths = entries.map((e) => (e.dir ? `${e.dir}/${e.file.name}` : e.file.name));
  const asked = await postJson("/upload/clashes", { parent, paths }).catch(() => undefined);
  const clashes = asked?.ok ? ((await asked.json()) as { clashes: string[] }).clashes : [];
  if (clashes.length) {
    const choice = await askClash(clashes);
    if (choice === "cancel") return;
    onClash = choice;
  }
  for (const dir of emptyDirs) {
    await postJson("/upload/folders", { parent, path: dir }).catch(() => undefined);
  }
  box.hidden = false;
  delete box.dataset.done;
  const queue = entries.map((e) => progressRow(box, e));
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const r = queue[next++];
      if (r.row.dataset.state === "cancelled") continue;
      r.row.dataset.state = "uploading";
      if (!navigator.onLine) r.label.textContent = "offline — retrying";
      try {
        await uploadOne(r.file, { parent, dir: r.dir, onClash, box, label: r.label }, (sent) => {
          r.bar.value = sent;
          r.label.textContent = `${Math.floor((100 * sent) / Math.max(1, r.file.size))}%`;
        }, (abort) => r.abort = abort);
        r.bar.value = r.bar.max;
        r.label.textContent = "done";
        r.row.dataset.state = "done";
        r.cancel.remove();
      } catch (e) {
        r.cancel.remove();
        if (e instanceof Cancelled) {
          r.row.dataset.state = "cancelled";
          continue;
        }
        r.row.dataset.state = "error";
        // The reason in text, not only in a tooltip (tus-js-client puts the server's answer last).
        const reason = e instanceof Error ? e.message : String(e);
        r.label.textContent = `failed: ${
          reason.split("response text: ").pop()?.split(", request id")[0] ?? reason
        }`;
        r.row.title = reason;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
  box.dataset.done = "true";
  refreshListing();
  void showUnfinished();
}

export function installUploads(): void {
  for (const [event, offline] of [["offline", true], ["online", false]] as const) {
    globalThis.addEventListener(event, () => {
      const box = $("[data-fm-uploads]");
      if (box) markOffline(box, offline);
    });
  }
  document.addEventListener("change", (e) => {
    if (!(e.target instanceof HTMLInputElement) || !e.target.matches("[data-fm-input]")) return;
    const { entries, emptyDirs } = entriesOfInput(e.target);
    void uploadFiles(entries, emptyDirs);
    e.target.value = "";
  });
  let depth = 0;
  const hasFiles = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes("Files");
  document.addEventListener("dragenter", (e) => {
    const section = folderSection();
    if (!hasFiles(e) || !section) return;
    depth++;
    section.classList.add("fm-dragging");
  });
  document.addEventListener("dragleave", () => {
    if (--depth > 0) return;
    depth = 0;
    folderSection()?.classList.remove("fm-dragging");
  });
  document.addEventListener("dragover", (e) => {
    if (hasFiles(e) && folderSection()) e.preventDefault();
  });
  document.addEventListener("drop", (e) => {
    const section = folderSection();
    if (!section || !e.dataTransfer?.items.length) return;
    e.preventDefault();
    depth = 0;
    section.classList.remove("fm-dragging");
    // Entries must be taken now: the DataTransfer is emptied once this handler returns.
    void entriesOfDrop(e.dataTransfer).then(({ entries, emptyDirs }) => uploadFiles(entries, emptyDirs));
  });
}
