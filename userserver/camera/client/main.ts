/**
 * Camera uploads in the browser (bundled as /_static/camera.js): hash each chosen file (SHA-256 with
 * Web Crypto — WebAssembly hashers would need the CSP to allow wasm), ask the server which contents
 * it has (`/camera/known`), and send the
 * rest over tus to the Camera folder, two at a time, with progress, pause and retry. tus-js-client
 * remembers each upload's address, so a file chosen again after the app was killed continues from
 * the server's offset. Where the browser has background sync (Android's Chrome), each queued file is
 * also kept in IndexedDB (pending.ts) and a sync registered when the page cannot finish — offline,
 * a failure, the page hidden — so the service worker sends the rest once the network is back, even
 * with the page closed. A Web Lock per file, held from queueing to done, keeps the worker off what
 * this page is sending.
 */
import { type PreviousUpload, Upload } from "tus-js-client";
import {
  all as pendingFiles,
  CHUNK_BYTES,
  forget,
  keep,
  knownHashes,
  lockName,
  setUploadUrl,
  SYNC_TAG,
  uploadMetadata,
} from "./pending.ts";

const PARALLEL = 2;
const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10_000, 20_000, 30_000];
/** Background sync: Android's Chrome has it; iOS and desktop browsers do not. */
const BACKGROUND = "SyncManager" in globalThis && "serviceWorker" in navigator && "locks" in navigator;

/** Asks the service worker to send what is kept once the network is back (no-op where there is no sync). */
async function registerSync(): Promise<void> {
  if (!BACKGROUND) return;
  const reg = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & {
    sync: { register(tag: string): Promise<void> };
  };
  await reg.sync.register(SYNC_TAG).catch(() => {});
}

/** Starts on this page, and on every page htmx swaps in (a module runs once per document). */
function init(): void {
  const section = document.querySelector<HTMLElement>("[data-camera-folder]:not([data-cam-ready])");
  if (!section) return;
  section.dataset.camReady = "true";
  start(section);
}
init();
document.addEventListener("htmx:after:swap", init);

interface Job {
  /** The tus fingerprint, also the pending record's key and the lock's name. */
  id: string;
  file: File;
  /** Releases this file's Web Lock (background sync only). */
  release?: () => void;
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
  const platform = section.querySelector<HTMLElement>("[data-cam-platform]")!;
  if (BACKGROUND) {
    platform.textContent =
      "Uploads continue in the background when the network comes back, even after this page is closed.";
    section.dataset.camBackground = "true";
  } else if (/Android/.test(navigator.userAgent)) {
    platform.textContent =
      "Uploads continue while this page is open; if the app is closed, choose the same photos again to continue.";
  }
  // Leaving with files unsent: the service worker takes over when it can.
  const handOver = () => {
    if (jobs.some((j) => !j.done)) void registerSync();
  };
  addEventListener("offline", handOver);
  addEventListener("pagehide", handOver);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") handOver();
  });
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
    // Offline: everything is queued; tus waits and retries (and the worker, where it can).
    const known = await knownHashes(hashes).catch(() => new Set<string>());
    for (const { job, hash } of fresh) {
      if (hash && known.has(hash)) {
        skipped(job, "already on your server");
        if (BACKGROUND) void forget(job.id);
      } else {
        job.state.textContent = "waiting";
        jobs.push(job);
        if (BACKGROUND) await holdForBackground(job, hash);
      }
    }
    if (!navigator.onLine) handOver();
    tell();
    next();
  }

  function skipped(job: Job, why: string): void {
    job.done = true;
    job.bar.value = 1;
    job.state.textContent = why;
    job.row.dataset.state = "skipped";
    counts.skipped++;
  }

  /**
   * Keeps the file for the worker and takes its lock until this page is done with it. A lock the
   * worker holds (sending it in the background) is waited for; if the worker sent it meanwhile, it
   * is no longer kept, and this page does not send it again.
   */
  async function holdForBackground(job: Job, hash: string | undefined): Promise<void> {
    const keptBefore = (await pendingFiles()).some((p) => p.id === job.id);
    await new Promise<void>((held) => {
      void navigator.locks.request(lockName(job.id), async () => {
        held();
        await new Promise<void>((release) => job.release = release);
      });
    });
    if (keptBefore && !(await pendingFiles()).some((p) => p.id === job.id)) {
      skipped(job, "sent in the background");
      job.release?.();
      return;
    }
    const f = job.file;
    await keep({
      id: job.id,
      folder,
      name: f.name,
      type: f.type,
      lastModified: f.lastModified,
      hash,
      file: f,
    });
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
    const id = ["hearth-camera", folder, file.name, file.size, file.lastModified].join(":");
    return { id, file, row: li, bar, state, done: false };
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
        metadata: uploadMetadata({
          folder,
          name: job.file.name,
          type: job.file.type,
          lastModified: job.file.lastModified,
        }),
        fingerprint: () => Promise.resolve(job.id),
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        onProgress: (sent, total) => {
          job.bar.value = total ? sent / total : 0;
          job.state.textContent = `${Math.round((100 * sent) / Math.max(1, total))}%`;
        },
        onUploadUrlAvailable: () => {
          if (BACKGROUND && upload.url) void setUploadUrl(job.id, upload.url);
        },
        onSuccess: () => {
          if (BACKGROUND) void forget(job.id).finally(() => job.release?.());
          job.done = true;
          job.bar.value = 1;
          job.state.textContent = "sent";
          job.row.dataset.state = "sent";
          counts.sent++;
          resolve();
        },
        onError: (err) => {
          job.done = true;
          job.state.textContent = BACKGROUND
            ? `failed: ${err.message.split("\n")[0]} — it will be sent in the background`
            : `failed: ${err.message.split("\n")[0]} — choose it again to retry`;
          // The worker may take it now (the sync fires once the network is back).
          job.release?.();
          void registerSync();
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
