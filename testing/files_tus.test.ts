/**
 * Resumable uploads against the real user server process (relayed listener, TLS on its Unix
 * socket): a 200 MB tus upload cut off halfway resumes from the server's offset and the stored
 * blob's SHA-256 matches the source; a SIGKILL mid-upload leaves no partial blob and the folder
 * as it was, and the upload still resumes after the restart.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { type Harness, startHarness, ZONE } from "./harness.ts";
import { restartUserWith, TEST_OWNER_TOKEN } from "./userserver_helpers.ts";

let h: Harness;
let dir: string;
const SIZE = 200 * 1024 * 1024;
const MiB = 1024 * 1024;
/** Deterministic content: block i is filled from its index, so any offset can be regenerated. */
function block(i: number): Uint8Array {
  const b = new Uint8Array(MiB);
  const v = new DataView(b.buffer);
  for (let o = 0; o < MiB; o += 4) v.setUint32(o, (i * 2654435761 + o) >>> 0);
  return b;
}
const SOURCE_SHA = (() => {
  const hash = createHash("sha256");
  for (let i = 0; i < SIZE / MiB; i++) hash.update(block(i));
  return hash.digest("hex");
})();

/** The bytes from `from` on, in 1 MiB blocks; `stopAt` errors the stream there (a dropped connection). */
function body(from: number, { stopAt, delayMs = 0 }: { stopAt?: number; delayMs?: number } = {}) {
  let pos = from;
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      if (stopAt !== undefined && pos >= stopAt) return c.error(new Error("connection cut"));
      if (pos >= SIZE) return c.close();
      if (delayMs) await Bun.sleep(delayMs);
      const i = Math.floor(pos / MiB);
      const chunk = block(i).subarray(pos - i * MiB);
      pos += chunk.length;
      c.enqueue(chunk);
    },
  });
}

/** alice's public origin, as her pages send it. */
const ownOrigin = () => {
  const port = h.user("alice").publicPort;
  return `https://alice.${ZONE}${port === 443 ? "" : `:${port}`}`;
};

function relayed(
  path: string,
  init: RequestInit & { headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(`https://alice.${ZONE}${path}`, {
    ...init,
    redirect: "manual",
    unix: join(dir, "relayed.sock"),
    tls: { ca: h.caPem },
    headers: {
      cookie: `__Host-hearth-test-owner=${TEST_OWNER_TOKEN}`,
      origin: ownOrigin(), // a page of alice's own (the CSRF check wants it)
      "tus-resumable": "1.0.0",
      ...(init.headers ?? {}),
    },
  } as RequestInit);
}

async function create(name: string): Promise<string> {
  const b64 = (v: string) => Buffer.from(v).toString("base64");
  const res = await relayed("/upload/tus", {
    method: "POST",
    headers: {
      "upload-length": String(SIZE),
      "upload-metadata": `filename ${b64(name)},parent ${b64("root")}`,
    },
  });
  expect(res.status).toBe(201);
  return res.headers.get("location")!;
}
const offsetOf = async (url: string) =>
  Number((await relayed(url, { method: "HEAD" })).headers.get("upload-offset"));
const patch = (
  url: string,
  from: number,
  opts: { stopAt?: number; delayMs?: number; signal?: AbortSignal } = {},
) =>
  relayed(url, {
    method: "PATCH",
    headers: { "upload-offset": String(from), "content-type": "application/offset+octet-stream" },
    body: body(from, opts),
    signal: opts.signal,
    // deno-lint-ignore no-explicit-any
  } as any);

function blobFiles(): string[] {
  return readdirSync(join(dir, "blobs"), { recursive: true, withFileTypes: true }).filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}
const listing = async () =>
  (await (await relayed("/browse")).text()).match(/class="fm-open" href="[^"]+">[^<]+</g) ?? [];

beforeAll(async () => {
  h = await startHarness({ relays: 0, users: ["alice"] });
  dir = h.dirs.users.alice;
  await restartUserWith(h, "alice", { testOwnerToken: TEST_OWNER_TOKEN });
});
afterAll(async () => await h?.stop());

test(
  "a 200 MB upload cut off halfway resumes from the server's offset; the blob's SHA-256 matches",
  async () => {
    const url = await create("big.bin");
    await patch(url, 0, { stopAt: SIZE / 2 }).catch(() => undefined);
    const offset = await offsetOf(url);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(SIZE / 2);
    expect((await listing()).join()).not.toContain("big.bin");
    const done = await patch(url, offset);
    expect(done.status).toBe(204);
    const id = done.headers.get("hearth-item-id")!;
    const info = await (await relayed(`/upload/tus-status/${url.split("/").at(-1)}`)).json() as {
      hash: string;
      size: number;
    };
    expect(info).toMatchObject({ hash: SOURCE_SHA, size: SIZE });
    const path = join(dir, "blobs", SOURCE_SHA.slice(0, 2), SOURCE_SHA.slice(2, 4), SOURCE_SHA);
    const hash = createHash("sha256");
    hash.update(readFileSync(path));
    expect(hash.digest("hex")).toBe(SOURCE_SHA);
    expect((await listing()).join()).toContain(`/browse/${id}">big.bin<`);
  },
  240_000,
);

test(
  "SIGKILL mid-upload: after restart no partial blob, the folder as it was, and the upload resumes",
  async () => {
    const before = await listing();
    const blobsBefore = blobFiles().sort();
    const url = await create("killed.bin");
    const id = url.split("/").at(-1)!;
    const ac = new AbortController();
    const sending = patch(url, 0, { delayMs: 2, signal: ac.signal }).catch(() => undefined);
    await h.waitFor("the upload to be under way", () => {
      const p = join(dir, "uploads", id);
      return existsSync(p) && statSync(p).size > 20 * MiB;
    }, 60_000);
    await h.processes.get("user:alice")!.kill();
    ac.abort();
    await sending;
    await h.start("user:alice");

    expect(await listing()).toEqual(before);
    expect(blobFiles().sort()).toEqual(blobsBefore);
    for (const f of blobFiles()) {
      expect(createHash("sha256").update(readFileSync(f)).digest("hex")).toBe(f.split("/").at(-1)!);
    }
    const offset = await offsetOf(url);
    expect(offset).toBeGreaterThan(0);
    const done = await patch(url, offset);
    expect([offset, done.status, await done.text()]).toEqual([offset, 204, ""]);
    expect((await listing()).join()).toContain(">killed.bin<");
    const info = await (await relayed(`/upload/tus-status/${id}`)).json() as { hash: string };
    expect(info.hash).toBe(SOURCE_SHA);
  },
  240_000,
);

test("the benchmark route /_bytes/<n> does not exist unless a benchmark turns it on", async () => {
  // The harness (like `npm run dev`) leaves it off; only bench/ and the streaming tests ask for it.
  const res = await relayed("/_bytes/16");
  expect(res.status).toBe(404);
  expect(res.headers.get("content-type")).not.toContain("octet-stream");
});
