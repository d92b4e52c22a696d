/**
 * Copies that can be trusted after a crash: bytes go to a temp file beside the destination, are
 * fsynced, and only then renamed into place, so a destination path holds either nothing or a
 * whole file. A blob copy hashes the bytes it writes and refuses them unless they match the address.
 */
import { createHash } from "node:crypto";
import {
  chmodSync,
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { randomToken } from "../../shared/crypto/mod.ts";

export class BackupError extends Error {
  override name = "BackupError";
}

const CHUNK = 1024 * 1024;

/** Copies `src` to `dst` atomically; returns the SHA-256 (hex) of the bytes written. */
export function copyAtomic(src: string, dst: string, { expectHash }: { expectHash?: string } = {}): string {
  mkdirSync(dirname(dst), { recursive: true, mode: 0o700 });
  const tmp = `${dst}.${randomToken(6)}.partial`;
  const hash = createHash("sha256");
  const buf = new Uint8Array(CHUNK);
  const input = openSync(src, "r");
  const output = openSync(tmp, "wx", 0o600);
  try {
    for (let n; (n = readSync(input, buf, 0, CHUNK, null)) > 0;) {
      const chunk = buf.subarray(0, n);
      hash.update(chunk);
      for (let off = 0; off < n;) off += writeSync(output, chunk, off);
    }
    // The copy keeps the source's permissions (secrets stay 0600).
    chmodSync(tmp, fstatSync(input).mode & 0o777);
    fsyncSync(output);
  } catch (cause) {
    closeSync(output);
    rmSync(tmp, { force: true });
    throw cause;
  } finally {
    closeSync(input);
  }
  closeSync(output);
  const digest = hash.digest("hex");
  if (expectHash !== undefined && digest !== expectHash) {
    rmSync(tmp, { force: true });
    throw new BackupError(`Blob "${src}" is damaged: its content hashes to ${digest}, not to its address`);
  }
  renameSync(tmp, dst);
  return digest;
}

/** The SHA-256 (hex) of a file's content. */
export function hashFile(path: string): string {
  const hash = createHash("sha256");
  const buf = new Uint8Array(CHUNK);
  const fd = openSync(path, "r");
  try {
    for (let n; (n = readSync(fd, buf, 0, CHUNK, null)) > 0;) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/** Size of a regular file, or undefined when there is none. */
export function sizeOf(path: string): number | undefined {
  try {
    const s = statSync(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}
