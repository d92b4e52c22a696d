/**
 * Backups of a user server's data directory, safe while the server runs:
 *
 *   bun run userserver backup <dir>    bun run userserver restore <dir> --data-dir <fresh dir>
 *
 * A backup directory holds
 *   userserver.db     a consistent snapshot of the database (`VACUUM INTO`: one read transaction,
 *                     so it is the database as of one moment even while the server writes)
 *   blobs/ab/cd/<h>   every blob that snapshot's `blobs` table lists, each copied once: a blob is
 *                     immutable and named by its SHA-256, so a blob already in the backup is kept
 *                     and re-running `backup` copies only what is missing (resumable)
 *   files/…           the rest of the data dir (config, keys, registration, thumbnails), copied
 *                     when size or time differ; never in-flight uploads, sockets or temp files
 *   manifest.json     written last: without it the backup is incomplete and `restore` refuses it
 * Every blob written is hashed while it is written and must match its address (verified); restore
 * hashes every blob again, checks the database's integrity and its row counts against the manifest,
 * and builds the new data dir beside the target, renaming it into place only when all of that held.
 * The backup holds the server's private keys: it is created 0700, its files keep their modes.
 */
import { Database } from "bun:sqlite";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  utimesSync,
} from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { writeSecretFile } from "../../platform/files.ts";
import { hearthVersion } from "../../platform/cli.ts";
import { BackupError, copyAtomic, hashFile, sizeOf } from "./_copy.ts";

export { BackupError };

const DB_FILE = "userserver.db";
const MANIFEST = "manifest.json";
const FORMAT = 1;

/**
 * Data-dir entries a backup leaves out: the database and blobs (copied their own way), the
 * relayed socket, and work in flight that a restored server cannot resume (tus uploads, transfers
 * from friends, open-with copies, local sign-in challenges, temp files).
 */
const SKIP = new Set([
  DB_FILE,
  `${DB_FILE}-wal`,
  `${DB_FILE}-shm`,
  `${DB_FILE}-journal`,
  "blobs",
  "relayed.sock",
  "uploads",
  "peer-uploads",
  "friend-copies",
  "opened",
  "local-open",
  "photos/tmp",
]);

export interface Manifest {
  format: number;
  hearth: string;
  createdAt: string;
  database: { file: string; sha256: string; rows: Record<string, number> };
  blobs: { count: number; bytes: number };
  files: string[];
}

export interface BackupResult {
  dir: string;
  /** Blobs copied by this run, and those the backup already held. */
  blobsCopied: number;
  blobsKept: number;
  bytesCopied: number;
  filesCopied: number;
  rows: Record<string, number>;
}

