/**
 * Unfinished uploads (#15): listed for their folder with the bytes the server has, discarded by
 * the owner with a tus DELETE, and removed once older than `uploadExpiryDays` (here 2 days; the
 * upload's start is moved back in its metadata and the server restarted, which sweeps, rather than
 * waiting an hour).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../shared/log/mod.ts";
import { startUserServer, type UserServer } from "../boot/mod.ts";
import { CONFIG_VERSION, loadUserServerConfig } from "../config/mod.ts";
import { ROOT_ID } from "../store/mod.ts";
import { tusClient } from "./_test_tus.ts";
import type { UnfinishedUpload } from "./uploads.ts";

const TOKEN = "unfinished-test-owner-token-0123456789abcdef";
const dir = mkdtempSync(join(tmpdir(), "hearth-unfinished-"));
writeFileSync(
  join(dir, "config.json"),
  JSON.stringify({
    version: CONFIG_VERSION,
    name: "alice",
    setupDone: true,
    testOwnerToken: TOKEN,
    uploadExpiryDays: 2,
  }),
);
let s: UserServer;
async function boot(): Promise<void> {
  const { config } = loadUserServerConfig(dir, join(dir, "config.json"));
  s = await startUserServer({ config, log: silentLogger, listen: false });
}
beforeAll(boot);
afterAll(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const { req, create, patch } = tusClient(() => s.relayedApp, TOKEN);

async function listed(): Promise<UnfinishedUpload[]> {
  const res = await req(`/upload/unfinished/${ROOT_ID}`, {});
  expect(res.status).toBe(200);
  return ((await res.json()) as { uploads: UnfinishedUpload[] }).uploads;
}
/** Starts an upload of `size` bytes and sends the first `sent`. */
async function begin(name: string, size: number, sent: number): Promise<string> {
  const res = await create(name, size);
  expect(res.status).toBe(201);
  const url = res.headers.get("location")!;
  const data = new Uint8Array(size).fill(7);
  if (sent > 0) expect((await patch(url, data.slice(0, sent), 0)).status).toBe(204);
  return url;
}
const idOf = (url: string) => url.split("/").pop()!;

describe("unfinished uploads", () => {
  test("are listed for their folder with the bytes the server has, and leave the list when finished", async () => {
    const half = await begin("half.bin", 1000, 400);
    const done = await begin("done.bin", 10, 0);
    expect((await listed()).map((u) => [u.name, u.offset, u.size])).toContainEqual(["half.bin", 400, 1000]);
    const row = (await listed()).find((u) => u.id === idOf(half))!;
    expect(row.parent).toBe(ROOT_ID);
    expect(row.expires - row.created).toBe(2 * 24 * 3600_000);
    expect((await patch(done, new Uint8Array(10), 0)).status).toBe(204);
    expect((await listed()).map((u) => u.name)).not.toContain("done.bin");
  });

  test("a folder that does not exist answers 404, and only the owner may list", async () => {
    expect((await req("/upload/unfinished/nope", {})).status).toBe(404);
    const res = await s.relayedApp.request(`https://alice.hearth.localhost/upload/unfinished/${ROOT_ID}`);
    expect(res.status).not.toBe(200);
  });

  test("the owner discards one with a tus DELETE: its bytes leave uploads/", async () => {
    const url = await begin("discard.bin", 500, 100);
    expect(existsSync(join(dir, "uploads", idOf(url)))).toBe(true);
    expect((await req(url, { method: "DELETE" })).status).toBe(204);
    expect(existsSync(join(dir, "uploads", idOf(url)))).toBe(false);
    expect((await listed()).map((u) => u.id)).not.toContain(idOf(url));
  });

  test("one older than uploadExpiryDays is removed by the sweep; a younger one stays", async () => {
    const old = idOf(await begin("old.bin", 800, 200));
    const young = idOf(await begin("young.bin", 800, 200));
    const metaPath = join(dir, "uploads", `${old}.json`);
    const meta = JSON.parse(readFileSync(metaPath, "utf8"));
    meta.creation_date = new Date(Date.now() - 2 * 24 * 3600_000 - 60_000).toISOString();
    writeFileSync(metaPath, JSON.stringify(meta));
    // tus already answers it as gone; its bytes stay until the sweep.
    expect((await req(`/upload/tus/${old}`, { method: "HEAD" })).status).toBe(410);
    expect(existsSync(join(dir, "uploads", old))).toBe(true);
    // The sweep runs at start (and hourly): a restart runs it now.
    await s.stop();
    await boot();
    expect(existsSync(join(dir, "uploads", old))).toBe(false);
    expect(existsSync(join(dir, "uploads", `${old}.json`))).toBe(false);
    expect(existsSync(join(dir, "uploads", young))).toBe(true);
    const ids = (await listed()).map((u) => u.id);
    expect(ids).toContain(young);
    expect(ids).not.toContain(old);
  });
});
