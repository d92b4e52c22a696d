/**
 * Drag-and-drop and multi-file uploads over tus (`tus-js-client`), three files at a time, with a
 * progress row per file. An upload resumes after a dropped connection (the library's retries ask the
 * server for its offset) and after a reload (the upload URL is kept in localStorage under a
 * fingerprint that includes the target folder, and removed once the upload is done).
 */
import { type PreviousUpload, Upload } from "tus-js-client";
import { $, folderSection, refreshListing } from "./dom.ts";
import { showUnfinished } from "./unfinished.ts";

const CHUNK_BYTES = 32 * 1024 * 1024;
const PARALLEL = 3;
const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10_000, 15_000, 15_000, 15_000, 15_000, 15_000];
/** The tus endpoint (userserver/files/uploads.ts `UPLOAD_PATH`). */
const ENDPOINT = "/upload/tus";

interface Row {
  file: File;
  row: HTMLElement;
  bar: HTMLProgressElement;
  label: HTMLElement;
}

function uploadOne(file: File, parent: string, progress: (sent: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const upload = new Upload(file, {
      endpoint: new URL(ENDPOINT, location.href).href,
      chunkSize: CHUNK_BYTES,
      retryDelays: RETRY_DELAYS_MS,
      metadata: {
        filename: file.name,
        filetype: file.type,
        parent,
        mtime: String(file.lastModified || Date.now()),
      },
      fingerprint: (f: File) =>
        Promise.resolve(["hearth-tus", parent, f.name, f.size, f.lastModified].join(":")),
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress: (sent) => progress(sent),
      onSuccess: () => resolve(),
      onError: (err) => reject(err),
    });
    upload.findPreviousUploads().then((previous: PreviousUpload[]) => {
      if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    }, reject);
  });
}

function progressRow(box: HTMLElement, file: File): Row {
  const row = document.createElement("div");
  row.className = "fm-up";
  row.dataset.state = "queued";
  const name = document.createElement("span");
  name.className = "n";
  name.textContent = file.name;
  name.title = file.name;
  const bar = document.createElement("progress");
  bar.max = Math.max(1, file.size);
  bar.value = 0;
  bar.setAttribute("aria-label", `Upload progress of ${file.name}`);
  const label = document.createElement("span");
  label.className = "p";
  label.textContent = "waiting";
  row.append(name, bar, label);
  box.append(row);
  return { file, row, bar, label };
}

export async function uploadFiles(files: File[]): Promise<void> {
  const section = folderSection();
  const box = section ? $("[data-fm-uploads]", section) : null;
  if (!section || !box || !files.length) return;
  box.hidden = false;
  const parent = section.dataset.folder ?? "";
  const queue = files.map((f) => progressRow(box, f));
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const r = queue[next++];
      r.row.dataset.state = "uploading";
      try {
        await uploadOne(r.file, parent, (sent) => {
          r.bar.value = sent;
          r.label.textContent = `${Math.floor((100 * sent) / Math.max(1, r.file.size))}%`;
        });
        r.bar.value = r.bar.max;
        r.label.textContent = "done";
        r.row.dataset.state = "done";
      } catch (e) {
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
  document.addEventListener("change", (e) => {
    if (!(e.target instanceof HTMLInputElement) || !e.target.matches("[data-fm-input]")) return;
    void uploadFiles([...(e.target.files ?? [])]);
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
    if (!section || !e.dataTransfer?.files.length) return;
    e.preventDefault();
    depth = 0;
    section.classList.remove("fm-dragging");
    void uploadFiles([...e.dataTransfer.files]);
  });
}
