/**
 * A full disk, for real (issue #13.6): the user server's data directory on an 8 MiB tmpfs. An
 * upload that cannot fit is refused before a byte is written; a disk that fills mid-upload answers
 * 507 with a sentence (not a reset), and the upload resumes once space is freed; a folder made on
 * a full disk is refused the same way; Settings shows the free space.
 * Needs root for `mount -t tmpfs` (the suite runs as root here); it fails, never skips, without it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { silentLogger } from "../../shared/log/mod.ts";
import { startUserServer, type UserServer } from "../boot/mod.ts";
import { CONFIG_VERSION, loadUserServerConfig } from "../config/mod.ts";
import { ROOT_ID } from "../store/mod.ts";
import { tusClient } from "./_test_tus.ts";

const TOKEN = "disk-full-test-owner-token-0123456789abcdef";
const MiB = 1024 * 1024;
const mnt = mkdtempSync(join(tmpdir(), "hearth-diskfull-"));
const filler = join(mnt, "filler");
let s: UserServer | undefined;

beforeAll(async () => {
  const m = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", mnt]);
  if (m.exitCode !== 0) {
    throw new Error(`Cannot mount a tmpfs (this test needs root): ${m.stderr.toString()}`);
  }
  writeFileSync(
    join(mnt, "config.json"),
    JSON.stringify({ version: CONFIG_VERSION, name: "alice", setupDone: true, testOwnerToken: TOKEN }),
  );
  const { config } = loadUserServerConfig(mnt, join(mnt, "config.json"));
  s = await startUserServer({ config, log: silentLogger, listen: false });
});
afterAll(async () => {
  await s?.stop();
  // Lazy: a descriptor the runtime has not closed yet must not leave the mount behind.
  Bun.spawnSync(["umount", "-l", mnt]);
  rmSync(join(mnt, "config.json"), { force: true }); // only if the mount failed
  rmdirSync(mnt);
});

const { req, create, patch } = tusClient(() => s!.relayedApp, TOKEN);

/** Writes the filler until the filesystem refuses (ENOSPC): the disk is now full. */
function fillDisk(): void {
  const fd = openSync(filler, "w");
  const chunk = new Uint8Array(64 * 1024).fill(1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
    // One more byte-sized pass, so not even a small page fits.
    try {
      for (;;) writeSync(fd, chunk.subarray(0, 512));
    } catch { /* full */ }
  } finally {
    closeSync(fd);
  }
}

describe("on a full disk", () => {
  test("Settings shows the free space", async () => {
    const page = await (await req("/settings")).text();
    expect(page).toMatch(/data-figure="free-space">[0-9.]+ (KB|MB) free of 8(\.0)? MB</);
  });

  test("an upload that cannot fit is refused before any byte is written (507, with a sentence)", async () => {
    const res = await create("huge.bin", 20 * MiB);
    expect(res.status).toBe(507);
    expect(await res.text()).toMatch(
      /^This upload needs 20(\.0)? MB and the server has .* free — free space/,
    );
  });

  test("uploads under way count: a third that only fits if the first two were not there is refused", async () => {
    const urls: string[] = [];
    for (const name of ["a.bin", "b.bin"]) {
      const res = await create(name, 3 * MiB);
      expect(res.status).toBe(201);
      urls.push(res.headers.get("location")!);
    }
    const third = await create("c.bin", 3 * MiB);
    expect(third.status).toBe(507);
    expect(await third.text()).toMatch(/^This upload needs 3(\.0)? MB and the server has .* free/);
    for (const url of urls) expect((await req(url, { method: "DELETE" })).status).toBe(204);
    const fits = await create("c.bin", 3 * MiB);
    expect(fits.status).toBe(201);
    expect((await req(fits.headers.get("location")!, { method: "DELETE" })).status).toBe(204);
  });

  test("the disk filling mid-upload answers 507 with a sentence; the upload resumes once space is freed", async () => {
    const data = Uint8Array.from({ length: MiB + 4321 }, (_, i) => (i * 29 + (i >> 12)) & 0xff);
    const created = await create("photo.raw", data.length);
    expect(created.status).toBe(201);
    const url = created.headers.get("location")!;
    fillDisk();
    const cut = await patch(url, data, 0);
    expect(cut.status).toBe(507);
    expect(await cut.text()).toBe("The server's disk is full — free space and the upload will resume");

    const mkdir = await req("/browse/root/mkdir", {
      method: "POST",
      body: new URLSearchParams({ name: "Holiday" }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    // SQLite may still have room in its WAL for one small row; if it had none, it says so.
    if (mkdir.status !== 303) {
      expect(mkdir.status).toBe(507);
      expect(await mkdir.text()).toContain("disk is full — free space and try again");
    }

    rmSync(filler);
    const head = await req(url, { method: "HEAD" });
    expect(head.status).toBe(200);
    const offset = Number(head.headers.get("upload-offset"));
    expect(offset).toBeLessThan(data.length);
    const done = await patch(url, data, offset);
    expect(done.status).toBe(204);
    const item = (await s!.core.store.items.children(ROOT_ID)).find((i) => i.name === "photo.raw");
    expect(item?.blobHash).toBe(createHash("sha256").update(data).digest("hex"));
    expect(await s!.core.store.blobs.verify(item!.blobHash!)).toBe(true);
  });
});
