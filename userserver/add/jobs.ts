/**
 * Import jobs ("Add"): scan a directory under an import root, store each file (deduplicated by
 * hash) into a folder of the same name, report progress live, allow cancelling, and say what was
 * skipped and why. A job interrupted by a crash is marked `interrupted` at the next start and can
 * be run again: files already imported are recognised by name and hash and not stored twice.
 */
import { lstatSync, readdirSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { desc, eq, inArray } from "drizzle-orm";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { Logger } from "../../shared/log/mod.ts";
import { imports } from "../../shared/db/userserver/schema.ts";
import type { UserDb } from "../database/mod.ts";
import type { Signals } from "../signals/mod.ts";
import {
  checkItemName,
  isDataDir,
  ItemNameError,
  ROOT_ID,
  storageFailure,
  type Store,
} from "../store/mod.ts";

export type Job = typeof imports.$inferSelect;
export interface Skipped {
  path: string;
  reason: string;
}

const MAX_SKIPPED_KEPT = 1000;
const FLUSH_MS = 250;

export class JobNotFoundError extends Error {
  override name = "JobNotFoundError";
}

interface Running {
  job: Job;
  skipped: Skipped[];
  abort: AbortController;
  done: Promise<void>;
}

interface ScannedFile {
  rel: string;
  abs: string;
  size: number;
  mtime: number;
}

export interface ImporterOptions {
  db: UserDb;
  store: Store;
  signals: Signals;
  log: Logger;
  /** The import roots in force right now (Settings may change them). */
  roots: () => readonly string[];
  /** Dev and tests: pause after each file. */
  pauseMs?: () => number;
  now?: () => number;
}

export class Importer {
  #running = new Map<string, Running>();
  #stopping = false;

  constructor(private readonly o: ImporterOptions) {}

  /** Jobs a crash cut short are marked interrupted (they can be run again). */
  async start(): Promise<void> {
    const now = this.#now();
    const cut = await this.o.db.write(() =>
      this.o.db.orm.update(imports).set({ status: "interrupted", updatedAt: now, finishedAt: now })
        .where(inArray(imports.status, ["scanning", "running"])).returning({ id: imports.id })
    );
    if (cut.length) {
      this.o.log.warn("imports interrupted by the last shutdown", { jobs: cut.map((c) => c.id) });
    }
  }

  /** Cancels running jobs and waits for them; they are recorded as interrupted. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const running = [...this.#running.values()];
    for (const r of running) r.abort.abort(new Error("the server is stopping"));
    await Promise.all(running.map((r) => r.done));
  }

  /** Starts importing `path`; throws `ImportPathError` when it is not under an import root. */
  async begin(path: string): Promise<Job> {
    const source = this.o.store.paths.resolveImportDir(this.o.roots(), path);
    const folderName = checkItemName(basename(source) || "Import");
    const target = await this.o.store.createFolder(ROOT_ID, folderName);
    const now = this.#now();
    const job: Job = {
      id: randomToken(12),
      source,
      targetId: target.id,
      status: "scanning",
      filesTotal: 0,
      filesDone: 0,
      filesDeduped: 0,
      bytesTotal: 0,
      bytesDone: 0,
      skipped: "[]",
      error: null,
      startedAt: now,
      updatedAt: now,
      finishedAt: null,
    };
    await this.o.db.write(() => this.o.db.orm.insert(imports).values(job));
    const abort = new AbortController();
    const running: Running = { job, skipped: [], abort, done: Promise.resolve() };
    this.#running.set(job.id, running);
    running.done = this.#run(running).finally(() => this.#running.delete(job.id));
    void this.o.signals.emit("import.started", { id: job.id, source });
    return { ...job };
  }

  /** Runs a finished, cancelled or interrupted job's source again (resume). */
  async rerun(id: string): Promise<Job> {
    const job = await this.get(id);
    if (!job) throw new JobNotFoundError(`No import "${id}"`);
    return await this.begin(job.source);
  }

  /** Returns false when the job is not running. */
  cancel(id: string): boolean {
    const r = this.#running.get(id);
    if (!r) return false;
    r.abort.abort(new Error("cancelled"));
    return true;
  }

  isRunning(id: string): boolean {
    return this.#running.has(id);
  }

  /** The job as it is now (live figures while it runs). */
  async get(id: string): Promise<Job | undefined> {
    const live = this.#running.get(id);
    if (live) return { ...live.job, skipped: JSON.stringify(live.skipped) };
    return await this.o.db.orm.select().from(imports).where(eq(imports.id, id)).get();
  }

  async list(limit = 20): Promise<Job[]> {
    const rows = await this.o.db.orm.select().from(imports).orderBy(desc(imports.startedAt)).limit(limit)
      .all();
    return rows.map((r) => this.#running.has(r.id) ? { ...this.#running.get(r.id)!.job } : r);
  }

  /** Waits for a job to end (tests, and the CLI later). */
  async settled(id: string): Promise<void> {
    await this.#running.get(id)?.done;
  }

  async #run(r: Running): Promise<void> {
    const { job, abort } = r;
    const log = this.o.log.child({ job: job.id });
    let lastFlush = 0;
    const flush = async (force = false) => {
      const now = this.#now();
      if (!force && now - lastFlush < FLUSH_MS) return;
      lastFlush = now;
      job.updatedAt = now;
      job.skipped = JSON.stringify(r.skipped);
      const { id: _id, ...rest } = job;
      await this.o.db.write(() => this.o.db.orm.update(imports).set(rest).where(eq(imports.id, job.id)));
      void this.o.signals.emit("import.progress", { id: job.id });
    };
    const skip = (path: string, reason: string) => {
      if (r.skipped.length < MAX_SKIPPED_KEPT) r.skipped.push({ path, reason });
    };
    try {
      log.info("import started", { source: job.source });
      const files = this.#scan(job.source, skip, abort.signal);
      job.filesTotal = files.length;
      job.bytesTotal = files.reduce((n, f) => n + f.size, 0);
      job.status = "running";
      await flush(true);
      const folders = new Map<string, string>([["", job.targetId]]);
      for (const f of files) {
        abort.signal.throwIfAborted();
        try {
          const parentId = await this.#folderFor(folders, f.rel);
          const name = f.rel.split("/").at(-1)!;
          const res = await this.o.store.importExternal(parentId, name, f.abs, {
            mtime: f.mtime,
            origin: "import",
            signal: abort.signal,
          });
          job.filesDone++;
          if (res.deduped) job.filesDeduped++;
          job.bytesDone += res.item.size;
        } catch (e) {
          if (abort.signal.aborted) throw abort.signal.reason;
          if (storeFull(e)) throw e; // a full disk or database fails every file after it: stop and say so
          skip(f.rel, describe(e));
          job.bytesTotal -= f.size;
          job.filesTotal--;
        }
        await flush();
        const pause = this.o.pauseMs?.() ?? 0;
        if (pause) await Bun.sleep(pause);
      }
      job.status = "done";
    } catch (e) {
      if (abort.signal.aborted) {
        job.status = this.#stopping ? "interrupted" : "cancelled";
      } else {
        job.status = "failed";
        job.error = describe(e);
        log.error("import failed", { error: job.error });
      }
    }
    job.finishedAt = this.#now();
    await flush(true);
    log.info("import ended", { status: job.status, files: job.filesDone, deduped: job.filesDeduped });
    if (job.status !== "interrupted") {
      void this.o.signals.emit("import.finished", {
        id: job.id,
        source: job.source,
        status: job.status as "done" | "cancelled" | "failed",
        filesDone: job.filesDone,
        filesDeduped: job.filesDeduped,
        skipped: r.skipped.length,
        ...(job.error ? { error: job.error } : {}),
      });
    }
  }

  /** Lists regular files under `dir` without following links; everything else is skipped with a reason. */
  #scan(root: string, skip: (path: string, reason: string) => void, signal: AbortSignal): ScannedFile[] {
    const out: ScannedFile[] = [];
    const walk = (dir: string) => {
      signal.throwIfAborted();
      let names: string[];
      try {
        names = readdirSync(dir).sort();
      } catch (e) {
        skip(relative(root, dir) || ".", `cannot read the folder: ${describe(e)}`);
        return;
      }
      for (const n of names) {
        const abs = join(dir, n);
        const rel = relative(root, abs);
        try {
          checkItemName(n);
        } catch (e) {
          skip(rel, describe(e));
          continue;
        }
        let st;
        try {
          st = lstatSync(abs);
        } catch (e) {
          skip(rel, describe(e));
          continue;
        }
        if (st.isSymbolicLink()) skip(rel, "symbolic link (not followed)");
        else if (st.isDirectory() && isDataDir(abs)) {
          skip(rel, "a Hearth data folder (keys are never imported)");
        } else if (st.isDirectory()) walk(abs);
        else if (st.isFile()) out.push({ rel, abs, size: st.size, mtime: Math.round(st.mtimeMs) });
        else skip(rel, "not a regular file (device, socket or pipe)");
      }
    };
    walk(root);
    return out;
  }

  async #folderFor(folders: Map<string, string>, rel: string): Promise<string> {
    const parts = rel.split("/").slice(0, -1);
    let key = "";
    let id = folders.get("")!;
    for (const p of parts) {
      key = key ? `${key}/${p}` : p;
      const known = folders.get(key);
      if (known) {
        id = known;
        continue;
      }
      id = (await this.o.store.createFolder(id, p)).id;
      folders.set(key, id);
    }
    return id;
  }

  #now(): number {
    return (this.o.now ?? Date.now)();
  }
}

/**
 * A fault of the store itself (space, a read-only or failing database), not of one source file:
 * an unreadable source (EACCES, EPERM, EIO) is skipped with its reason instead.
 */
function storeFull(e: unknown): boolean {
  const f = storageFailure(e);
  return f !== undefined && !["EACCES", "EPERM", "EIO"].includes(f.code);
}

function describe(e: unknown): string {
  if (e instanceof ItemNameError) return e.message;
  const code = (e as { code?: string })?.code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  const storage = storageFailure(e, { then: "run the import again" });
  if (storage) return storage.message;
  if (code === "ENOENT") return "it disappeared during the import";
  return e instanceof Error ? e.message : String(e);
}
