/** Test helper: the core modules on a temp data directory with a real libSQL file. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, type Logger } from "../shared/log/mod.ts";
import { openReader, openUserDb, type UserDb } from "./database/mod.ts";
import { Signals } from "./signals/mod.ts";
import { Store } from "./store/mod.ts";
import { Permissions } from "./permissions/mod.ts";

export interface TestCore {
  dir: string;
  db: UserDb;
  log: Logger;
  logLines: string[];
  signals: Signals;
  store: Store;
  permissions: Permissions;
  close(): void;
}

export async function testCore(owner = "alice"): Promise<TestCore> {
  const dir = mkdtempSync(join(tmpdir(), "hearth-us-"));
  const logLines: string[] = [];
  const log = createLogger({ format: "json", level: "debug", sink: (l) => void logLines.push(l) });
  const db = await openUserDb(dir);
  const signals = new Signals(log);
  const store = new Store(dir, db, signals, log);
  await store.start();
  const reader = openReader(dir);
  const permissions = new Permissions(db, store.items, owner, reader);
  return {
    dir,
    db,
    log,
    logLines,
    signals,
    store,
    permissions,
    close() {
      reader.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
