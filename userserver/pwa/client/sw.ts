/**
 * The service worker (served as `/sw.js`, scope `/`): an offline shell. Pages (navigations) and
 * files opened go to the network first; what came back is kept, so with no network the same
 * address answers from what was kept — the last-seen folder listings and recently opened files —
 * and anything else gets the offline page. Static files are served from the cache and refreshed.
 * Never kept: uploads, live streams, sign-in, pairing and API calls. Signing out forgets it all.
 * Where the browser has background sync (Android's Chrome), its `sync` event sends the Camera
 * uploads a closed page left unfinished (camera/client/resume.ts).
 */
import { resumePending } from "../../camera/client/resume.ts";
import { SYNC_TAG } from "../../camera/client/pending.ts";

// The few service-worker types used here (the project's TypeScript lib is the DOM's, not the worker's).
interface SwExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface SwFetchEvent extends SwExtendableEvent {
  request: Request;
  respondWith(r: Promise<Response> | Response): void;
}
interface SwSyncEvent extends SwExtendableEvent {
  tag: string;
  lastChance: boolean;
}
interface WorkerScope {
  addEventListener(type: "install" | "activate", fn: (e: SwExtendableEvent) => void): void;
  addEventListener(type: "fetch", fn: (e: SwFetchEvent) => void): void;
  addEventListener(type: "sync", fn: (e: SwSyncEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
}
const worker = globalThis as unknown as WorkerScope;

const STATIC = "hearth-static-v1";
const PAGES = "hearth-pages-v1";
const KEEP_PAGES = 200;
const SHELL = [
  "/offline",
  "/_static/htmx.min.js",
  "/_static/hx-sse.min.js",
  "/_static/files.css",
  "/_static/files.js",
];
const NEVER = /^\/(upload|events|api|auth|pair|local|dav|_bytes|sw\.js)(\/|$)/;

worker.addEventListener("install", (e) => {
  e.waitUntil(caches.open(STATIC).then((c) => c.addAll(SHELL)).then(() => worker.skipWaiting()));
});

worker.addEventListener("activate", (e) => {
  e.waitUntil(
    caches.keys().then((keys) =>
      Promise.all(keys.filter((k) => k !== STATIC && k !== PAGES).map((k) => caches.delete(k)))
    )
      .then(() => worker.clients.claim()),
  );
});

worker.addEventListener("fetch", (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== worker.location.origin) return;
  if (url.pathname === "/auth/logged-out") {
    // Signed out: nothing of this account stays on the device.
    e.waitUntil(caches.delete(PAGES));
    return;
  }
  if (NEVER.test(url.pathname)) return;
  if (url.pathname.startsWith("/_static/") || url.pathname.startsWith("/_pwa/")) {
    e.respondWith(staleWhileRevalidate(req));
    return;
  }
  e.respondWith(networkFirst(req));
});

worker.addEventListener("sync", (e) => {
  if (e.tag === SYNC_TAG) e.waitUntil(resumePending(worker.location.origin));
});

async function staleWhileRevalidate(req: Request): Promise<Response> {
  const cache = await caches.open(STATIC);
  const kept = await cache.match(req);
  const fresh = fetch(req).then((res) => {
    if (res.ok) void cache.put(req, res.clone());
    return res;
  });
  if (kept) {
    fresh.catch(() => {});
    return kept;
  }
  return await fresh;
}

async function networkFirst(req: Request): Promise<Response> {
  const cache = await caches.open(PAGES);
  try {
    const res = await fetch(req);
    // Kept: whole pages and whole files (not ranges, not errors, not redirects to sign in).
    if (res.status === 200 && !req.headers.has("range")) {
      void cache.put(req, res.clone()).then(() => trim(cache));
    }
    return res;
  } catch {
    const kept = await cache.match(req, { ignoreVary: true });
    if (kept) return kept;
    if (req.mode === "navigate") return (await caches.match("/offline")) ?? Response.error();
    return Response.error();
  }
}

/** The oldest kept pages go first past KEEP_PAGES. */
async function trim(cache: Cache): Promise<void> {
  const keys = await cache.keys();
  for (const k of keys.slice(0, Math.max(0, keys.length - KEEP_PAGES))) await cache.delete(k);
}
