/**
 * The one-pass tus PATCH (tus_patch.ts) on a real server: random uploads cut into random PATCHes,
 * some of them cut short mid-body, always end as the exact bytes with the right hash — hashed as
 * they arrived, not read again; the protocol's refusals; and a stalled PATCH giving way to the
 * client's resume.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../shared/log/mod.ts";
import { startUserServer, type UserServer } from "../boot/mod.ts";
import { CONFIG_VERSION, loadUserServerConfig } from "../config/mod.ts";
import type { AdoptOptions } from "../store/blobs.ts";
import { ROOT_ID } from "../store/mod.ts";
import { tusClient } from "./_test_tus.ts";

const TOKEN = "tus-patch-test-owner-token-0123456789abcdef";
const dir = mkdtempSync(join(tmpdir(), "hearth-tus-patch-"));
writeFileSync(
  join(dir, "config.json"),
  JSON.stringify({ version: CONFIG_VERSION, name: "alice", setupDone: true, testOwnerToken: TOKEN }),
);
let s: UserServer;
/** What each finished upload handed the store: the hash taken while receiving, if any. */
const known: Array<AdoptOptions["known"]> = [];
beforeAll(async () => {
  const { config } = loadUserServerConfig(dir, join(dir, "config.json"));
  s = await startUserServer({ config, log: silentLogger, listen: false });
  const adopt = s.core.store.blobs.adoptFile.bind(s.core.store.blobs);
  s.core.store.blobs.adoptFile = (source, opts) => {
    known.push(opts?.known);
    return adopt(source, opts);
  };
});
afterAll(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const { req, create } = tusClient(() => s.relayedApp, TOKEN);

/** A seeded generator, so a failing case can be replayed from its seed. */
function random(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

/** A body that sends `bytes` in chunks of at most `chunk` and then, if `fail`, errors (a dropped connection). */
function body(bytes: Uint8Array, chunk: number, fail: boolean): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return fail ? c.error(new Error("connection lost")) : c.close();
      c.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
}

const patch = (url: string, from: number, data: ReadableStream<Uint8Array> | Uint8Array) =>
  req(url, {
    method: "PATCH",
    headers: { "upload-offset": String(from), "content-type": "application/offset+octet-stream" },
    body: data as BodyInit,
  });
const offsetOf = async (url: string) =>
  Number((await req(url, { method: "HEAD" })).headers.get("upload-offset"));

async function startUpload(name: string, size: number): Promise<string> {
  const r = await create(name, size);
  expect(r.status).toBe(201);
  return r.headers.get("location")!;
}

describe("the one-pass PATCH", () => {
  test(
    "random uploads in random PATCHes, some cut short: the exact bytes, hashed as they arrived",
    async () => {
      for (let seed = 1; seed <= 24; seed++) {
        const rnd = random(seed * 7919);
        const size = seed % 6 === 0 ? 9 * 1024 * 1024 + rnd(4096) : rnd(300_000);
        const data = new Uint8Array(size);
        for (let i = 0; i < size; i++) data[i] = (i * 31 + seed) & 0xff;
        const name = `case-${seed}.bin`;
        const url = await startUpload(name, size);
        let offset = 0;
        let last: Response | undefined;
        while (offset < size) {
          const to = Math.min(size, offset + 1 + rnd(size));
          const cut = rnd(3) === 0; // this PATCH's connection drops after its bytes
          const chunk = 1 + rnd(70_000);
          last = await patch(url, offset, body(data.slice(offset, to), chunk, cut));
          if (!cut) {
            expect(last.status).toBe(204);
            expect(Number(last.headers.get("upload-offset"))).toBe(to);
          }
          offset = await offsetOf(url);
          expect(offset).toBe(to); // a cut PATCH keeps every byte that arrived
        }
        if (size === 0) last = await patch(url, 0, new Uint8Array(0));
        const item = (await s.core.store.items.children(ROOT_ID)).find((i) => i.name === name);
        expect(item, `seed ${seed}`).toBeDefined();
        expect(item!.size).toBe(size);
        expect(item!.blobHash).toBe(sha(data));
        expect(sha(readFileSync(s.core.store.blobs.pathOf(item!.blobHash!)))).toBe(sha(data));
        if (size > 0) expect(known.at(-1)).toEqual({ hash: sha(data), size }); // not read again
      }
    },
    300_000,
  );

  test(
    "tus's refusals: unknown upload, wrong offset, no offset, wrong type, bytes past the length",
    async () => {
      const url = await startUpload("refusals.bin", 10);
      expect((await patch("/upload/tus/nosuchupload", 0, new Uint8Array(3))).status).toBe(404);
      expect((await patch(url, 5, new Uint8Array(3))).status).toBe(409);
      const noOffset = await req(url, {
        method: "PATCH",
        headers: { "content-type": "application/offset+octet-stream" },
        body: new Uint8Array(3),
      });
      expect(noOffset.status).toBe(403);
      const wrongType = await req(url, {
        method: "PATCH",
        headers: { "upload-offset": "0", "content-type": "text/plain" },
        body: new Uint8Array(3),
      });
      expect(wrongType.status).toBe(403);
      expect(await offsetOf(url)).toBe(0);
      const tooMuch = await patch(url, 0, new Uint8Array(11));
      expect(tooMuch.status).toBe(413);
      expect(await offsetOf(url)).toBeLessThanOrEqual(10);
      const item = (await s.core.store.items.children(ROOT_ID)).find((i) => i.name === "refusals.bin");
      expect(item).toBeUndefined();
    },
    60_000,
  );

  test(
    "a stalled PATCH gives way: the client's HEAD stops it, and the resume finishes the file",
    async () => {
      const size = 200_000;
      const data = new Uint8Array(size).map((_, i) => i % 251);
      const url = await startUpload("stalled.bin", size);
      let sent = false;
      let stalledNow = false;
      const stalled = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent) {
            stalledNow = true; // the server took the first bytes and waits for more
            return new Promise(() => {}); // the connection hangs: no more bytes, no end
          }
          sent = true;
          c.enqueue(data.slice(0, 70_000));
        },
      });
      const first = patch(url, 0, stalled);
      for (let i = 0; i < 10_000 && !stalledNow; i++) await Bun.sleep(5);
      // The client gives up on that connection and asks where the upload is.
      const offset = await offsetOf(url);
      expect(offset).toBe(70_000);
      expect((await first).status).toBe(204);
      const rest = await patch(url, offset, data.slice(offset));
      expect(rest.status).toBe(204);
      expect(rest.headers.get("hearth-item-id")).toBeTruthy();
      const item = (await s.core.store.items.children(ROOT_ID)).find((i) => i.name === "stalled.bin");
      expect(item!.blobHash).toBe(sha(data));
    },
    60_000,
  );
});
