/**
 * The indexer: a persistent queue (`search_queue`) fed by the store's signals and drained by one
 * loop that extracts in a worker (`extract/pool.ts`) and writes the FTS rows in batches. The queue
 * survives restarts; at start the indexer also enqueues every item whose index entry is missing or
 * older than its content, so a `kill -9` mid-run resumes without re-indexing what was done.
 * Deleting an item removes its rows at once, in the signal handler, so no search can find it.
 */
import type { InStatement } from "@libsql/client";
import type { Logger } from "../../shared/log/mod.ts";
import type { UserDb } from "../database/mod.ts";
import type { Signals } from "../signals/mod.ts";
import { type BlobStore, type Item, type ItemTree, ROOT_ID } from "../store/mod.ts";
import { ExtractLimitError, type ExtractLimits, hasExtractor } from "./extract/mod.ts";
import { ExtractPool } from "./extract/pool.ts";

/** What the user just did goes first; a reconcile at start-up goes last. */
export const PRIORITY = { interactive: 100, imported: 50, reconcile: 0 } as const;

/** Extra searchable text a plugin contributes for an item (the platform's indexer hook). */
export type FieldsHook = (item: Item) => Promise<string | undefined> | string | undefined;

export interface IndexerProgress {
  indexed: number;
  failed: number;
  queued: number;
  /** Files per second over the last minute. */
  rate: number;
  /** Seconds until the queue is empty at that rate; undefined when idle or unknown. */
  etaSeconds: number | undefined;
}

export interface IndexerOptions {
  limits: ExtractLimits;
  batchSize?: number;
  now?: () => number;
  fieldsHooks?: FieldsHook[];
  /** The text of an item's comments, kept in its own column (only the owner's searches read it). */
  commentsOf?: (item: Item) => Promise<string>;
}

export class Indexer {
  #off: Array<() => void> = [];
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #idleWaiters: Array<() => void> = [];
  #recent: number[] = [];
  readonly pool: ExtractPool;
  readonly #batchSize: number;
  readonly #now: () => number;

  constructor(
    private readonly db: UserDb,
    private readonly items: ItemTree,
    private readonly blobs: BlobStore,
    private readonly signals: Signals,
    private readonly log: Logger,
    private readonly options: IndexerOptions,
  ) {
    this.pool = new ExtractPool(options.limits, log);
    this.#batchSize = options.batchSize ?? 32;
    this.#now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    this.#off.push(
      this.signals.on(
        "item.created",
        (p) => this.enqueue([p.id], p.origin === "import" ? PRIORITY.imported : PRIORITY.interactive),
      ),
      this.signals.on("item.updated", (p) => this.enqueue([p.id], PRIORITY.interactive)),
      this.signals.on("item.moved", (p) => this.enqueueTree(p.id, PRIORITY.interactive)),
      this.signals.on("item.deleted", (p) => this.remove([p.id])),
      this.signals.on("comment.created", (p) => this.enqueueWithCopies(p.itemId, PRIORITY.interactive)),
      this.signals.on("comment.changed", (p) => this.enqueue(p.itemIds, PRIORITY.interactive)),
    );
    await this.reconcile();
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    for (const off of this.#off.splice(0)) off();
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    this.pool.close();
  }

  /** Puts items in the queue (again); a higher priority wins over a lower one already queued. */
  async enqueue(ids: string[], priority: number): Promise<void> {
    if (ids.length === 0) return;
    const at = this.#now();
    await this.db.write(() =>
      this.db.client.batch(
        ids.map((id) => ({
          sql: `INSERT INTO search_queue (item_id, priority, enqueued_at) VALUES (?, ?, ?)
                ON CONFLICT (item_id) DO UPDATE SET priority = max(priority, excluded.priority),
                  enqueued_at = excluded.enqueued_at, attempts = 0`,
          args: [id, priority, at],
        })),
        "write",
      )
    );
    this.#wake?.();
  }

  /** An item and everything below it (a folder moved or renamed changes every path under it). */
  async enqueueTree(id: string, priority: number): Promise<void> {
    const rows = await this.db.client.execute({
      sql:
        `WITH RECURSIVE below(id) AS (SELECT ? UNION ALL SELECT i.id FROM items i JOIN below b ON i.parent_id = b.id)
            SELECT id FROM below`,
      args: [id],
    });
    await this.enqueue(rows.rows.map((r) => String(r.id)), priority);
  }

  /** An item and every copy of its content (a file's comments are its content's: copies share them). */
  async enqueueWithCopies(id: string, priority: number): Promise<void> {
    const rows = await this.db.client.execute({
      sql:
        `SELECT id FROM items WHERE id = ? OR blob_hash = (SELECT blob_hash FROM items WHERE id = ? AND kind = 'file')`,
      args: [id, id],
    });
    await this.enqueue(rows.rows.map((r) => String(r.id)), priority);
  }

