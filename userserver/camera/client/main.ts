/**
 * Camera uploads in the browser (bundled as /_static/camera.js): hash each chosen file (SHA-256 with
 * Web Crypto — WebAssembly hashers would need the CSP to allow wasm), ask the server which contents
 * it has (`/camera/known`), and send the
 * rest over tus to the Camera folder, two at a time, with progress, pause and retry. tus-js-client
 * remembers each upload's address, so a file chosen again after the app was killed continues from
 * the server's offset.
 */
import { type PreviousUpload, Upload } from "tus-js-client";

const PARALLEL = 2;
const CHUNK_BYTES = 8 * 1024 * 1024;
const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10_000, 20_000, 30_000];

const section = document.querySelector<HTMLElement>("[data-camera-folder]");
if (section) start(section);

interface Job {
  file: File;
  row: HTMLLIElement;
  bar: HTMLProgressElement;
  state: HTMLElement;
  upload?: Upload;
  done: boolean;
}

function start(section: HTMLElement): void {
  const folder = section.dataset.cameraFolder!;
  const queue = section.querySelector<HTMLOListElement>("[data-cam-queue]")!;
  const summary = section.querySelector<HTMLElement>("[data-cam-summary]")!;
  const pause = section.querySelector<HTMLButtonElement>("[data-cam-pause]")!;
  if (/Android/.test(navigator.userAgent)) {
    section.querySelector<HTMLElement>("[data-cam-platform]")!.textContent =
      "Uploads continue while this page is open; if the app is closed, choose the same photos again to continue.";
  }
  const jobs: Job[] = [];
  let paused = false;
  let running = 0;
  const counts = { sent: 0, skipped: 0, failed: 0 };
  const tell = () => {
    const left = jobs.filter((j) => !j.done).length;
    summary.textContent = `${counts.sent} sent, ${counts.skipped} already on your server` +
      (counts.failed ? `, ${counts.failed} failed` : "") + (left ? `, ${left} to go` : "");
    pause.hidden = left === 0;
    section.dataset.camLeft = String(left);
  };

  pause.addEventListener("click", () => {
    paused = !paused;
    pause.textContent = paused ? "Resume" : "Pause";
    for (const j of jobs) if (!j.done && j.upload) paused ? void j.upload.abort() : j.upload.start();
    if (!paused) next();
  });

  for (const input of section.querySelectorAll<HTMLInputElement>("[data-cam-input]")) {
    input.addEventListener("change", () => {
      const files = [...(input.files ?? [])];
      input.value = "";
      void add(files);
    });
  }

  async function add(files: File[]): Promise<void> {
    const fresh: Array<{ job: Job; hash: string | undefined }> = [];
    for (const file of files) {
      const job = row(file);
      job.state.textContent = "checking…";
      fresh.push({ job, hash: await sha256(file).catch(() => undefined) });
    }
    const hashes = fresh.flatMap((f) => f.hash ? [f.hash] : []);
    let known = new Set<string>();
    try {
      const res = await fetch("/camera/known", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ hashes }),
      });
      if (res.ok) known = new Set(((await res.json()) as { known: string[] }).known);
    } catch {
      // Offline: everything is queued; tus waits and retries.
    }
    for (const { job, hash } of fresh) {
      if (hash && known.has(hash)) {
        job.done = true;
        job.bar.value = 1;
        job.state.textContent = "already on your server";
        job.row.dataset.state = "skipped";
        counts.skipped++;
      } else {
        job.state.textContent = "waiting";
        jobs.push(job);
      }
    }
    tell();
    next();
  }

  function row(file: File): Job {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.className = "cam-name";
    name.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = 0;
    bar.setAttribute("aria-label", `Upload of ${file.name}`);
    const state = document.createElement("span");
    state.className = "muted small";
    li.append(name, bar, state);
    queue.append(li);
    return { file, row: li, bar, state, done: false };
  }

  function next(): void {
    if (paused) return;
    while (running < PARALLEL) {
      const job = jobs.find((j) => !j.done && !j.upload);
      if (!job) break;
      running++;
      send(job).finally(() => {
        running--;
        tell();
        next();
      });
    }
  }

  function send(job: Job): Promise<void> {
    return new Promise((resolve) => {
      const upload = new Upload(job.file, {
        endpoint: new URL("/upload/tus", location.href).href,
        chunkSize: CHUNK_BYTES,
        retryDelays: RETRY_DELAYS_MS,
        metadata: {
          filename: job.file.name,
          filetype: job.file.type,
          parent: folder,
          onClash: "keep",
          mtime: String(job.file.lastModified || Date.now()),
        },
        fingerprint: (f: File) =>
          Promise.resolve(["hearth-camera", folder, f.name, f.size, f.lastModified].join(":")),
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        onProgress: (sent, total) => {
          job.bar.value = total ? sent / total : 0;
          job.state.textContent = `${Math.round((100 * sent) / Math.max(1, total))}%`;
        },
        onSuccess: () => {
          job.done = true;
          job.bar.value = 1;
          job.state.textContent = "sent";
          job.row.dataset.state = "sent";
          counts.sent++;
          resolve();
        },
        onError: (err) => {
          job.done = true;
          job.state.textContent = `failed: ${err.message.split("\n")[0]} — choose it again to retry`;
          job.row.dataset.state = "failed";
          counts.failed++;
          resolve();
        },
      });
      job.upload = upload;
      job.state.textContent = "sending";
      upload.findPreviousUploads().then((previous: PreviousUpload[]) => {
        if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
        upload.start();
      }, () => upload.start());
    });
  }
}

/** Above this a file is sent without the check (Web Crypto hashes whole buffers: memory). */
const HASH_LIMIT = 1024 * 1024 * 1024;

async function sha256(file: File): Promise<string | undefined> {
  if (file.size > HASH_LIMIT) return undefined;
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
