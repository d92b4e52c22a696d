/**
 * Content-addressed blobs on disk: `<dir>/<h0h1>/<h2h3>/<sha256>`. A blob is written to
 * `<dir>/tmp/` while it is hashed, fsynced, read back and verified, then renamed into place, so a
 * blob path only ever holds complete, verified content. Identical content is stored once.
 *
 * A file already written on the same filesystem (a finished upload) is adopted instead: hashed
 * once, fsynced and renamed into its hash-named path, with no copy and no read-back.
 */
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { open, rename } from "node:fs/promises";
import { dirname, join } from "node:path";
import { randomToken } from "../../shared/crypto/mod.ts";

const HASH = /^[0-9a-f]{64}$/;

export class BlobError extends Error {
  override name = "BlobError";
}

export interface PutResult {
  hash: string;
  size: number;
  /** The content was already stored: nothing was written. */
  deduped: boolean;
}

export interface PutOptions {
  /** Aborts between chunks; the temp file is removed. */
  signal?: AbortSignal;
  /** Called with the hash before the blob becomes visible, so garbage collection leaves it alone. */
  hold?: (hash: string) => void;
}

/** The points of `adoptFile` a crash test can stop at. */
export type AdoptStep = "hashed" | "synced" | "renamed";

export interface AdoptOptions extends PutOptions {
  /** Called after each step (tests use it to crash the process there). */
  onStep?: (step: AdoptStep) => void;
  /**
   * Hard-link the blob into place instead of renaming, so `source` stays until the caller has
   * recorded the blob (a tus upload stays complete and retryable until its item row exists).
   */
  keepSource?: boolean;
  /**
   * The file's SHA-256 and size as the writer hashed them while writing it (a tus upload hashes
   * its bytes as they arrive): the file is then not read again. Checked against the file's size.
   */
  known?: { hash: string; size: number };
}

export class BlobStore {
  readonly tmpDir: string;

