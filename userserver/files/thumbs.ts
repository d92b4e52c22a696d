/**
 * Thumbnails with sharp, cached by content hash (`<dataDir>/thumbs/ab/<hash>.webp`), so a rename,
 * move or copy never regenerates one. Work runs through one bounded queue (default 2 at a time,
 * one libvips thread each, so the server stays responsive): a request from a browser that shows
 * the thumbnail on screen jumps ahead of background work (images just uploaded), and the most
 * recent request goes first, since that is what the user scrolled to. A file that cannot be
 * decoded gets a `.none` marker and is not tried again.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { Logger } from "../../shared/log/mod.ts";
import type { ItemType } from "../plugins/mod.ts";
import type { Item } from "../store/mod.ts";

export const THUMB_PX = 256;
/** Types sharp decodes here (SVG is left out: it is shown as itself, sandboxed). */
const THUMBABLE = new Set(["image/jpeg", "image/png", "image/webp", "image/gif", "image/avif", "image/tiff"]);

export function canThumbnail(type: string): boolean {
  return THUMBABLE.has(type);
}

/** Whether a listing row gets a thumbnail: a type sharp reads, or a plugin's item type that makes one. */
export function thumbnailable(typeOf: (item: Item) => ItemType): (item: Item) => boolean {
  return (item) => canThumbnail(item.type) || typeOf(item).thumbnail !== undefined;
}

type Priority = "visible" | "background";

interface Job {
  hash: string;
  source: string;
  priority: Priority;
  waiters: Array<(path: string | undefined) => void>;
}

export interface ThumbStats {
  generated: number;
  failed: number;
  queued: number;
  running: number;
}

export class Thumbnailer {
  readonly dir: string;
  #queue: Job[] = [];
  #byHash = new Map<string, Job>();
  #running = 0;
  #stopped = false;
  readonly stats = { generated: 0, failed: 0 };

  constructor(
    dataDir: string,
    private readonly log: Logger,
    private readonly concurrency = 2,
  ) {
    this.dir = join(dataDir, "thumbs");
    mkdirSync(join(this.dir, "tmp"), { recursive: true, mode: 0o700 });
    for (const f of safeList(join(this.dir, "tmp"))) rmSync(join(this.dir, "tmp", f), { force: true });
    sharp.concurrency(1);
    sharp.cache(false);
  }

  pathOf(hash: string): string {
    return join(this.dir, hash.slice(0, 2), `${hash}.webp`);
  }

  #nonePath(hash: string): string {
    return join(this.dir, hash.slice(0, 2), `${hash}.none`);
  }

  cached(hash: string): string | undefined {
    const p = this.pathOf(hash);
    return existsSync(p) ? p : undefined;
  }

  /** The thumbnail's path once made (undefined if the image cannot be decoded). */
  get(hash: string, source: string, priority: Priority = "visible"): Promise<string | undefined> {
    const hit = this.cached(hash);
    if (hit) return Promise.resolve(hit);
    if (existsSync(this.#nonePath(hash))) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const existing = this.#byHash.get(hash);
      if (existing) {
        existing.waiters.push(resolve);
        if (priority === "visible") this.#promote(existing);
        return;
      }
      const job: Job = { hash, source, priority, waiters: [resolve] };
      this.#byHash.set(hash, job);
      if (priority === "visible") this.#queue.unshift(job);
      else this.#queue.push(job);
      this.#pump();
    });
  }

  /** Queues background work (after an upload); returns at once. */
  prefetch(hash: string, source: string): void {
    void this.get(hash, source, "background");
  }

  stop(): void {
    this.#stopped = true;
    for (const job of this.#queue.splice(0)) for (const w of job.waiters) w(undefined);
    this.#byHash.clear();
  }

  status(): ThumbStats {
    return { ...this.stats, queued: this.#queue.length, running: this.#running };
  }

  #promote(job: Job): void {
    const i = this.#queue.indexOf(job);
    if (i < 0) return; // already running
    this.#queue.splice(i, 1);
    job.priority = "visible";
    this.#queue.unshift(job);
  }

  #pump(): void {
    while (!this.#stopped && this.#running < this.concurrency && this.#queue.length > 0) {
      const job = this.#queue.shift()!;
      this.#running++;
      void this.#make(job).then((path) => {
        this.#running--;
        this.#byHash.delete(job.hash);
        for (const w of job.waiters) w(path);
        this.#pump();
      });
    }
  }

  async #make(job: Job): Promise<string | undefined> {
    const final = this.pathOf(job.hash);
    mkdirSync(join(final, ".."), { recursive: true, mode: 0o700 });
    const tmp = join(this.dir, "tmp", `${randomToken(8)}.webp`);
    try {
      await sharp(job.source, { failOn: "none", limitInputPixels: 268_402_689, animated: false })
        .rotate()
        .resize(THUMB_PX, THUMB_PX, { fit: "cover", withoutEnlargement: false })
        .webp({ quality: 72, effort: 2 })
        .toFile(tmp);
      renameSync(tmp, final);
      this.stats.generated++;
      return final;
    } catch (e) {
      rmSync(tmp, { force: true });
      this.stats.failed++;
      this.log.debug("thumbnail failed", {
        hash: job.hash,
        error: e instanceof Error ? e.message : String(e),
      });
      writeFileSync(this.#nonePath(job.hash), "");
      return undefined;
    }
  }
}

function safeList(dir: string): string[] {
  try {
    return [...new Bun.Glob("*").scanSync({ cwd: dir, onlyFiles: true })];
  } catch {
    return [];
  }
}
