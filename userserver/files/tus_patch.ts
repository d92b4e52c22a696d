/**
 * The tus PATCH, received in one pass (issue #22: uploads ran at 5–8 CPU-s/GB in the user server).
 * @tus/server turns the request body into a Node stream and pipes it through four more streams
 * into `fs.createWriteStream`, and the finished file was then read again to hash it. Here the
 * body is read straight from the request, gathered into 1 MiB writes (larger ones measured slower: the copy into the page cache leaves the CPU cache) at the upload's offset, and
 * hashed as it is written, so storing a finished upload neither reads nor hashes it again.
 *
 * Everything else of tus (POST, HEAD, DELETE, OPTIONS) stays with @tus/server, which shares this
 * PATCH's lock (one locker: a resumed PATCH asks the one still running to stop, as tus does) and
 * its file store (the offset is the file's size). The protocol's answers are tus's own: 404/410
 * for an unknown or expired upload, 409 for a wrong `Upload-Offset`, 413 for bytes past the
 * declared length, 204 with the new offset. A body cut short keeps what arrived, like tus.
 */
import { open } from "node:fs/promises";
import { join } from "node:path";
import type { FileStore } from "@tus/file-store";
import { ERRORS, type MemoryLocker, type Upload } from "@tus/server";

const BATCH = 1024 * 1024;
/** Hash states kept for unfinished uploads; past this the oldest is dropped (its finish re-reads). */
const MAX_HASHES = 256;

/** SHA-256 of each upload's bytes so far, while they are contiguous from byte 0. */
export class UploadHashes {
  readonly #states = new Map<string, { hasher: Bun.CryptoHasher; offset: number }>();