  /** Removes items from the index and the queue at once. */
  async remove(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const marks = ids.map(() => "?").join(",");
    const docs = `SELECT doc_id FROM search_docs WHERE item_id IN (${marks})`;
    await this.db.write(() =>
      this.db.client.batch([
        { sql: `DELETE FROM search_fts WHERE rowid IN (${docs})`, args: ids },
        { sql: `DELETE FROM search_names WHERE rowid IN (${docs})`, args: ids },
        { sql: `DELETE FROM search_docs WHERE item_id IN (${marks})`, args: ids },
        { sql: `DELETE FROM search_queue WHERE item_id IN (${marks})`, args: ids },
      ], "write")
    );
  }

  /**
   * Enqueues items with no index entry or an entry for other content, and forgets entries whose
   * item is gone. Cheap enough to run at every start: two anti-joins over indexed columns.
   */
  async reconcile(): Promise<number> {
    const gone = await this.db.client.execute(
      `SELECT d.item_id FROM search_docs d LEFT JOIN items i ON i.id = d.item_id WHERE i.id IS NULL`,
    );
    await this.remove(gone.rows.map((r) => String(r.item_id)));
    const at = this.#now();
    const added = await this.db.write(() =>
      this.db.client.execute({
        sql: `INSERT INTO search_queue (item_id, priority, enqueued_at)
              SELECT i.id, ?, ? FROM items i LEFT JOIN search_docs d ON d.item_id = i.id
              WHERE i.parent_id IS NOT NULL AND (d.item_id IS NULL OR d.blob_hash IS NOT i.blob_hash)
              ON CONFLICT (item_id) DO NOTHING`,
        args: [PRIORITY.reconcile, at],
      })
    );
    if (added.rowsAffected) this.log.info("search index: items to (re)index", { count: added.rowsAffected });
    return added.rowsAffected;
  }