/** Backs up `dataDir` into `to` (created if missing; an earlier backup there is brought up to date). */
export function backupDataDir(dataDir: string, to: string): BackupResult {
  const dbPath = join(dataDir, DB_FILE);
  if (!existsSync(dbPath)) throw new BackupError(`Cannot back up ${dataDir}: it has no ${DB_FILE}`);
  if (nested(resolve(to), resolve(dataDir)) || nested(resolve(dataDir), resolve(to))) {
    throw new BackupError(`Cannot back up ${dataDir} into ${to}: one is inside the other`);
  }
  mkdirSync(to, { recursive: true, mode: 0o700 });
  // From here until the new manifest is written the backup is incomplete, and says so.
  rmSync(join(to, MANIFEST), { force: true });

  const snapshot = join(to, `${DB_FILE}.partial`);
  rmSync(snapshot, { force: true });
  const live = new Database(dbPath, { readonly: true });
  try {
    live.run("PRAGMA busy_timeout = 10000");
    live.run("VACUUM INTO ?", [snapshot]);
  } finally {
    live.close();
  }
  const { rows, hashes } = readSnapshot(snapshot);
  renameSync(snapshot, join(to, DB_FILE));

  let blobsCopied = 0, blobsKept = 0, bytesCopied = 0, bytes = 0;
  for (const hash of hashes) {
    const target = blobPath(to, hash);
    const have = sizeOf(target);
    if (have !== undefined) {
      blobsKept++;
      bytes += have;
      continue;
    }
    const source = blobPath(dataDir, hash);
    if (sizeOf(source) === undefined) {
      throw new BackupError(`Cannot back up blob ${hash}: the database lists it but ${source} is missing`);
    }
    copyAtomic(source, target, { expectHash: hash });
    const size = sizeOf(target) ?? 0;
    blobsCopied++;
    bytesCopied += size;
    bytes += size;
  }

  const files = listFiles(dataDir).filter((f) => !skipped(f));
  let filesCopied = 0;
  for (const file of files) {
    const src = join(dataDir, file), dst = join(to, "files", file);
    if (sameFile(src, dst)) continue;
    copyAtomic(src, dst);
    const { atime, mtime } = statSync(src);
    utimesSync(dst, atime, mtime);
    filesCopied++;
  }

  const manifest: Manifest = {
    format: FORMAT,
    hearth: hearthVersion(),
    createdAt: new Date().toISOString(),
    database: { file: DB_FILE, sha256: hashFile(join(to, DB_FILE)), rows },
    blobs: { count: hashes.length, bytes },
    files,
  };
  writeSecretFile(join(to, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
  return { dir: to, blobsCopied, blobsKept, bytesCopied, filesCopied, rows };
}

export interface RestoreResult {
  dataDir: string;
  blobs: number;
  files: number;
  rows: Record<string, number>;
}

/** Restores the backup in `from` into `dataDir`, which must not exist or be empty. */
export function restoreDataDir(from: string, dataDir: string): RestoreResult {
  const manifest = readManifest(from);
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new BackupError(`Cannot restore into ${dataDir}: it is not empty (restore wants a fresh data dir)`);
  }
  const staging = `${dataDir}.restoring`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  try {
    const dbHash = copyAtomic(join(from, manifest.database.file), join(staging, DB_FILE));
    if (dbHash !== manifest.database.sha256) {
      throw new BackupError(
        `Backup ${from} is damaged: ${manifest.database.file} does not match its manifest`,
      );
    }
    const { rows, hashes } = readSnapshot(join(staging, DB_FILE));
    for (const [table, count] of Object.entries(manifest.database.rows)) {
      if (rows[table] !== count) {
        throw new BackupError(
          `Backup ${from} is damaged: table "${table}" has ${rows[table]} rows, the manifest says ${count}`,
        );
      }
    }
    for (const hash of hashes) {
      const source = blobPath(from, hash);
      if (sizeOf(source) === undefined) throw new BackupError(`Backup ${from} is missing blob ${hash}`);
      copyAtomic(source, blobPath(staging, hash), { expectHash: hash });
    }
    for (const file of manifest.files) copyAtomic(join(from, "files", file), join(staging, file));
    if (existsSync(dataDir)) rmdirSync(dataDir);
    mkdirSync(dirname(dataDir), { recursive: true });
    renameSync(staging, dataDir);
    return { dataDir, blobs: hashes.length, files: manifest.files.length, rows };
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

function readManifest(from: string): Manifest {
  let text: string;
  try {
    text = readFileSync(join(from, MANIFEST), "utf8");
  } catch {
    throw new BackupError(`${from} holds no complete backup (no ${MANIFEST}): run backup again`);
  }
  const manifest = JSON.parse(text) as Manifest;
  if (manifest.format !== FORMAT) {
    throw new BackupError(
      `Backup ${from} has format ${manifest.format}; this version reads format ${FORMAT}`,
    );
  }
  return manifest;
}

/** Checks a database file's integrity; returns its row counts and the blobs it lists. */
function readSnapshot(path: string): { rows: Record<string, number>; hashes: string[] } {
  const db = new Database(path, { readonly: true });
  try {
    const check = db.query("PRAGMA integrity_check").get() as { integrity_check: string };
    if (check.integrity_check !== "ok") {
      throw new BackupError(`Database ${path} fails its integrity check: ${check.integrity_check}`);
    }
    const tables = db.query(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    ).all() as { name: string }[];
    const rows: Record<string, number> = {};
    for (const { name } of tables) {
      rows[name] = (db.query(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n;
    }
    // Blobs no item points at any more are garbage the store collects: not worth keeping. Items'
    // own hashes are added in case a count were ever wrong: a file's bytes must never be left out.
    const hashes = (db.query(
      `SELECT hash FROM blobs WHERE refs > 0
       UNION SELECT blob_hash FROM items WHERE blob_hash IS NOT NULL ORDER BY 1`,
    ).all() as { hash: string }[]).map((r) => r.hash);
    return { rows, hashes };
  } finally {
    db.close();
  }
}

function blobPath(root: string, hash: string): string {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new BackupError(`Blob hash "${hash}" is not a SHA-256 hex digest`);
  return join(root, "blobs", hash.slice(0, 2), hash.slice(2, 4), hash);
}

/** Regular files under `dir`, as paths relative to it. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

function skipped(file: string): boolean {
  if (file.endsWith(".partial") || file.endsWith(".tmp")) return true;
  for (let p = file; p !== "."; p = dirname(p)) if (SKIP.has(p)) return true;
  return false;
}

function sameFile(src: string, dst: string): boolean {
  try {
    const a = statSync(src), b = statSync(dst);
    return a.size === b.size && Math.trunc(a.mtimeMs) === Math.trunc(b.mtimeMs);
  } catch {
    return false;
  }
}

function nested(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer + sep);
}
