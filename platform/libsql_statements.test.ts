/**
 * A file database opened as every process opens it (platform/db.ts) keeps its memory flat over
 * many executed statements: libSQL's native client leaks each statement it prepares, so without
 * the reuse this grows by ~3 KiB per statement (~300 MiB here), with it by far less.
 */
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "./db.ts";

test("100,000 executed statements do not grow the process by their number", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hearth-libsql-"));
  // No migrations: drizzle's journal with no entries.
  mkdirSync(join(dir, "migrations", "meta"), { recursive: true });
  writeFileSync(
    join(dir, "migrations", "meta", "_journal.json"),
    JSON.stringify({ version: "7", dialect: "sqlite", entries: [] }),
  );
  const db = await openDatabase(`file:${join(dir, "t.db")}`, {
    schema: {},
    migrationsFolder: join(dir, "migrations"),
  });
  try {
    await db.client.execute("create table t (id integer primary key, name text)");
    const rssMiB = () => process.memoryUsage().rss / 1048576;
    const round = async (from: number) => {
      for (let j = from; j < from + 25_000; j++) {
        await db.client.execute({ sql: "insert into t (id, name) values (?, ?)", args: [j, `name ${j}`] });
        await db.client.execute({ sql: "select name from t where id = ?", args: [j] });
      }
      Bun.gc(true);
    };
    await round(0); // warm: the page cache, the JIT, the statements kept
    const before = rssMiB();
    await round(25_000);
    const grown = rssMiB() - before;
    // 50,000 statements leaked would be ~140 MiB; kept and reused, a few MiB of page cache.
    expect(grown).toBeLessThan(60);
    const count = await db.client.execute("select count(*) as n from t");
    expect(Number(count.rows[0].n)).toBe(50_000);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