  /** Resolves when the queue is empty and nothing is being indexed (tests, benchmarks). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.#wake?.();
    });
  }

  async progress(): Promise<IndexerProgress> {
    const r = await this.db.client.execute(
      `SELECT (SELECT count(*) FROM search_docs WHERE status != 'failed') AS indexed,
              (SELECT count(*) FROM search_docs WHERE status = 'failed') AS failed,
              (SELECT count(*) FROM search_queue) AS queued`,
    );
    const row = r.rows[0]!;
    const cutoff = this.#now() - 60_000;
    this.#recent = this.#recent.filter((t) => t >= cutoff);
    const span = this.#recent.length > 1 ? (this.#recent.at(-1)! - this.#recent[0]!) / 1000 : 0;
    const rate = span > 0 ? this.#recent.length / span : 0;
    const queued = Number(row.queued);
    return {
      indexed: Number(row.indexed),
      failed: Number(row.failed),
      queued,
      rate: Math.round(rate * 10) / 10,
      etaSeconds: queued > 0 && rate > 0 ? Math.ceil(queued / rate) : undefined,
    };
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let batch: Array<{ itemId: string; enqueuedAt: number }> = [];
      try {
        const r = await this.db.client.execute({
          sql: `SELECT item_id, enqueued_at FROM search_queue ORDER BY priority DESC, enqueued_at LIMIT ?`,
          args: [this.#batchSize],
        });
        batch = r.rows.map((row) => ({ itemId: String(row.item_id), enqueuedAt: Number(row.enqueued_at) }));
        if (batch.length > 0) await this.#index(batch);
      } catch (error) {
        this.log.error("search indexing failed; retrying", { error: String(error) });
        await new Promise((r) => setTimeout(r, 1000));
      }
      if (batch.length === 0) {
        for (const w of this.#idleWaiters.splice(0)) w();
        if (!this.#running) break;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
      }
    }
  }

  async #index(batch: Array<{ itemId: string; enqueuedAt: number }>): Promise<void> {
    // The batch's items and their folders are read at once (one query each, not four per file),
    // extraction runs on every worker at once, and the rows are written in one transaction.
    const ids = batch.map((b) => b.itemId);
    const [placed, known] = await Promise.all([this.#place(ids), this.#known(ids)]);
    const docs = await mapLimit(
      batch,
      this.pool.size,
      (entry) => this.#prepare(entry, placed.get(entry.itemId), known.has(entry.itemId)),
    );
    await this.db.write(() => this.db.client.batch(docs.flat(), "write"));
  }

  /** The items among `ids` that are under the root (not gone, not in the trash), with their folder path. */
  async #place(ids: string[]): Promise<Map<string, { item: Item; path: string }>> {
    const marks = ids.map(() => "?").join(",");
    const [found, chains] = await Promise.all([
      this.items.getMany(ids),
      this.db.client.execute({
        sql: `WITH RECURSIVE up(start, id, parent, name, depth) AS (
                SELECT id, id, parent_id, name, 0 FROM items WHERE id IN (${marks})
                UNION ALL
                SELECT up.start, p.id, p.parent_id, p.name, up.depth + 1 FROM up JOIN items p ON p.id = up.parent
                WHERE up.depth < 4096)
              SELECT start, id, parent, name FROM up ORDER BY start, depth DESC`,
        args: ids,
      }),
    ]);
    const byStart = new Map<string, Array<{ id: string; parent: unknown; name: string }>>();
    for (const r of chains.rows) {
      const list = byStart.get(String(r.start)) ?? [];
      list.push({ id: String(r.id), parent: r.parent, name: String(r.name) });
      byStart.set(String(r.start), list);
    }
    const out = new Map<string, { item: Item; path: string }>();
    for (const item of found) {
      const chain = byStart.get(item.id) ?? [];
      if (chain[0]?.id !== ROOT_ID || chain[0].parent !== null) continue; // in the trash
      out.set(item.id, { item, path: chain.slice(1, -1).map((a) => a.name).join("/") });
    }
    return out;
  }

  /**
   * The items among `ids` with rows in the index. Only this loop adds rows, so one without any now
   * has none at the write either, and its deletes can be left out: three statements per new file
   * (each prepared anew) were a third of a bulk import's write time.
   */
  async #known(ids: string[]): Promise<Set<string>> {
    const r = await this.db.client.execute({
      sql: `SELECT item_id FROM search_docs WHERE item_id IN (${ids.map(() => "?").join(",")})`,
      args: ids,
    });
    return new Set(r.rows.map((row) => String(row.item_id)));
  }

  async #prepare(
    { itemId, enqueuedAt }: { itemId: string; enqueuedAt: number },
    placed: { item: Item; path: string } | undefined,
    known: boolean,
  ): Promise<InStatement[]> {
    // Dequeue only what was not enqueued again while we worked on it.
    const dequeue = {
      sql: `DELETE FROM search_queue WHERE item_id = ? AND enqueued_at = ?`,
      args: [itemId, enqueuedAt],
    };
    // Gone, or in the trash (not under the root): not searchable.
    const deletes = known ? this.#deleteRows(itemId) : [];
    if (!placed) return [...deletes, dequeue];
    const { item, path } = placed;
    const doc = await this.#document(item);
    const fields = [doc.fields, ...(await this.#hookFields(item))].filter(Boolean).join("\n");
    const comments = await this.#comments(item);
    this.#recent.push(this.#now());
    return [
      ...deletes,
      {
        sql:
          `INSERT INTO search_docs (item_id, blob_hash, status, reason, chars, indexed_at) VALUES (?, ?, ?, ?, ?, ?)`,
        args: [itemId, item.blobHash, doc.status, doc.reason ?? null, doc.text.length, this.#now()],
      },
      {
        sql:
          `INSERT INTO search_fts (rowid, name, path, body, fields, comments) VALUES (last_insert_rowid(), ?, ?, ?, ?, ?)`,
        args: [item.name, path, doc.text, fields, comments],
      },
      {
        sql: `INSERT INTO search_names (rowid, name) SELECT doc_id, ? FROM search_docs WHERE item_id = ?`,
        args: [item.name, itemId],
      },
      dequeue,
    ];
  }

  #deleteRows(itemId: string): InStatement[] {
    const doc = `SELECT doc_id FROM search_docs WHERE item_id = ?`;
    return [
      { sql: `DELETE FROM search_fts WHERE rowid IN (${doc})`, args: [itemId] },
      { sql: `DELETE FROM search_names WHERE rowid IN (${doc})`, args: [itemId] },
      { sql: `DELETE FROM search_docs WHERE item_id = ?`, args: [itemId] },
    ];
  }

  async #document(item: Item): Promise<
    { text: string; fields: string; status: "indexed" | "failed" | "skipped"; reason?: string }
  > {
    if (item.kind !== "file" || !item.blobHash || !hasExtractor(item.type, item.name)) {
      return { text: "", fields: "", status: "indexed" };
    }
    try {
      const out = await this.pool.run({
        path: this.blobs.pathOf(item.blobHash),
        type: item.type,
        name: item.name,
        size: item.size,
      });
      return { text: out.text, fields: out.fields, status: "indexed" };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.log.info("search index: file not read", { item: item.id, reason });
      // Its name and path stay searchable; the reason is shown on the status page.
      return {
        text: "",
        fields: "",
        status: error instanceof ExtractLimitError ? "skipped" : "failed",
        reason,
      };
    }
  }

  async #comments(item: Item): Promise<string> {
    try {
      return (await this.options.commentsOf?.(item)) ?? "";
    } catch (error) {
      this.log.warn("search indexer: comments not read", { item: item.id, error: String(error) });
      return "";
    }
  }

  async #hookFields(item: Item): Promise<string[]> {
    const out: string[] = [];
    for (const hook of this.options.fieldsHooks ?? []) {
      try {
        const v = await hook(item);
        if (v) out.push(v);
      } catch (error) {
        this.log.warn("search indexer hook failed", { item: item.id, error: String(error) });
      }
    }
    return out;
  }
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}
