/**
 * The store module: content-addressed blobs plus the item tree that points at them, with
 * reference counting and garbage collection.
 */
import { mediaTypeOf } from "./media_types.ts";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../../shared/log/mod.ts";
import type { UserDb } from "../database/mod.ts";
import type { Signals } from "../signals/mod.ts";
import { type AdoptStep, BlobStore, type PutOptions, type PutResult } from "./blobs.ts";
import { type AddFileResult, type Item, ItemTree } from "./items.ts";
import { PathPolicy } from "./path_policy.ts";

export { type AdoptStep, BlobError, BlobStore, hashFile, type PutResult } from "./blobs.ts";
export { fits, type FreeSpace, freeSpace, SPACE_RESERVE_BYTES } from "./free_space.ts";
export { type StorageFailure, storageFailure, storageFailureResponse } from "./storage_errors.ts";
export { checkImportRoots, DATA_DIR_MARKERS, isDataDir, PathPolicy } from "./path_policy.ts";
export { type Item, ItemConflictError, ItemNotFoundError, ItemTree, ROOT_ID } from "./items.ts";
export {
  checkItemName,
  ImportPathError,
  isInside,
  ItemNameError,
  resolveImportDir,
  splitItemPath,
} from "./names.ts";

export interface ImportFileOptions {
  mtime: number;
  /** "import" for files an import job stores (they are indexed after what a person adds). */
  origin?: "import";
  type?: string;
  signal?: AbortSignal;
}

export interface AdoptFileOptions extends ImportFileOptions {
  /** Called after each step of the move (crash tests). */
  onStep?: (step: AdoptStep) => void;
  /** The hash and size the writer computed while writing `source` (see `BlobStore.adoptFile`). */
  known?: { hash: string; size: number };
}

export class Store {
  readonly blobs: BlobStore;
  readonly items: ItemTree;
  /** What may never be read into the store (data directories), whatever the import roots say. */
  readonly paths: PathPolicy;
  /** Hashes between "blob visible" and "item row committed": garbage collection skips them. */
  #held = new Map<string, number>();

  constructor(
    dataDir: string,
    db: UserDb,
    private readonly signals: Signals,
    private readonly log: Logger,
    now: () => number = Date.now,
    /** More directories never to read (the CA's); this server's own data directory is always one. */
    protectedDirs: readonly string[] = [],
  ) {
    this.paths = new PathPolicy([dataDir, ...protectedDirs]);
    this.blobs = new BlobStore(join(dataDir, "blobs"));
    this.items = new ItemTree(db, now);
  }

  /** Start-up: drop partial writes a crash left, make sure the root exists, collect garbage. */
  async start(): Promise<void> {
    const partial = this.blobs.cleanTmp();
    if (partial) this.log.warn("removed partial blobs left by an interrupted write", { count: partial });
    await this.items.ensureRoot();
    await this.gc();
  }

  /** Stores `source`'s content and puts it at `parentId/name`. */
  async importFile(parentId: string, name: string, source: string, opts: ImportFileOptions): Promise<
    AddFileResult & { deduped: boolean }
  > {
    return await this.#add(parentId, name, opts, (o) => this.blobs.putFile(source, o), opts.origin);
  }

  /**
   * Stores a request body (a WebDAV PUT) at `parentId/name`, replacing a file of that name. The
   * bytes go to a temporary file first: a body cut short throws and leaves the old version.
   */
  async putStream(
    parentId: string,
    name: string,
    stream: ReadableStream<Uint8Array>,
    opts: ImportFileOptions,
  ): Promise<
    AddFileResult & { deduped: boolean }
  > {
    return await this.#add(parentId, name, opts, (o) => this.blobs.putStream(stream, o));
  }

  /**
   * `importFile` for a file from elsewhere on this computer (Add): refused with `ImportPathError`
   * when its real path is inside a Hearth data directory, whatever the import roots say.
   */
  async importExternal(parentId: string, name: string, source: string, opts: ImportFileOptions): Promise<
    AddFileResult & { deduped: boolean }
  > {
    return await this.importFile(parentId, name, this.paths.checkReadable(source), opts);
  }

