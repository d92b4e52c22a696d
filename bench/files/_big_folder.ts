/**
 * Benchmark helper: a user server (no listeners, a test-owner token) with one folder of `n` files
 * (`IMG_00000.jpg` …, sizes spread, one shared blob), written straight into the database so the
 * set-up takes seconds, not minutes.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../shared/log/mod.ts";
import { blobs, items } from "../../shared/db/userserver/schema.ts";
import { startUserServer, type UserServer } from "../../userserver/boot/mod.ts";
import { CONFIG_VERSION, loadUserServerConfig } from "../../userserver/config/mod.ts";
import { type Item, ROOT_ID } from "../../userserver/store/mod.ts";

export async function bigFolderServer(
  n: number,
  token: string,
): Promise<{ s: UserServer; folder: Item; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "hearth-bench-folder-"));
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({ version: CONFIG_VERSION, name: "alice", setupDone: true, testOwnerToken: token }),
  );
  const s = await startUserServer({
    config: loadUserServerConfig(dir, join(dir, "config.json")).config,
    log: silentLogger,
    listen: false,
  });
  const folder = await s.core.store.createFolder(ROOT_ID, "Big");
  const blob = await s.core.store.blobs.putBytes(new TextEncoder().encode("x"));
  await s.db.write(async () => {
    for (let i = 0; i < n; i += 500) {
      await s.db.orm.insert(items).values(Array.from({ length: Math.min(500, n - i) }, (_, j) => ({
        id: `b${i + j}`,
        parentId: folder.id,
        name: `IMG_${String(i + j).padStart(5, "0")}.jpg`,
        kind: "file" as const,
        type: "image/jpeg",
        size: ((i + j) * 7919) % 9_000_003,
        mtime: 1_700_000_000_000 + i + j,
        blobHash: blob.hash,
        aclSet: false,
        createdAt: 1,
      })));
    }
    await s.db.orm.insert(blobs).values({ hash: blob.hash, size: 1, refs: n, createdAt: 1 });
  });
  return {
    s,
    folder,
    stop: async () => {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
