/**
 * `bun run userserver backup <dir>` and `restore <dir>` as an operator runs them, on a real user
 * server: a backup taken while the server runs, re-run (only what is missing is copied), a damaged
 * blob refused by restore, and a restore into a fresh data dir that a started server serves from.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { cpSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { createHash } from "node:crypto";
import { type Harness, startHarness, ZONE } from "./harness.ts";
import { restartUserWith, TEST_OWNER_TOKEN } from "./userserver_helpers.ts";
import { runCli } from "./cli_helpers.ts";

let h: Harness;
let dir: string;

beforeAll(async () => {
  h = await startHarness({ relays: 0, users: ["alice"] });
  dir = h.dirs.users.alice;
  await restartUserWith(h, "alice", { testOwnerToken: TEST_OWNER_TOKEN });
});
afterAll(async () => await h?.stop());

const contents = {
  "notes.txt": "Hearth keeps this line across a backup and a restore.\n",
  "data.bin": Buffer.alloc(300_000, 7).toString("latin1") + "tail",
};

function fileIdOf(dataDir: string, name: string): string {
  const db = new Database(join(dataDir, "userserver.db"), { readonly: true });
  try {
    return (db.query("SELECT id FROM items WHERE name = ?").get(name) as { id: string }).id;
  } finally {
    db.close();
  }
}

function rowsOf(dataDir: string, sql: string): unknown[] {
  const db = new Database(join(dataDir, "userserver.db"), { readonly: true });
  try {
    return db.query(sql).all();
  } finally {
    db.close();
  }
}

/** A request by alice's owner on her relayed socket (with her pages' Origin, for the CSRF check). */
function asAlice(path: string, init: RequestInit = {}): Promise<Response> {
  const port = h.user("alice").publicPort;
  return fetch(`https://alice.${ZONE}${path}`, {
    ...init,
    redirect: "manual",
    unix: join(dir, "relayed.sock"),
    tls: { ca: h.caPem },
    headers: {
      cookie: `__Host-hearth-test-owner=${TEST_OWNER_TOKEN}`,
      origin: `https://alice.${ZONE}${port === 443 ? "" : `:${port}`}`,
    },
  } as RequestInit);
}

const ITEMS = "SELECT id, parent_id, name, kind, blob_hash, size FROM items ORDER BY id";

function hashesUnder(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!d.isFile()) continue;
    const path = join(d.parentPath, d.name);
    out[relative(root, path)] = createHash("sha256").update(readFileSync(path)).digest("hex");
  }
  return out;
}

test("backup while serving, re-run copies only what is missing, restore serves the same files", async () => {
  for (const [name, text] of Object.entries(contents)) {
    const form = new FormData();
    form.append("files", new File([Buffer.from(text, "latin1")], name));
    const res = await asAlice("/browse/root/upload", { method: "POST", body: form });
    expect(res.status).toBe(303);
  }
  const backup = join(h.baseDir, "backup");
  const inside = await runCli(["userserver/main.ts", "backup", join(dir, "backup"), "--data-dir", dir]);
  expect(inside.code).toBe(1);
  expect(inside.stderr).toContain("one is inside the other");

  // First run, with the server up: both blobs copied.
  const first = await runCli(["userserver/main.ts", "backup", backup, "--data-dir", dir]);
  expect(first.code).toBe(0);
  expect(JSON.parse(first.stdout)).toMatchObject({ blobsCopied: 2, blobsKept: 0 });

  // Second run: nothing to copy; then one blob lost from the backup is the only one copied.
  const second = JSON.parse(
    (await runCli(["userserver/main.ts", "backup", backup, "--data-dir", dir])).stdout,
  );
  expect(second).toMatchObject({ blobsCopied: 0, blobsKept: 2 });
  const blobFiles = Object.keys(hashesUnder(join(backup, "blobs")));
  rmSync(join(backup, "blobs", blobFiles[0]));
  const third = JSON.parse(
    (await runCli(["userserver/main.ts", "backup", backup, "--data-dir", dir])).stdout,
  );
  expect(third).toMatchObject({ blobsCopied: 1, blobsKept: 1 });

  // A damaged blob in a copy of the backup: restore refuses it and leaves no data dir behind.
  const damaged = join(h.baseDir, "backup-damaged");
  cpSync(backup, damaged, { recursive: true });
  writeFileSync(join(damaged, "blobs", blobFiles[0]), "not the content its name promises");
  const refused = await runCli([
    "userserver/main.ts",
    "restore",
    damaged,
    "--data-dir",
    join(h.baseDir, "nowhere"),
  ]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("is damaged");
  expect(readdirSync(h.baseDir)).not.toContain("nowhere");

  // Restore into a fresh data dir: same items, same blobs, same kept files.
  await h.processes.get("user:alice")?.stop();
  const restored = join(h.baseDir, "restored");
  const res = await runCli(["userserver/main.ts", "restore", backup, "--data-dir", restored]);
  expect(res.code).toBe(0);
  expect(rowsOf(restored, ITEMS)).toEqual(rowsOf(dir, ITEMS));
  expect(hashesUnder(join(restored, "blobs"))).toEqual(
    Object.fromEntries(
      Object.entries(hashesUnder(join(dir, "blobs"))).filter(([p]) => !p.startsWith("tmp/")),
    ),
  );
  for (const kept of ["config.json", "server.key", "tls.key", "tls.crt"]) {
    expect(readFileSync(join(restored, kept), "utf8")).toBe(readFileSync(join(dir, kept), "utf8"));
  }

  // Alice's server started on the restored dir (in her dir's place) serves the same bytes.
  renameSync(dir, `${dir}.before-restore`);
  renameSync(restored, dir);
  await h.start("user:alice");
  for (const [name, text] of Object.entries(contents)) {
    const got = await asAlice(`/files/${fileIdOf(dir, name)}`);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).toString("latin1")).toBe(text);
  }
}, 180_000);