  /**
   * Like `importFile`, but moves `source` (a finished file on the same filesystem, e.g. a tus
   * upload) into the store instead of copying it. The blob is hard-linked into place and `source`
   * removed only once the item row is committed, so if adding the row fails (a full disk, a DB
   * error) `source` is still there, whole, for a retry, and the blob this call created is gone
   * again: no orphan blob, nothing lost.
   */
  async adoptFile(parentId: string, name: string, source: string, opts: AdoptFileOptions): Promise<
    AddFileResult & { deduped: boolean }
  > {
    const done = await this.#add(
      parentId,
      name,
      opts,
      (o) => this.blobs.adoptFile(source, { ...o, onStep: opts.onStep, keepSource: true, known: opts.known }),
    );
    rmSync(source, { force: true });
    return done;
  }

  async #add(
    parentId: string,
    name: string,
    opts: ImportFileOptions,
    write: (o: PutOptions) => Promise<PutResult>,
    origin?: "import",
  ): Promise<AddFileResult & { deduped: boolean }> {
    let held: string | undefined;
    let put: PutResult | undefined;
    try {
      put = await write({
        signal: opts.signal,
        hold: (h) => {
          held = h;
          this.#held.set(h, (this.#held.get(h) ?? 0) + 1);
        },
      });
      const type = opts.type || mediaTypeOf(name);
      const result = await this.items.addFile(parentId, name, {
        hash: put.hash,
        size: put.size,
        mtime: opts.mtime,
        type,
      });
      if (result.outcome === "created") {
        void this.signals.emit("item.created", {
          id: result.item.id,
          parentId,
          name: result.item.name,
          kind: "file",
          size: put.size,
          ...(origin ? { origin } : {}),
        });
      } else if (result.outcome === "replaced") {
        void this.signals.emit("item.updated", { id: result.item.id, name: result.item.name });
      }
      return { ...result, deduped: put.deduped || result.outcome === "unchanged" };
    } catch (e) {
      // The row never came: a blob this call wrote, and no other add is holding, goes again now
      // (no other row can point at it: it did not exist before this call).
      if (put && !put.deduped && this.#held.get(put.hash) === 1) this.blobs.delete(put.hash);
      throw e;
    } finally {
      if (held) {
        const n = (this.#held.get(held) ?? 1) - 1;
        if (n <= 0) this.#held.delete(held);
        else this.#held.set(held, n);
      }
    }
  }

  async createFolder(parentId: string, name: string): Promise<Item> {
    const { item, created } = await this.items.ensureFolder(parentId, name);
    if (created) {
      void this.signals.emit("item.created", {
        id: item.id,
        parentId,
        name: item.name,
        kind: "folder",
        size: 0,
      });
    }
    return item;
  }

  async delete(id: string): Promise<Item[]> {
    const gone = await this.items.delete(id);
    for (const item of gone) void this.signals.emit("item.deleted", { id: item.id, name: item.name });
    await this.gc();
    return gone;
  }

  /**
   * Deletes blobs nothing references: rows at zero references, and files with no row at all
   * (a crash between the rename and the DB commit). Returns how many files were removed.
   */
  async gc(): Promise<number> {
    let removed = 0;
    const unreferenced = (await this.items.unreferencedBlobs()).filter((h) => !this.#held.has(h));
    await this.items.forgetBlobs(unreferenced);
    const stillKnown = await this.items.knownBlobs(unreferenced);
    for (const h of unreferenced) {
      if (stillKnown.has(h)) continue; // referenced again meanwhile
      this.blobs.delete(h);
      removed++;
    }
    const onDisk = [...this.blobs.list()];
    for (let i = 0; i < onDisk.length; i += 500) {
      const batch = onDisk.slice(i, i + 500);
      const known = await this.items.knownBlobs(batch);
      for (const h of batch) {
        if (known.has(h) || this.#held.has(h)) continue;
        this.blobs.delete(h);
        removed++;
      }
    }
    if (removed) this.log.info("garbage collection removed blobs", { removed });
    return removed;
  }
}

export { mediaTypeOf };
