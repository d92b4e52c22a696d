/**
 * Resumable uploads with the tus protocol (`@tus/server` through `handleWeb`, on Bun). Bytes go
 * to `<dataDir>/uploads/` as they arrive, so a dropped connection resumes from the last byte the
 * server has (HEAD tells the client the offset) instead of restarting. Only when the last byte is
 * in does the file enter the content-addressed store (moved, not copied: hashed once, fsynced
 * and linked into its hash-named path on the same filesystem) and get its item row, in one step:
 * a crash at any point leaves no partial blob and the folder as it was. Uploads left unfinished are
 * listed for their folder (`unfinished`) until the owner discards them (tus DELETE) or they expire
 * (`expiryDays` after they began, default 7; swept at start and hourly).
 *
 * The upload's file is removed only once its item row exists. If storing fails at the last byte
 * (a full disk, a database write error), the client hears why (507/503, retried by tus clients),
 * and the upload stays complete on disk: the client's next HEAD or PATCH stores it then, and is
 * answered as if that last PATCH had just succeeded.
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FileStore } from "@tus/file-store";
import { EVENTS, MemoryLocker, Server, type Upload } from "@tus/server";
import type { Logger } from "../../shared/log/mod.ts";
import {
  checkItemName,
  fits,
  freeSpace,
  hashFile,
  type Item,
  storageFailure,
  type Store,
} from "../store/mod.ts";
import { formatBytes } from "../web/format.ts";
import { receivePatch, UploadHashes } from "./tus_patch.ts";
import { folderParts, type OnClash, onClashOf } from "./upload_paths.ts";

export const UPLOAD_PATH = "/upload/tus";
export const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;
/** Unfinished uploads are removed this many days after they began, unless configured. */
export const DEFAULT_UPLOAD_EXPIRY_DAYS = 7;
const SWEEP_MS = 3600_000;

export class UploadMetadataError extends Error {
  override name = "UploadMetadataError";
}

/**
 * Parses a tus `Upload-Metadata` header: comma-separated `key base64value` pairs (value optional).
 * Keys are ASCII without spaces or commas and unique; values must be valid base64 of UTF-8.
 */
export function parseUploadMetadata(header: string | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header || header.trim() === "") return out;
  if (header.length > 16 * 1024) throw new UploadMetadataError("Upload-Metadata is longer than 16 KiB");
  for (const pair of header.split(",")) {
    const parts = pair.trim().split(" ");
    if (parts.length > 2 || parts[0] === "") {
      throw new UploadMetadataError(`Upload-Metadata pair "${pair.slice(0, 60)}" is not "key base64value"`);
    }
    const [key, value = ""] = parts;
    if (!/^[\x21-\x2b\x2d-\x7e]+$/.test(key)) {
      throw new UploadMetadataError(`Upload-Metadata key "${key.slice(0, 60)}" is not valid`);
    }
    if (Object.hasOwn(out, key)) throw new UploadMetadataError(`Upload-Metadata key "${key}" appears twice`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
      throw new UploadMetadataError(`Upload-Metadata value for "${key}" is not base64`);
    }
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(
        Uint8Array.from(atob(value), (c) => c.charCodeAt(0)),
      );
    } catch {
      throw new UploadMetadataError(`Upload-Metadata value for "${key}" is not base64 of UTF-8 text`);
    }
    out[key] = text;
  }
  return out;
}

export interface FinishedUpload {
  item: Item;
  deduped: boolean;
}

/** An upload begun and not finished: the client can resume it by sending the same file again. */
export interface UnfinishedUpload {
  id: string;
  name: string;
  parent: string;
  size: number;
  /** Bytes the server already has. */
  offset: number;
  /** When it began (ms since the epoch). */
  created: number;
  /** When it is removed unless finished (ms since the epoch). */
  expires: number;
}

