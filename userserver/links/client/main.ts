/**
 * Client code of share links (bundled to `/_static/links.js`): the owner's Copy buttons, and a
 * file drop's uploads — resumable tus uploads into the link's folder, each request carrying the
 * link's token in the `Hearth-Link` header (the server's door recognises the visitor by it).
 */
import { Upload } from "tus-js-client";

const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10_000, 15_000, 15_000, 15_000];

function setUpCopyButtons(): void {
  document.addEventListener("click", (e) => {
    const button = (e.target as Element | null)?.closest<HTMLButtonElement>("button[data-copy]");
    if (!button) return;
    const text = button.dataset.copy ?? "";
    void navigator.clipboard?.writeText(text).then(
      () => flash(button, "Copied"),
      () => flash(button, "Select and copy"),
    );
  });
}

function flash(button: HTMLButtonElement, text: string): void {
  const was = button.textContent;
  button.textContent = text;
  setTimeout(() => (button.textContent = was), 1500);
}

function setUpDrop(): void {
  const section = document.querySelector<HTMLElement>("[data-drop-token]");
  if (!section) return;
  const token = section.dataset.dropToken ?? "";
  const folder = section.dataset.dropFolder ?? "";
  const zone = section.querySelector<HTMLElement>("[data-drop-zone]")!;
  const input = section.querySelector<HTMLInputElement>("[data-drop-input]")!;
  const list = section.querySelector<HTMLElement>("[data-drop-list]")!;
  const send = (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) sendOne(file);
  };
  const sendOne = (file: File) => {
    const row = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    const status = document.createElement("span");
    status.textContent = "Sending…";
    row.append(name, bar, status);
    list.append(row);
    const upload = new Upload(file, {
      endpoint: new URL("/upload/tus", location.href).href,
      headers: { "Hearth-Link": token },
      metadata: { filename: file.name, parent: folder, mtime: String(file.lastModified || Date.now()) },
      retryDelays: RETRY_DELAYS_MS,
      chunkSize: 32 * 1024 * 1024,
      // A visitor's upload is resumed within this page only (no fingerprint kept in the browser).
      storeFingerprintForResuming: false,
      onProgress: (sent, total) => {
        bar.value = total ? Math.round((sent / total) * 100) : 100;
        status.textContent = navigator.onLine ? `${bar.value}%` : "Offline — retrying";
      },
      onSuccess: () => {
        bar.value = 100;
        status.textContent = "Sent";
        row.dataset.done = "1";
      },
      onError: (err) => {
        status.textContent = `Failed: ${err.message.split("\n")[0]}`;
        row.dataset.failed = "1";
      },
    });
    upload.start();
  };
  input.addEventListener("change", () => send(input.files));
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    send(e.dataTransfer?.files ?? null);
  });
}

setUpCopyButtons();
setUpDrop();
