/**
 * Camera uploads not yet finished, kept in IndexedDB with their bytes, where the browser can run a
 * background sync (Android's Chrome): the page writes each queued file here and forgets it once it
 * is sent or found on the server; the service worker's `sync` event (pwa/client/sw.ts) sends what
 * is still here when the network is back, even with the page closed. Used by the page and the worker.
 */

export const SYNC_TAG = "hearth-camera-uploads";
const DB = "hearth-camera";
const STORE = "pending";

export interface Pending {
  /** The tus fingerprint the page uses (folder, name, size, time): one record per file. */
  id: string;
  folder: string;
  name: string;
  type: string;
  lastModified: number;
  /** SHA-256 of the bytes, when the page could hash them: the worker asks the server first. */
  hash?: string;
  file: Blob;
  /** The tus upload's address, once made: the worker continues it from the server's offset. */
  uploadUrl?: string;
}

/** A Web Lock per file, held by whoever is sending it, so the page and the worker never both do. */
export const lockName = (id: string) => `hearth-camera:${id}`;

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export const keep = (p: Pending) => run("readwrite", (s) => s.put(p)).then(() => {});
export const forget = (id: string) => run("readwrite", (s) => s.delete(id)).then(() => {});
export const all = () => run<Pending[]>("readonly", (s) => s.getAll());

export async function setUploadUrl(id: string, uploadUrl: string): Promise<void> {
  const p = await run<Pending | undefined>("readonly", (s) => s.get(id));
  if (p) await keep({ ...p, uploadUrl });
}

/** tus chunks (the page's and the worker's): a lost connection costs at most one. */
export const CHUNK_BYTES = 8 * 1024 * 1024;

/** The tus metadata of a camera upload (the server's /upload/tus reads these): page and worker alike. */
export function uploadMetadata(
  p: { folder: string; name: string; type: string; lastModified: number },
): Record<string, string> {
  return {
    filename: p.name,
    filetype: p.type,
    parent: p.folder,
    onClash: "keep",
    mtime: String(p.lastModified || Date.now()),
  };
}

/** Which of these contents the server has already (anywhere but the trash). */
export async function knownHashes(hashes: string[]): Promise<Set<string>> {
  const res = await fetch("/camera/known", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ hashes }),
  });
  if (!res.ok) throw new Error(`/camera/known answered ${res.status}`);
  return new Set(((await res.json()) as { known: string[] }).known);
}