  /** The hasher to continue at `offset`, or undefined when this process did not see every byte before it. */
  at(id: string, offset: number): { hasher: Bun.CryptoHasher; offset: number } | undefined {
    let state = this.#states.get(id);
    if (state && state.offset !== offset) {
      this.#states.delete(id);
      state = undefined;
    }
    if (!state && offset === 0) {
      state = { hasher: new Bun.CryptoHasher("sha256"), offset: 0 };
      this.#states.set(id, state);
      if (this.#states.size > MAX_HASHES) this.#states.delete(this.#states.keys().next().value!);
    }
    return state;
  }

  /** The hash of a complete upload of `size` bytes, if every byte went through `at`. */
  final(id: string, size: number): { hash: string; size: number } | undefined {
    const state = this.#states.get(id);
    this.#states.delete(id);
    return state && state.offset === size ? { hash: state.hasher.digest("hex"), size } : undefined;
  }

  forget(id: string): void {
    this.#states.delete(id);
  }
}

export interface PatchDeps {
  datastore: FileStore;
  /** The file store's directory: an upload's bytes are in `<dir>/<id>` (ids are [A-Za-z0-9_-]). */
  dir: string;
  locker: MemoryLocker;
  hashes: UploadHashes;
  /** Unfinished uploads end this long after they began (0: never). */
  expiryMs: number;
  /** Stores a complete upload; answers the headers naming its item. */
  finish(upload: Upload): Promise<Record<string, string>>;
  /** A failed write (`during` "write") or finish as tus's status and sentence. */
  failure(e: unknown, during: "write" | "finish"): { status_code: number; body: string };
}

const TUS = { "tus-resumable": "1.0.0" };

function answer(e: { status_code: number; body: string }): Response {
  return new Response(e.body, { status: e.status_code, headers: TUS });
}

export async function receivePatch(req: Request, id: string, d: PatchDeps): Promise<Response> {
  const offsetHeader = req.headers.get("upload-offset");
  if (offsetHeader === null) return answer(ERRORS.MISSING_OFFSET);
  if (req.headers.get("content-type") !== "application/offset+octet-stream") {
    return answer(ERRORS.INVALID_CONTENT_TYPE);
  }
  // A PATCH still receiving this upload (a connection the client gave up on) is asked to stop.
  const stop = new AbortController();
  const lock = d.locker.newLock(id);
  try {
    await lock.lock(req.signal, () => stop.abort());
  } catch (e) {
    await req.body?.cancel().catch(() => {});
    return answer(isTusError(e) ? e : ERRORS.ERR_LOCK_TIMEOUT);
  }
  let upload: Upload;
  let written: number;
  try {
    try {
      upload = await d.datastore.getUpload(id);
    } catch (e) {
      await req.body?.cancel().catch(() => {});
      return answer(isTusError(e) ? e : ERRORS.FILE_NOT_FOUND);
    }
    const created = upload.creation_date ? Date.parse(upload.creation_date) : Date.now();
    if (d.expiryMs > 0 && Date.now() > created + d.expiryMs) return answer(ERRORS.FILE_NO_LONGER_EXISTS);
    if (Number(offsetHeader) !== upload.offset || !/^\d+$/.test(offsetHeader)) {
      await req.body?.cancel().catch(() => {});
      return answer(ERRORS.INVALID_OFFSET);
    }
    if (upload.size === undefined) return answer(ERRORS.INVALID_LENGTH); // we never defer the length
    try {
      written = await writeBody(req, upload, d, stop.signal);
    } catch (e) {
      return answer(isTusError(e) ? e : d.failure(e, "write"));
    }
  } finally {
    await lock.unlock();
  }
  const offset = upload.offset + written;
  const headers: Record<string, string> = { ...TUS, "upload-offset": String(offset) };
  if (offset === upload.size) {
    try {
      upload.offset = offset;
      Object.assign(headers, await d.finish(upload));
    } catch (e) {
      return answer(d.failure(e, "finish"));
    }
  } else if (d.expiryMs > 0 && upload.creation_date) {
    headers["upload-expires"] = new Date(Date.parse(upload.creation_date) + d.expiryMs).toUTCString();
  }
  return new Response(null, { status: 204, headers });
}

/**
 * Appends the body at the upload's offset in large writes, hashing what is written; answers how
 * many bytes were written. A body that ends early (the client went away, or a newer PATCH asked
 * this one to stop) keeps what arrived.
 */
async function writeBody(req: Request, upload: Upload, d: PatchDeps, stop: AbortSignal): Promise<number> {
  const room = upload.size! - upload.offset;
  const state = d.hashes.at(upload.id, upload.offset);
  const file = await open(join(d.dir, upload.id), "r+");
  const batch = new Uint8Array(BATCH);
  let fill = 0;
  let written = 0;
  const flush = async () => {
    let at = 0;
    try {
      while (at < fill) {
        at += (await file.write(batch, at, fill - at, upload.offset + written + at)).bytesWritten;
      }
    } catch (e) {
      d.hashes.forget(upload.id); // some bytes may be on disk unhashed: the finish re-reads
      throw e;
    }
    if (state) {
      state.hasher.update(batch.subarray(0, fill));
      state.offset += fill;
    }
    written += fill;
    fill = 0;
  };
  const reader = req.body?.getReader();
  const onStop = () => void reader?.cancel().catch(() => {});
  stop.addEventListener("abort", onStop);
  if (stop.aborted) onStop(); // asked to stop before it began
  try {
    for (;;) {
      let chunk: Uint8Array | undefined;
      try {
        const r = await reader?.read();
        chunk = r && !r.done ? r.value : undefined;
      } catch {
        chunk = undefined; // the client went away: keep what arrived
      }
      if (!chunk) break;
      if (written + fill + chunk.length > room) {
        // Bytes past the declared length: tus refuses the request, keeping nothing of this chunk.
        await reader?.cancel().catch(() => {});
        await flush();
        throw ERRORS.ERR_MAX_SIZE_EXCEEDED;
      }
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(chunk.length - at, BATCH - fill);
        batch.set(chunk.subarray(at, at + n), fill);
        fill += n;
        at += n;
        if (fill === BATCH) await flush();
      }
    }
    await flush();
    return written;
  } finally {
    stop.removeEventListener("abort", onStop);
    await file.close();
  }
}

function isTusError(e: unknown): e is { status_code: number; body: string } {
  return typeof e === "object" && e !== null && "status_code" in e && "body" in e;
}