export interface UploadsOptions {
  dataDir: string;
  /** Days after it began that an unfinished upload is removed (default 7). */
  expiryDays?: number;
  store: Store;
  log: Logger;
  /** Picks the item name (the client's, made unique in the folder) and stores the file. */
  finish(
    upload: {
      parentId: string;
      name: string;
      type: string;
      path: string;
      mtime: number;
      /** The file's hash and size, taken as its bytes arrived (tus_patch.ts); else the store hashes it. */
      known?: { hash: string; size: number };
      /** Folder uploads: the folders under `parentId` the file goes into (checked names). */
      folders: string[];
      /** A file of the same name there: replace it (old one to the trash) or keep both. */
      onClash: OnClash;
    },
  ): Promise<FinishedUpload>;
}

export class Uploads {
  readonly dir: string;
  readonly tus: Server;
  readonly #datastore: FileStore;
  readonly #finished = new Map<string, FinishedUpload>();
  /** Finishes under way, by upload id: a retry arriving meanwhile waits for the same one. */
  readonly #finishing = new Map<string, Promise<FinishedUpload>>();
  readonly #expiryMs: number;
  /** One lock per upload, shared by our PATCH and tus's other methods. */
  readonly #locker = new MemoryLocker();
  readonly #hashes = new UploadHashes();
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly opts: UploadsOptions) {
    this.dir = join(opts.dataDir, "uploads");
    this.#expiryMs = (opts.expiryDays ?? DEFAULT_UPLOAD_EXPIRY_DAYS) * 24 * 3600_000;
    this.#datastore = new FileStore({ directory: this.dir, expirationPeriodInMilliseconds: this.#expiryMs });
    this.tus = new Server({
      path: UPLOAD_PATH,
      datastore: this.#datastore,
      locker: this.#locker,
      maxSize: MAX_UPLOAD_BYTES,
      relativeLocation: true,
      respectForwardedHeaders: false,
      onUploadCreate: (_req, upload) => {
        const meta = upload.metadata ?? {};
        try {
          checkItemName(meta.filename ?? "");
          folderParts(meta.relativePath ?? "");
          onClashOf(meta.onClash);
        } catch (e) {
          throw { status_code: 400, body: e instanceof Error ? e.message : String(e) };
        }
        if (!meta.parent) {
          throw { status_code: 400, body: "Upload-Metadata needs the target folder (parent)" };
        }
        // Refused before a byte is written (the bytes land in the data directory's filesystem
        // and are linked into the store from there).
        // Uploads already under way will take their remaining bytes too.
        if (upload.size !== undefined && !fits(this.opts.dataDir, upload.size + this.#pendingBytes())) {
          const free = Math.max(0, freeSpace(this.opts.dataDir).free - this.#pendingBytes());
          throw {
            status_code: 507,
            body:
              `This upload needs ${formatBytes(upload.size)} and the server has ${
                formatBytes(free)
              } free — ` +
              `free space on the server and try again`,
          };
        }
        return Promise.resolve({});
      },
      onUploadFinish: async (_req, upload) => {
        let done: FinishedUpload;
        try {
          done = await this.#finish(upload);
        } catch (e) {
          throw this.#failure(e);
        }
        return { headers: itemHeaders(done) };
      },
      onResponseError: (_req, err) => "status_code" in err ? undefined : this.#writeFailure(err),
    });
  }

  async start(): Promise<void> {
    // An empty upload finishes inside its POST, and tus reads the upload back after the finish
    // hook: its files go once the answer is written (#store keeps them for that case).
    this.tus.on(EVENTS.POST_FINISH, (_req, _res, upload) => {
      if (upload.size === 0) this.#removeFiles(upload.id);
    });
    await this.sweep();
    this.#sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.#sweeper.unref?.();
  }

  stop(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  /** Removes unfinished uploads older than the expiry; returns how many. */
  async sweep(): Promise<number> {
    const removed = await this.#datastore.deleteExpired().catch((e) => {
      this.opts.log.warn("cannot remove expired uploads", { error: String(e) });
      return 0;
    });
    if (removed) this.opts.log.info("removed expired unfinished uploads", { removed });
    return removed;
  }

  /** Unfinished uploads (all, or into one folder), oldest first. */
  async unfinished(parentId?: string): Promise<UnfinishedUpload[]> {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return []; // no upload yet
    }
    const out: UnfinishedUpload[] = [];
    for (const name of names) {
      if (!name.endsWith(".json")) continue;
      const id = name.slice(0, -".json".length);
      if (this.#finished.has(id) || this.#finishing.has(id)) continue;
      let upload: Upload;
      try {
        upload = await this.#datastore.getUpload(id);
      } catch {
        continue; // gone meanwhile, or not one of ours
      }
      const meta = upload.metadata ?? {};
      if (!meta.parent || !meta.filename || upload.size === undefined) continue;
      if (upload.offset >= upload.size) continue; // complete: the next HEAD stores it
      if (parentId !== undefined && meta.parent !== parentId) continue;
      const created = upload.creation_date ? Date.parse(upload.creation_date) : NaN;
      if (!Number.isFinite(created)) continue;
      out.push({
        id,
        name: meta.filename,
        parent: meta.parent,
        size: upload.size,
        offset: upload.offset,
        created,
        expires: created + this.#expiryMs,
      });
    }
    return out.sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
  }

  /** The upload's metadata (for the access check on PATCH/HEAD), or undefined if unknown. */
  async metadata(id: string): Promise<Record<string, string | null> | undefined> {
    try {
      return (await this.#datastore.getUpload(id)).metadata;
    } catch {
      return undefined;
    }
  }

  async handle(req: Request): Promise<Response> {
    const id = uploadIdOf(req);
    if (id && (req.method === "HEAD" || req.method === "PATCH")) {
      const retried = await this.#retryFinish(id, req.method);
      if (retried) {
        await req.body?.cancel();
        return retried;
      }
    }
    if (id && req.method === "PATCH") {
      return await receivePatch(req, id, {
        datastore: this.#datastore,
        dir: this.dir,
        locker: this.#locker,
        hashes: this.#hashes,
        expiryMs: this.#expiryMs,
        finish: async (upload) => itemHeaders(await this.#finish(upload)),
        failure: (e, during) => during === "write" ? this.#writeFailure(e) : this.#failure(e),
      });
    }
    return await this.tus.handleWeb(req);
  }

  /** A full disk or an unwritable store mid-upload: say so (clients retry and resume). */
  #writeFailure(err: unknown): { status_code: number; body: string } {
    const f = storageFailure(err, { then: "the upload will resume" });
    this.opts.log.error("upload failed", {
      error: err instanceof Error ? err.message : String(err),
      code: f?.code,
    });
    if (f) return { status_code: f.status, body: f.message };
    return { status_code: 500, body: "The upload could not be stored. It has been logged." };
  }

  /**
   * An upload whose bytes are all in but whose item was not stored (the last request failed), or
   * that finished in this process: stores it now and answers as a successful last PATCH (or
   * HEAD) would. Undefined for any other upload (tus answers it).
   */
  async #retryFinish(id: string, method: string): Promise<Response | undefined> {
    let done = this.#finished.get(id);
    if (!done) {
      let upload: Upload;
      try {
        upload = await this.#datastore.getUpload(id);
      } catch {
        return undefined;
      }
      if (upload.size === undefined || upload.offset !== upload.size) return undefined;
      try {
        done = await this.#finish(upload);
      } catch (e) {
        const f = this.#failure(e);
        return new Response(f.body, { status: f.status_code, headers: { "tus-resumable": "1.0.0" } });
      }
    }
    return new Response(null, {
      status: method === "HEAD" ? 200 : 204,
      headers: {
        "tus-resumable": "1.0.0",
        "upload-offset": String(done.item.size),
        "upload-length": String(done.item.size),
        "cache-control": "no-store",
        ...itemHeaders(done),
      },
    });
  }

  /** Bytes that uploads under way still have to write (their announced length less what is on disk). */
  #pendingBytes(): number {
    let total = 0;
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return 0; // no upload yet
    }
    for (const name of names) {
      if (!name.endsWith(".json")) continue;
      try {
        const { size } = JSON.parse(readFileSync(join(this.dir, name), "utf8")) as { size?: number };
        const have = statSync(join(this.dir, name.slice(0, -".json".length))).size;
        if (typeof size === "number" && size > have) total += size - have;
      } catch {
        // Gone meanwhile, or not one of ours: nothing pending.
      }
    }
    return total;
  }

  /** The tus error for a failed finish: a storage fault with its status and sentence, else 500. */
  #failure(e: unknown): { status_code: number; body: string } {
    const f = storageFailure(e, { then: "the upload will resume" });
    this.opts.log.error("storing a finished upload failed", { error: String(e), code: f?.code });
    if (f) return { status_code: f.status, body: f.message };
    return {
      status_code: 500,
      body: "The upload is complete but could not be stored yet; retrying will store it",
    };
  }

  /** The stored item of an upload that finished in this process (tests and the client's last response). */
  finished(id: string): FinishedUpload | undefined {
    return this.#finished.get(id);
  }

  /** Stores a complete upload once, even when a retry arrives while the first attempt runs. */
  #finish(upload: Upload): Promise<FinishedUpload> {
    const running = this.#finishing.get(upload.id);
    if (running) return running;
    const run = this.#store(upload).finally(() => this.#finishing.delete(upload.id));
    this.#finishing.set(upload.id, run);
    return run;
  }

  async #store(upload: Upload): Promise<FinishedUpload> {
    const meta = upload.metadata ?? {};
    const path = join(this.dir, upload.id);
    const mtime = Number(meta.mtime);
    // The store takes the file it is given; tus still reads an empty upload's own file after the
    // finish (see start()), so an empty upload hands over a fresh empty file instead.
    const source = upload.size === 0 ? `${path}.empty` : path;
    if (source !== path) writeFileSync(source, new Uint8Array(0), { mode: 0o600 });
    const done = await this.#storedBeforeCrash(meta.parent!, path) ?? await this.opts.finish({
      parentId: meta.parent!,
      name: meta.filename!,
      type: meta.filetype ?? "",
      path: source,
      mtime: Number.isSafeInteger(mtime) && mtime > 0 ? mtime : Date.now(),
      known: upload.size === undefined ? undefined : this.#hashes.final(upload.id, upload.size),
      folders: folderParts(meta.relativePath ?? ""),
      onClash: onClashOf(meta.onClash),
    });
    this.#finished.set(upload.id, done);
    if (this.#finished.size > 1000) this.#finished.delete(this.#finished.keys().next().value!);
    // The item row exists: the upload's file (already gone, or a second link to the blob) and
    // its metadata go — but an empty one's only after tus has answered its POST (see start()).
    if (upload.size !== 0) this.#removeFiles(upload.id);
    return done;
  }

  #removeFiles(id: string): void {
    this.#hashes.forget(id);
    const path = join(this.dir, id);
    rmSync(path, { force: true });
    rmSync(`${path}.json`, { force: true });
  }

  /**
   * The item a previous process stored for this upload before it died between committing the
   * row and removing the upload's file. The file is then still a second link to its blob (a
   * blob with no row is collected at start-up, and a failed row removes its fresh blob at once),
   * so a retry must not store it again under a second name.
   */
  async #storedBeforeCrash(parentId: string, path: string): Promise<FinishedUpload | undefined> {
    if (statSync(path).nlink < 2) return undefined;
    const { hash } = await hashFile(path);
    const item = (await this.opts.store.items.children(parentId)).find((i) => i.blobHash === hash);
    return item ? { item, deduped: true } : undefined;
  }
}

function itemHeaders(done: FinishedUpload): Record<string, string> {
  return { "Hearth-Item-Id": done.item.id, "Hearth-Item-Name": encodeURIComponent(done.item.name) };
}

/** The upload id of a request to `UPLOAD_PATH/<id>`, or undefined. */
function uploadIdOf(req: Request): string | undefined {
  const path = new URL(req.url).pathname;
  const id = path.startsWith(`${UPLOAD_PATH}/`) ? path.slice(UPLOAD_PATH.length + 1) : "";
  return /^[A-Za-z0-9_-]{1,128}$/.test(id) ? id : undefined;
}
