/**
 * WebDAV through a relay vs the browser's own paths, same run (issue #24): a BENCH_BYTES (1 GiB)
 * file
 *   up    tus upload (POST + one streamed PATCH, as the browser) vs WebDAV PUT (curl -T, app password)
 *   down  the browser download (`GET /files/<id>`) vs WebDAV GET
 *   rclone  `rclone copy` of a tree holding the file in and out through the relay, checked
 *           byte-exact (SHA-256) — what a person syncing with rclone does.
 * Legs interleaved, BENCH_RUNS each (default 3); median MB/s, spread (min–max) and the ratios.
 *
 *   node_modules/.bin/bun bench/dav/dav.ts
 *   BENCH_BYTES=268435456 BENCH_RUNS=1 node_modules/.bin/bun bench/dav/dav.ts   # quick
 */
import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { startHarness, ZONE } from "../../testing/harness.ts";
import { restartUserWith, TEST_OWNER_TOKEN } from "../../testing/userserver_helpers.ts";
import { createAppPassword, rcloneFor } from "../../testing/dav_helpers.ts";
import { fmt, median, onCleanup, ratio, runBench, table } from "../relay/_lib.ts";

const MiB = 1024 * 1024;
const BYTES = Number(process.env.BENCH_BYTES ?? 1024 ** 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const HOST = `alice.${ZONE}`;

function sourceFile(path: string, tag: number): string {
  const fd = openSync(path, "w", 0o600);
  const hash = createHash("sha256");
  try {
    const block = new Uint8Array(4 * MiB);
    new DataView(block.buffer).setFloat64(0, tag);
    for (let off = 0; off < BYTES; off += block.length) {
      const n = Math.min(block.length, BYTES - off);
      writeSync(fd, block, 0, n, off);
      hash.update(block.subarray(0, n));
      block[8] = (block[8] + 1) & 0xff; // blocks differ: nothing in the file dedups
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

async function timed(cmd: string[]): Promise<{ out: string; seconds: number }> {
  const t0 = performance.now();
  const p = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  if (code !== 0) throw new Error(`${cmd[0]} failed (${code}): ${(out + err).trim().slice(-500)}`);
  return { out, seconds: (performance.now() - t0) / 1000 };
}

async function main() {
  console.log(`dav: ${BYTES} bytes, ${RUNS} runs per leg, ${navigator.hardwareConcurrency} CPUs`);
  const h = await startHarness({ relays: 1, users: ["alice"] });
  onCleanup(() => h.stop());
  await restartUserWith(h, "alice", { testOwnerToken: TEST_OWNER_TOKEN });
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length >= 1);
  const password = await createAppPassword(h, "alice", "bench");
  const relay = h.relay("relay-a");
  const base = `https://${HOST}:${relay.browserPort}`;
  const work = join(h.dirs.users.alice, "..", "bench-dav");
  mkdirSync(work, { recursive: true });
  onCleanup(() => rmSync(work, { recursive: true, force: true }));
  const curl = ["curl", "-sS", "--fail-with-body", "--max-time", "900", "--cacert", h.caFile, "--resolve"];
  curl.push(`${HOST}:${relay.browserPort}:${relay.browserAddresses[0]}`);
  const asBrowser = [
    ...curl,
    "-H",
    `cookie: __Host-hearth-test-owner=${TEST_OWNER_TOKEN}`,
    "-H",
    `origin: ${base}`,
  ];
  const asDav = [...curl, "-u", `alice:${password}`];
  const b64 = (v: string) => Buffer.from(v).toString("base64");
  let n = 0;

  const legs: Record<string, () => Promise<number>> = {
    "tus upload": async () => {
      const src = join(work, "src.bin");
      sourceFile(src, ++n);
      const created = await timed([
        ...asBrowser,
        "-X",
        "POST",
        "-H",
        "tus-resumable: 1.0.0",
        "-H",
        `upload-length: ${BYTES}`,
        "-H",
        `upload-metadata: filename ${b64(`tus-${n}.bin`)},parent ${b64("root")}`,
        "-o",
        "/dev/null",
        "-w",
        "%header{location}",
        `${base}/upload/tus`,
      ]);
      const r = await timed([
        ...asBrowser,
        "-X",
        "PATCH",
        "-H",
        "tus-resumable: 1.0.0",
        "-H",
        "upload-offset: 0",
        "-H",
        "content-type: application/offset+octet-stream",
        "-T",
        src,
        "-o",
        "/dev/null",
        new URL(created.out.trim(), base).href,
      ]);
      return r.seconds;
    },
    "WebDAV PUT": async () => {
      const src = join(work, "src.bin");
      sourceFile(src, ++n);
      return (await timed([...asDav, "-T", src, "-o", "/dev/null", `${base}/dav/put-${n}.bin`])).seconds;
    },
    "browser download": async () => {
      const id = await itemId(`put-${n}.bin`);
      return (await timed([...asBrowser, "-o", "/dev/null", `${base}/files/${id}`])).seconds;
    },
    "WebDAV GET": async () =>
      (await timed([...asDav, "-o", "/dev/null", `${base}/dav/put-${n}.bin`])).seconds,
  };
  async function itemId(name: string): Promise<string> {
    const xml = await timed([
      ...asDav,
      "-X",
      "PROPFIND",
      "-H",
      "depth: 0",
      "--data",
      '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>',
      `${base}/dav/${name}`,
    ]);
    const etag = /<D:getetag>&#34;([^&]+)&#34;/.exec(xml.out)?.[1];
    const { Database } = await import("bun:sqlite");
    const db = new Database(join(h.dirs.users.alice, "userserver.db"), { readonly: true });
    try {
      const hash = Buffer.from(etag!, "base64url").toString("hex");
      return db.query<{ id: string }, [string, string]>(
        "select id from items where name = ? and blob_hash = ?",
      )
        .get(name, hash)!.id;
    } finally {
      db.close();
    }
  }

  const runs: Record<string, number[]> = Object.fromEntries(Object.keys(legs).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const [name, leg] of Object.entries(legs)) {
      const s = await leg();
      runs[name].push(BYTES / s / 1e6);
      console.log(`  run ${i + 1} ${name.padEnd(17)} ${fmt(BYTES / s / 1e6)} MB/s  ${fmt(s, 2)} s`);
    }
  }
  const row = (name: string) => {
    const xs = runs[name];
    return [name, fmt(median(xs)), `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`];
  };
  console.log(`\nMedian of ${RUNS} × ${BYTES / MiB} MiB through one relay (MB = 10^6 bytes):`);
  console.log(table([["leg", "MB/s", "spread"], ...Object.keys(legs).map(row)]));
  console.log(
    `WebDAV PUT / tus upload ${ratio(median(runs["WebDAV PUT"]), median(runs["tus upload"]))}; ` +
      `WebDAV GET / browser download ${ratio(median(runs["WebDAV GET"]), median(runs["browser download"]))}`,
  );

  // rclone: a tree holding the big file and small ones, in and out, byte-exact.
  const tree = join(work, "tree");
  mkdirSync(join(tree, "sub"), { recursive: true });
  const bigSha = sourceFile(join(tree, "big.bin"), ++n);
  for (let i = 0; i < 20; i++) {
    writeFileSync(join(tree, "sub", `small-${i}.txt`), `small file ${i}\n`.repeat(i * 50));
  }
  const rclone = await rcloneFor(h, "alice", password, work);
  const t1 = performance.now();
  const up = await rclone("copy", tree, "hearth:rclone-tree");
  const upS = (performance.now() - t1) / 1000;
  const t2 = performance.now();
  const down = await rclone("copy", "hearth:rclone-tree", join(work, "back"));
  const downS = (performance.now() - t2) / 1000;
  if (up.code || down.code) throw new Error(`rclone failed: ${up.out}\n${down.out}`);
  const exact = sha256File(join(work, "back", "big.bin")) === bigSha &&
    Array.from({ length: 20 }, (_, i) => `sub/small-${i}.txt`).every((p) =>
      readFileSync(join(work, "back", p), "utf8") === readFileSync(join(tree, p), "utf8")
    );
  console.log(
    `rclone copy of a ${fmt(BYTES / 1e6, 0)} MB tree: in ${fmt(BYTES / upS / 1e6)} MB/s, out ${
      fmt(BYTES / downS / 1e6)
    } MB/s, byte-exact: ${exact ? "yes" : "NO"}`,
  );
  if (!exact) throw new Error("rclone's round trip differs from the source");
}

await runBench("dav", 3600_000, main);
