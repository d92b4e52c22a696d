import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { sql } from "drizzle-orm";
import { openDatabase } from "./db.ts";
import * as cloudSchema from "../shared/db/cloud/schema.ts";

const migrationsFolder = new URL("../migrations/cloud", import.meta.url).pathname;

test("migrations apply at open, WAL is on, reopening reuses the file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hearth-db-"));
  try {
    const url = `file:${join(dir, "cloud.db")}`;
    const db = await openDatabase(url, { schema: cloudSchema, migrationsFolder });
    const mode = await db.client.execute("PRAGMA journal_mode");
    assert.equal(String(mode.rows[0][0]).toLowerCase(), "wal");
    await db.orm.insert(cloudSchema.tunnelEvents).values({
      serverId: "s",
      relayId: "r",
      kind: "tunnel_up",
      remoteAddress: "127.0.0.1",
      at: 1,
    });
    db.close();
    const again = await openDatabase(url, { schema: cloudSchema, migrationsFolder });
    const rows = await again.orm.select().from(cloudSchema.tunnelEvents);
    assert.equal(rows.length, 1);
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("800 concurrent write transactions while a second process writes: no failures, no lost writes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hearth-db-"));
  try {
    const url = `file:${join(dir, "cloud.db")}`;
    const db = await openDatabase(url, { schema: cloudSchema, migrationsFolder });
    // The second process: a plain client inserting 400 rows, one transaction each.
    const script = `
      import { createClient } from "@libsql/client";
      const c = createClient({ url: ${JSON.stringify(url)}, timeout: 20000 });
      for (let i = 0; i < 400; i++) {
        const tx = await c.transaction("write");
        await tx.execute({ sql: "insert into tunnel_events (server_id, relay_id, kind, remote_address, at) values ('other', 'r', 'tunnel_up', 'x', ?)", args: [i] });
        await tx.commit();
      }
      c.close();
    `;
    const other = spawn(process.execPath, ["--eval", script], { cwd: process.cwd(), stdio: "inherit" });
    const otherDone = new Promise<number | null>((resolve) => other.on("exit", resolve));
    const results = await Promise.allSettled(
      Array.from({ length: 800 }, (_, i) =>
        db.write(async () => {
          const tx = await db.client.transaction("write");
          try {
            await tx.execute({
              sql:
                "insert into tunnel_events (server_id, relay_id, kind, remote_address, at) values ('mine', 'r', 'tunnel_up', 'x', ?)",
              args: [i],
            });
            await tx.commit();
          } finally {
            tx.close();
          }
        })),
    );
    assert.equal(await otherDone, 0, "the second process wrote without errors");
    const failures = results.filter((r) => r.status === "rejected");
    assert.equal(
      failures.length,
      0,
      `failures: ${failures.map((f) => String((f as PromiseRejectedResult).reason)).slice(0, 3)}`,
    );
    const counts = await db.orm.all<{ server_id: string; n: number }>(
      sql`select server_id, count(*) as n from tunnel_events group by server_id order by server_id`,
    );
    assert.deepEqual(counts.map((r) => [r.server_id, Number(r.n)]), [["mine", 800], ["other", 400]]);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
