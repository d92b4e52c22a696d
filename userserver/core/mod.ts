/**
 * The core: every module that is not a page, built once, in order — config, database, signals,
 * store, permissions, notifications (later search and activity) — and returned as one typed
 * object. Plugins and the web layer receive it; nothing is assigned later. Starting and stopping
 * (subscriptions, listeners, the connector) is the lifecycle's job (`userserver/boot/`).
 */
import type { Logger } from "../../shared/log/mod.ts";
import { dirname } from "node:path";
import { ConfigStore, type UserServerConfig } from "../config/mod.ts";
import { openReader, openUserDb, type Reader, type UserDb } from "../database/mod.ts";
import { Signals } from "../signals/mod.ts";
import { Store } from "../store/mod.ts";
import { Permissions } from "../permissions/mod.ts";
import { Notifications } from "../notifications/mod.ts";
import { Search } from "../search/mod.ts";
import { Comments } from "../comments/store.ts";
import { StreamSources } from "../connector/sources.ts";

export interface Core {
  /** The configuration (`config.current`); Settings edits its live part and writes the file back. */
  config: ConfigStore;
  log: Logger;
  db: UserDb;
  /** Prepared statements for the hot read paths (listings, the access check). */
  reader: Reader;
  signals: Signals;
  store: Store;
  permissions: Permissions;
  notifications: Notifications;
  /** Full-text search: the indexer follows the store's signals; started by the lifecycle. */
  search: Search;
  /** Browser addresses of relayed connections (the connector records, throttles read). */
  sources: StreamSources;
}

/** Opens the database (migrated), readies the store (crash leftovers dropped, root made) and builds the rest. */
export async function createCore(config: UserServerConfig, log: Logger): Promise<Core> {
  const configStore = new ConfigStore(config, log);
  const db = await openUserDb(config.dataDir);
  const reader = openReader(config.dataDir);
  try {
    const signals = new Signals(log.child({ module: "signals" }));
    // The CA's folder is never read into the store (its certificate file names it).
    const caDirs = config.caFile ? [dirname(config.caFile)] : [];
    const store = new Store(config.dataDir, db, signals, log.child({ module: "store" }), Date.now, caDirs);
    await store.start();
    const permissions = new Permissions(db, store.items, config.name, reader);
    const notifications = new Notifications(db, signals);
    const comments = new Comments(db);
    const search = new Search(db, store, signals, log.child({ module: "search" }), {
      commentsOf: (item) => comments.searchText(item),
    });
    const sources = new StreamSources();
    return {
      config: configStore,
      log,
      db,
      reader,
      signals,
      store,
      permissions,
      notifications,
      search,
      sources,
    };
  } catch (e) {
    reader.close();
    db.close();
    throw e;
  }
}
