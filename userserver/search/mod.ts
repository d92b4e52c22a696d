/**
 * Search: the front (queries in, results out; `search()`), the indexer (signals in, FTS rows out,
 * extraction in a worker) and the searcher, all on SQLite FTS5 in the user server's own database.
 */
import type { Logger } from "../../shared/log/mod.ts";
import type { UserDb } from "../database/mod.ts";
import type { Signals } from "../signals/mod.ts";
import type { Item, Store } from "../store/mod.ts";
import { DEFAULT_LIMITS, type ExtractLimits } from "./extract/mod.ts";
import { type FieldsHook, Indexer, type IndexerProgress } from "./indexer.ts";
import { Searcher, type SearcherOptions, type SearchRequest, type SearchResult } from "./searcher.ts";

export { type FieldsHook, Indexer, type IndexerProgress, PRIORITY } from "./indexer.ts";
export { highlight, Searcher, type SearchHit, type SearchRequest, type SearchResult } from "./searcher.ts";
export { parseQuery } from "./query.ts";
export { DEFAULT_LIMITS, type ExtractLimits } from "./extract/mod.ts";

export interface SearchOptions extends SearcherOptions {
  limits?: Partial<ExtractLimits>;
  fieldsHooks?: FieldsHook[];
  /** The text of an item's comments (userserver/comments), matched by the owner's searches only. */
  commentsOf?: (item: Item) => Promise<string>;
  batchSize?: number;
}

export class Search {
  readonly indexer: Indexer;
  readonly searcher: Searcher;

  constructor(db: UserDb, store: Store, signals: Signals, log: Logger, options: SearchOptions = {}) {
    this.indexer = new Indexer(db, store.items, store.blobs, signals, log, {
      limits: { ...DEFAULT_LIMITS, ...options.limits },
      fieldsHooks: options.fieldsHooks,
      commentsOf: options.commentsOf,
      batchSize: options.batchSize,
    });
    this.searcher = new Searcher(db, options);
  }

  start(): Promise<void> {
    return this.indexer.start();
  }

  stop(): Promise<void> {
    return this.indexer.stop();
  }

  search(req: SearchRequest): Promise<SearchResult> {
    return this.searcher.search(req);
  }

  progress(): Promise<IndexerProgress> {
    return this.indexer.progress();
  }
}
