/**
 * Free space on the filesystem that holds the store (statfs), for Settings and for refusing an
 * upload that cannot fit before a single byte of it is written.
 */
import { statfsSync } from "node:fs";

/**
 * Kept free for the database, thumbnails and temp files: an upload may not take the last of it
 * (16 MiB, or a twentieth of a smaller disk).
 */
export const SPACE_RESERVE_BYTES = 16 * 1024 * 1024;

export interface FreeSpace {
  /** Bytes this (unprivileged) process may still write. */
  free: number;
  total: number;
}

/** The free and total bytes of the filesystem holding `dir`. */
export function freeSpace(dir: string): FreeSpace {
  const s = statfsSync(dir);
  return { free: s.bavail * s.bsize, total: s.blocks * s.bsize };
}

/** Whether `bytes` more fit in `dir`'s filesystem, leaving the reserve. */
export function fits(dir: string, bytes: number): boolean {
  const { free, total } = freeSpace(dir);
  return bytes + Math.min(SPACE_RESERVE_BYTES, total / 20) <= free;
}