  constructor(readonly dir: string) {
    this.tmpDir = join(dir, "tmp");
    mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 });
  }

  pathOf(hash: string): string {
    if (!HASH.test(hash)) throw new BlobError(`Blob hash "${hash}" is not a SHA-256 hex digest`);
    return join(this.dir, hash.slice(0, 2), hash.slice(2, 4), hash);
  }

  has(hash: string): boolean {
    try {
      return statSync(this.pathOf(hash)).isFile();
    } catch {
      return false;
    }
  }

  /** Removes temporary files a crash left behind (call before anything writes). */
  cleanTmp(): number {
    const names = readdirSync(this.tmpDir);
    for (const n of names) rmSync(join(this.tmpDir, n), { force: true, recursive: true });
    return names.length;
  }

  /** Stores the file at `source`; `signal` aborts between chunks (the temp file is removed). */
  async putFile(source: string, opts: PutOptions = {}): Promise<PutResult> {
    return await this.putStream(Bun.file(source).stream(), opts);
  }

  async putBytes(data: Uint8Array): Promise<PutResult> {
    return await this.putStream(new Blob([data as Uint8Array<ArrayBuffer>]).stream());
  }

  async putStream(stream: ReadableStream<Uint8Array>, { signal, hold }: PutOptions = {}): Promise<PutResult> {
    const tmp = join(this.tmpDir, `${randomToken(12)}.part`);
    const fd = openSync(tmp, "wx", 0o600);
    const hasher = new Bun.CryptoHasher("sha256");
    let size = 0;
    let closed = false;
    try {
      for await (const chunk of stream) {
        signal?.throwIfAborted();
        hasher.update(chunk);
        for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off);
        size += chunk.length;
      }
      fsyncSync(fd);
      closeSync(fd);
      closed = true;
      const hash = hasher.digest("hex");
      const check = await hashFile(tmp);
      if (check.hash !== hash || check.size !== size) {
        throw new BlobError(`Blob read back from ${tmp} does not match what was written (${hash})`);
      }
      const final = this.pathOf(hash);
      hold?.(hash);
      if (this.has(hash)) {
        rmSync(tmp, { force: true });
        return { hash, size, deduped: true };
      }
      const parent = join(final, "..");
      mkdirSync(parent, { recursive: true, mode: 0o700 });
      await rename(tmp, final);
      fsyncDir(parent);
      return { hash, size, deduped: false };
    } catch (e) {
      if (!closed) closeSync(fd);
      rmSync(tmp, { force: true });
      throw e;
    }
  }

  /**
   * Moves the finished file at `source` (same filesystem, nobody writing it any more) into the
   * store without copying it: hashes it once through one open descriptor, fsyncs it, makes it
   * 0600 and renames it atomically into its hash-named path (the directory is fsynced too). If the
   * content is already stored, `source` is simply removed. The cheap verification: the file's
   * size and modification time did not change while it was hashed, and the path the rename
   * produced is the very inode that was hashed. On success `source` is gone (kept with
   * `keepSource`: then the blob is a hard link to it); on failure it is
   * left where it was, and a crash at any point leaves either `source` intact and no blob, or a
   * complete blob (collected by the next garbage collection if no item row points at it).
   * Falls back to a copy (`putFile`) when `source` is on another filesystem.
   */
  async adoptFile(
    source: string,
    { signal, hold, onStep, keepSource = false, known }: AdoptOptions = {},
  ): Promise<PutResult> {
    const file = await open(source, "r+");
    let hash: string;
    let size = 0;
    let ino: number;
    let dev: number;
    try {
      const before = await file.stat();
      if (!before.isFile()) throw new BlobError(`Cannot adopt "${source}": it is not a regular file`);
      if (known && known.size === before.size && HASH.test(known.hash)) {
        hash = known.hash;
        size = known.size;
      } else {
        const hasher = new Bun.CryptoHasher("sha256");
        const buf = new Uint8Array(4 * 1024 * 1024);
        for (;;) {
          signal?.throwIfAborted();
          const { bytesRead } = await file.read(buf, 0, buf.length, size);
          if (bytesRead === 0) break;
          hasher.update(buf.subarray(0, bytesRead));
          size += bytesRead;
        }
        hash = hasher.digest("hex");
      }
      const after = await file.stat();
      if (size !== before.size || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
        throw new BlobError(
          `File "${source}" changed while it was being stored (${before.size} → ${after.size} bytes)`,
        );
      }
      ino = after.ino;
      dev = after.dev;
      onStep?.("hashed");
      await file.chmod(0o600);
      await file.sync();
      onStep?.("synced");
    } finally {
      await file.close();
    }
    const final = this.pathOf(hash);
    hold?.(hash);
    const deduped = { hash, size, deduped: true };
    if (this.has(hash)) {
      if (!keepSource) rmSync(source, { force: true });
      return deduped;
    }
    const parent = dirname(final);
    mkdirSync(parent, { recursive: true, mode: 0o700 });
    try {
      if (keepSource) linkSync(source, final);
      else renameSync(source, final);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EEXIST") return deduped; // the same content landed meanwhile
      if (code !== "EXDEV" && code !== "EPERM") throw e; // EPERM: a filesystem without hard links
      const put = await this.putFile(source, { signal, hold });
      if (!keepSource) rmSync(source, { force: true });
      return put;
    }
    fsyncDir(parent);
    fsyncDir(dirname(source));
    onStep?.("renamed");
    const placed = statSync(final);
    if (placed.ino !== ino || placed.dev !== dev || placed.size !== size) {
      throw new BlobError(`Blob ${hash} is not the file that was hashed (${source})`);
    }
    return { hash, size, deduped: false };
  }

  /** Re-reads a stored blob and checks it still has its hash. */
  async verify(hash: string): Promise<boolean> {
    if (!this.has(hash)) return false;
    return (await hashFile(this.pathOf(hash))).hash === hash;
  }

  delete(hash: string): void {
    rmSync(this.pathOf(hash), { force: true });
  }

  /** Every stored blob's hash (walks the hash-named directories). */
  *list(): Generator<string> {
    for (const a of safeReaddir(this.dir)) {
      if (!/^[0-9a-f]{2}$/.test(a)) continue;
      for (const b of safeReaddir(join(this.dir, a))) {
        for (const h of safeReaddir(join(this.dir, a, b))) if (HASH.test(h)) yield h;
      }
    }
  }
}

export async function hashFile(path: string): Promise<{ hash: string; size: number }> {
  const hasher = new Bun.CryptoHasher("sha256");
  let size = 0;
  for await (const chunk of Bun.file(path).stream()) {
    hasher.update(chunk);
    size += chunk.length;
  }
  return { hash: hasher.digest("hex"), size };
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
