/** Test-only: cloud deps over a fresh libSQL file and a clock the test moves. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../platform/db.ts";
import * as cloudSchema from "../shared/db/cloud/schema.ts";
import { silentLogger } from "../shared/log/mod.ts";
import type { CloudDeps } from "./deps.ts";

const migrationsFolder = new URL("../migrations/cloud", import.meta.url).pathname;

export async function testDeps(): Promise<CloudDeps & { clock: { now: number }; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "hearth-edge-"));
  const db = await openDatabase(`file:${join(dir, "cloud.db")}`, { schema: cloudSchema, migrationsFolder });
  const clock = { now: Date.UTC(2026, 10, 23, 12, 0, 0) };
  return {
    db,
    log: silentLogger,
    zone: "hearth.localhost",
    now: () => clock.now,
    clock,
    cleanup() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
