/**
 * A database write error as a tus upload finishes (issue #13.5): the client hears a clear status,
 * no blob without a row appears, the upload stays complete on disk, and retrying the last request
 * (or asking its offset, as tus-js-client does) once the fault clears stores the item.
 * The fault is injected at the DB write (the process's one write path), as a full WAL would.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { LibsqlError } from "@libsql/client";
import { silentLogger } from "../../shared/log/mod.ts";
import { startUserServer, type UserServer } from "../boot/mod.ts";
import { CONFIG_VERSION, loadUserServerConfig } from "../config/mod.ts";
import { ROOT_ID } from "../store/mod.ts";
import { tusClient } from "./_test_tus.ts";

const TOKEN = "uploads-test-owner-token-0123456789abcdef";
const dir = mkdtempSync(join(tmpdir(), "hearth-uploads-"));
writeFileSync(
  join(dir, "config.json"),
  JSON.stringify({ version: CONFIG_VERSION, name: "alice", setupDone: true, testOwnerToken: TOKEN }),
);
let s: UserServer;
/** While set, every DB write fails with this error. */
let fault: Error | undefined;
/** Starts the server on `dir`, with the fault hook at its one DB write path. */
async function boot(): Promise<void> {
  const { config } = loadUserServerConfig(dir, join(dir, "config.json"));
  s = await startUserServer({ config, log: silentLogger, listen: false });
  const write = s.core.db.write.bind(s.core.db);
  s.core.db.write = (fn) => fault ? Promise.reject(fault) : write(fn);
}
beforeAll(boot);
afterAll(async () => {
  fault = undefined;
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const { req, create: tusCreate, patch } = tusClient(() => s.relayedApp, TOKEN);
async function create(name: string, size: number): Promise<string> {
  const res = await tusCreate(name, size);
  expect(res.status).toBe(201);
  return res.headers.get("location")!;
}
const uploadFiles = () =>
  readdirSync(join(dir, "uploads")).filter((n) => !n.endsWith(".json") && n !== "edits");
const named = async (name: string) =>
  (await s.core.store.items.children(ROOT_ID)).find((i) => i.name === name);

describe("a DB write error as an upload finishes", () => {
  for (const retry of ["PATCH", "HEAD"] as const) {
    test(`answers 503 with a sentence, leaves no blob, and a retried ${retry} stores it once the fault clears`, async () => {
      const data = Uint8Array.from(
        { length: 300_000 + retry.length },
        (_, i) => (i * 7 + retry.length) & 0xff,
      );
      const name = `fault-${retry}.bin`;
      const url = await create(name, data.length);
      expect((await patch(url, data.subarray(0, 100_000), 0)).status).toBe(204);

      fault = new LibsqlError("disk I/O error", "SQLITE_IOERR", "SQLITE_IOERR_WRITE");
      const last = await patch(url, data, 100_000);
      expect(last.status).toBe(503);
      expect(await last.text()).toContain("could not read or write its storage");
      expect(s.core.store.blobs.has(sha(data))).toBe(false); // no blob without a row
      expect(await named(name)).toBeUndefined();
      // Asking while the fault lasts never reports the upload as done.
      const head = await req(url, { method: "HEAD" });
      expect(head.status).toBe(503);
      expect(s.core.store.blobs.has(sha(data))).toBe(false);

      fault = undefined;
      const again = retry === "PATCH" ? await patch(url, data, 100_000) : await req(url, { method: "HEAD" });
      expect(again.status).toBe(retry === "PATCH" ? 204 : 200);
      expect(again.headers.get("upload-offset")).toBe(String(data.length));
      const item = await named(name);
      expect(item?.blobHash).toBe(sha(data));
      expect(again.headers.get("hearth-item-id")).toBe(item!.id);
      expect(await s.core.store.blobs.verify(sha(data))).toBe(true);
      expect(uploadFiles()).toEqual([]); // the upload's file went once the row existed
      // Asking once more answers the same, and stores nothing twice.
      expect((await patch(url, data, 100_000)).status).toBe(204);
      expect((await s.core.store.items.children(ROOT_ID)).filter((i) => i.blobHash === sha(data)))
        .toHaveLength(1);
      expect(await s.core.store.gc()).toBe(0);
    });
  }

  test("a crash between the row and removing the upload's file: the retry after restart stores nothing twice", async () => {
    const data = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 5 + 1) & 0xff);
    const url = await create("crash.bin", data.length);
    const id = url.split("/").at(-1)!;
    const meta = readFileSync(join(dir, "uploads", `${id}.json`));
    expect((await patch(url, data, 0)).status).toBe(204);
    const item = (await named("crash.bin"))!;
    // What the disk holds if the process died right after the commit: the upload's file (a second
    // link to the blob) and its metadata.
    linkSync(s.core.store.blobs.pathOf(item.blobHash!), join(dir, "uploads", id));
    writeFileSync(join(dir, "uploads", `${id}.json`), meta);
    await s.stop();
    await boot();
    const head = await req(url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("hearth-item-id")).toBe(item.id);
    expect((await s.core.store.items.children(ROOT_ID)).filter((i) => i.blobHash === item.blobHash))
      .toHaveLength(1);
    expect(uploadFiles()).toEqual([]);
  });

  test("a full database says so (507) and the upload still completes afterwards", async () => {
    const data = Uint8Array.from({ length: 50_000 }, (_, i) => (i * 11) & 0xff);
    const url = await create("full.bin", data.length);
    fault = new LibsqlError("database or disk is full", "SQLITE_FULL");
    const res = await patch(url, data, 0);
    fault = undefined;
    expect(res.status).toBe(507);
    expect(await res.text()).toBe("The server's disk is full — free space and the upload will resume");
    expect(existsSync(join(dir, "uploads", url.split("/").at(-1)!))).toBe(true);
    expect((await req(url, { method: "HEAD" })).status).toBe(200);
    expect((await named("full.bin"))?.blobHash).toBe(sha(data));
  });
});

describe("an empty file", () => {
  test("uploads like any other: 201, the item exists with size 0, and a HEAD on its URL says it is complete", async () => {
    const res = await tusCreate("empty.txt", 0);
    expect(res.status).toBe(201);
    const item = await named("empty.txt");
    expect(item?.size).toBe(0);
    expect(item?.blobHash).toBe(sha(new Uint8Array(0)));
    expect(res.headers.get("hearth-item-id")).toBe(item!.id);
    const head = await req(res.headers.get("location")!, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("upload-offset")).toBe("0");
  });
});
