/**
 * Keeps the catalogue in step with the files, and runs the pipeline over what is pending: a
 * queue in the database (rows in state `pending`), so a restart resumes where it stopped; what
 * was added last goes first; a few at a time (sharp works on libuv's threads, so the server's own
 * thread stays free for pages). A file that cannot be read is recorded as failed with the reason
 * and never retried until its content changes.
 */
import type { Logger } from "../../shared/log/mod.ts";
import type { Core } from "../core/mod.ts";
import type { Catalog } from "./catalog.ts";
import { hasFfmpeg } from "./media.ts";
import { makePreview, type PipelinePaths, processMedia } from "./pipeline.ts";

export class PhotoIndexer {
  #running = 0;
  #stopped = false;
  #inFlight = new Set<string>();
  /** What this process finished (item → content): never picked again while a read still says pending. */
  #finished = new Map<string, string>();
  /** Photos being made for someone's screen, outside the queue's slots. */
  #now = new Map<string, Promise<void>>();
  #previews = new Map<string, Promise<void>>();
  #idle: Array<() => void> = [];
  readonly stats = { done: 0, failed: 0 };

  constructor(
    private readonly core: Core,
    private readonly catalog: Catalog,
    private readonly paths: PipelinePaths,
    private readonly log: Logger,
    private readonly concurrency = 2,
  ) {}

  async start(): Promise<void> {
    const added = await this.catalog.backfill();
    if (added > 0) this.log.info("photos found to catalogue", { count: added });
    this.kick();
  }

  stop(): void {
    this.#stopped = true;
  }

  /** This item's content is to be made again (it changed, or its rendition is gone). */
  requeue(itemId: string): void {
    this.#finished.delete(itemId);
    this.kick();
  }

  /** Looks for pending work and fills the free slots. */
  kick(): void {
    if (this.#stopped) return;
    const free = this.concurrency - this.#running;
    if (free <= 0) return;
    const next = this.catalog.pending(free + this.#inFlight.size).filter((r) =>
      !this.#inFlight.has(r.itemId) && !this.#now.has(r.itemId) && this.#finished.get(r.itemId) !== r.blobHash
    )
      .slice(0, free);
    if (next.length === 0 && this.#running === 0) { for (const w of this.#idle.splice(0)) w(); }
    for (const row of next) {
      this.#running++;
      this.#inFlight.add(row.itemId);
      void this.#one(row.itemId, row.blobHash, row.kind).finally(() => {
        this.#running--;
        this.#inFlight.delete(row.itemId);
        this.kick();
      });
    }
  }

  /**
   * Makes one photo's thumbnail and preview now, ahead of the queue (it is on someone's screen);
   * waits for it instead if it is already being made.
   */
  async now(itemId: string): Promise<void> {
    const running = this.#now.get(itemId);
    if (running) return await running;
    const row = this.catalog.get(itemId);
    if (!row || row.state === "failed") return;
    const job = this.#one(row.itemId, row.blobHash, row.kind).finally(() => this.#now.delete(itemId));
    this.#now.set(itemId, job);
    await job;
  }

  /** Makes a photo's preview if it has none (the first time someone opens it); one at a time per photo. */
  async preview(itemId: string): Promise<void> {
    const running = this.#previews.get(itemId);
    if (running) return await running;
    const row = this.catalog.get(itemId);
    if (!row || await Bun.file(this.paths.preview(row.blobHash)).exists()) return;
    const job = makePreview(this.paths, row.blobHash, this.core.store.blobs.pathOf(row.blobHash), row.kind)
      .catch((e) =>
        this.log.debug("preview not made", { itemId, error: e instanceof Error ? e.message : String(e) })
      )
      .finally(() => this.#previews.delete(itemId));
    this.#previews.set(itemId, job);
    await job;
  }

  /** Resolves when nothing is pending (tests, the benchmark). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idle.push(resolve);
      this.kick();
    });
  }

  async #one(itemId: string, hash: string, kind: "photo" | "video"): Promise<void> {
    try {
      if (kind === "video" && !hasFfmpeg()) {
        throw new Error("ffmpeg is not installed: videos get no thumbnail");
      }
      const made = await processMedia(this.paths, hash, this.core.store.blobs.pathOf(hash), kind);
      await this.catalog.done(itemId, hash, made);
      this.#finished.set(itemId, hash);
      this.stats.done++;
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      this.stats.failed++;
      this.log.debug("photo not processed", { itemId, error: why });
      await this.catalog.failed(itemId, why).catch(() => undefined);
      this.#finished.set(itemId, hash);
    }
  }
}
