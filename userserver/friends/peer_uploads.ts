/**
 * A friend with write access sends a file into a shared folder: in signed chunks (each request
 * verified like any other, so no chunk is bigger than the door reads), appended at the offset the
 * server expects — a chunk that does not start there is refused with where to continue, so a
 * broken transfer resumes — and checked against the SHA-256 announced at the start before the file
 * becomes an item, under a free name (it never replaces a file).
 */
import { closeSync, mkdirSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { Core } from "../core/mod.ts";
import { FileOps } from "../files/mod.ts";
import { checkItemName } from "../store/names.ts";

export const PEER_CHUNK_BYTES = 4 * 1024 * 1024;
const MAX_FILE_BYTES = 64 * 1024 ** 3;
const KEEP_MS = 24 * 3600_000;

export class PeerUploadError extends Error {
  override name = "PeerUploadError";
  constructor(message: string, readonly status: 400 | 404 | 409 = 400, readonly offset?: number) {
    super(message);
  }
}

interface Pending {
  id: string;
  friend: string;
  folderId: string;
  name: string;
  size: number;
  hash: string;
  path: string;
  startedAt: number;
}

export class PeerUploads {
  readonly #pending = new Map<string, Pending>();
  readonly #dir: string;
  readonly #ops: FileOps;

  constructor(private readonly core: Core, private readonly now: () => number = Date.now) {
    this.#dir = join(core.config.current.dataDir, "peer-uploads");
    this.#ops = new FileOps(core.db, core.store, core.signals, now);
  }

  /** Announces a file for `folderId`; the upload's id. */
  begin(friend: string, folderId: string, o: { name: string; size: number; hash: string }): { id: string } {
    this.#sweep();
    const name = checkItemName(o.name);
    if (!Number.isSafeInteger(o.size) || o.size < 0 || o.size > MAX_FILE_BYTES) {
      throw new PeerUploadError(`A size of ${o.size} bytes is not accepted`);
    }
    if (!/^[0-9a-f]{64}$/.test(o.hash)) throw new PeerUploadError("The hash must be SHA-256 in hex");
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const id = randomToken(16);
    const path = join(this.#dir, `${id}.part`);
    closeSync(openSync(path, "wx", 0o600));
    this.#pending.set(id, {
      id,
      friend,
      folderId,
      name,
      size: o.size,
      hash: o.hash,
      path,
      startedAt: this.now(),
    });
    return { id };
  }

  /** The upload `id` of `friend`'s (404 for anyone else's). */
  get(friend: string, id: string): Pending {
    const p = this.#pending.get(id);
    if (!p || p.friend !== friend) throw new PeerUploadError("No such upload", 404);
    return p;
  }

  /** Appends `chunk` at `offset`; when the file is whole, checks it and adds it. */
  async append(
    friend: string,
    id: string,
    offset: number,
    chunk: Uint8Array,
  ): Promise<{ offset: number; itemId?: string }> {
    const p = this.get(friend, id);
    const have = statSync(p.path).size;
    if (offset !== have) throw new PeerUploadError(`Continue at byte ${have}`, 409, have);
    if (have + chunk.length > p.size) throw new PeerUploadError("More bytes than announced");
    const fd = openSync(p.path, "a", 0o600);
    try {
      for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off);
    } finally {
      closeSync(fd);
    }
    const now = have + chunk.length;
    if (now < p.size) return { offset: now };
    return { offset: now, itemId: await this.#finish(p) };
  }

  async #finish(p: Pending): Promise<string> {
    this.#pending.delete(p.id);
    const hasher = new Bun.CryptoHasher("sha256");
    for await (const chunk of Bun.file(p.path).stream()) hasher.update(chunk);
    if (hasher.digest("hex") !== p.hash) {
      rmSync(p.path, { force: true });
      throw new PeerUploadError("The file does not match its announced SHA-256; it was discarded");
    }
    const name = await this.#ops.freeName(p.folderId, p.name, "");
    const added = await this.core.store.adoptFile(p.folderId, name, p.path, {
      mtime: this.now(),
      known: { hash: p.hash, size: p.size },
    });
    return added.item.id;
  }

  /** Renames an item (the caller checked write access). */
  async rename(id: string, name: string): Promise<void> {
    await this.#ops.rename(id, name);
  }

  /** Uploads left for a day are dropped. */
  #sweep(): void {
    for (const [id, p] of this.#pending) {
      if (this.now() - p.startedAt > KEEP_MS) {
        this.#pending.delete(id);
        rmSync(p.path, { force: true });
      }
    }
  }
}
