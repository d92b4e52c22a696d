/**
 * A read connection beside libSQL's pool, for the hot read paths (folder listings, the access
 * check): statements are prepared once and reused across requests (`@libsql/client` prepares
 * every statement on every call), and `changed()` tells a cache whether anything was committed
 * since it last looked (SQLite's `data_version`, which moves when another connection commits).
 */
import { Database, type SQLQueryBindings, type Statement } from "bun:sqlite";
import { join } from "node:path";

export interface Reader {
  all<T>(sql: string, args?: Record<string, SQLQueryBindings>): T[];
  get<T>(sql: string, args?: Record<string, SQLQueryBindings>): T | undefined;
  /** A number that changes whenever any other connection commits a write. */
  version(): number;
  close(): void;
}

/** Opens `<dataDir>/userserver.db` for reads only (the file exists: `openUserDb` made and migrated it). */
export function openReader(dataDir: string): Reader {
  const db = new Database(join(dataDir, "userserver.db"));
  db.exec("PRAGMA query_only = 1");
  db.exec("PRAGMA busy_timeout = 10000");
  const statements = new Map<string, Statement>();
  const prepared = (sql: string) => {
    let s = statements.get(sql);
    if (!s) statements.set(sql, s = db.prepare(sql));
    return s;
  };
  const version = db.prepare("PRAGMA data_version");
  return {
    all: <T>(sql: string, args: Record<string, SQLQueryBindings> = {}) => prepared(sql).all(args) as T[],
    get: <T>(sql: string, args: Record<string, SQLQueryBindings> = {}) =>
      (prepared(sql).get(args) ?? undefined) as T | undefined,
    version: () => (version.get() as { data_version: number }).data_version,
    close: () => {
      for (const s of statements.values()) s.finalize();
      version.finalize();
      db.close();
    },
  };
}
