/**
 * Data directories (0700) and secret files (0600), written atomically (temp file + rename) so a
 * crash never leaves half a key. node:fs works on both Bun and Deno.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export function ensureDataDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

/** Writes `data` to `path` atomically with mode 0600. */
export function writeSecretFile(path: string, data: string | Uint8Array): void {
  writeAtomic(path, data, 0o600);
}

/**
 * Writes a file that is not secret (a certificate, a config) atomically. Still 0600: it sits in a
 * 0700 data directory where nobody else reaches it, and one rule for the whole tree is checkable.
 */
export function writePublicFile(path: string, data: string | Uint8Array): void {
  writeAtomic(path, data, 0o600);
}

function writeAtomic(path: string, data: string | Uint8Array, mode: number): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(path), `.${Date.now()}-${Math.random().toString(36).slice(2)}.tmp`);
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode); // the umask may have narrowed or widened it
  renameSync(tmp, path);
}

export function readTextIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/** The permission bits of a file, e.g. 0o600. */
export function fileMode(path: string): number {
  return statSync(path).mode & 0o777;
}
