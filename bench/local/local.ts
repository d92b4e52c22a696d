/**
 * The browser on the same machine (issue #21): alice's server reached directly on its local
 * listener against the same server through a relay, in the same run.
 *   download  a 1 GiB file (`/files/<id>?download=1`), curl, legs interleaved, RUNS each
 *   folder    the first page of a 10,000-item folder, 200 requests per leg on one kept-alive
 *             connection (curl, many URLs), p50 and p90
 * The local leg signs in as the README says (`userserver open`, then the one-time link); the relay
 * leg with the test owner cookie. CPU seconds per GB for each process on the path (/proc).
 *
 *   node_modules/.bin/bun bench/local/local.ts
 *   BENCH_BYTES=268435456 BENCH_RUNS=1 node_modules/.bin/bun bench/local/local.ts   # quick
 */
import { createClient } from "@libsql/client";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { startHarness, ZONE } from "../../testing/harness.ts";
import { restartUserWith, TEST_OWNER_TOKEN } from "../../testing/userserver_helpers.ts";
import {
  cpuSeconds,
  fmt,
  median,
  onCleanup,
  percentile,
  ratio,
  runBench,
  table,
  tempDir,
} from "../relay/_lib.ts";

const BYTES = Number(process.env.BENCH_BYTES ?? 1024 ** 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ITEMS = 10_000;
const PAGE_REQUESTS = 200;

interface Leg {
  name: string;
  host: string;
  ip: string;
  port: number;
  cookie: string;
  caFile: string;
  cpu: Record<string, () => number>;
}

function curl(leg: Leg, args: string[]): { out: string; cpu: number } {
  const p = Bun.spawnSync([
    "curl",
    "-sS",
    "--max-time",
    "300",
    "--cacert",
    leg.caFile,
    "--resolve",
    `${leg.host}:${leg.port}:${leg.ip}`,
    "-H",
    `cookie: ${leg.cookie}`,
    ...args,
  ] as string[]);
  if (p.exitCode !== 0) throw new Error(`curl (${leg.name}) failed: ${p.stderr.toString()}`);
  const ru = p.resourceUsage;
  return { out: p.stdout.toString(), cpu: ru ? Number(ru.cpuTime.user + ru.cpuTime.system) / 1e6 : NaN };
}
async function main() {
  console.log(
    `local vs relay: ${BYTES} bytes ×${RUNS} per leg; a ${ITEMS}-item folder's first page ×${PAGE_REQUESTS}`,
  );
  const h = await startHarness({ relays: 1, users: ["alice"] });
  onCleanup(() => h.stop());
  await restartUserWith(h, "alice", { testOwnerToken: TEST_OWNER_TOKEN });
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length >= 1);
  const u = h.user("alice");
  const r = h.relay("relay-a");
  const pidOf = (name: string) => h.processes.get(name)!.pid;

  // The local leg signs in as a person would: `userserver open`, then its link.
  const open = Bun.spawnSync([
    process.execPath,
    "userserver/main.ts",
    "open",
    "--data-dir",
    h.dirs.users.alice,
  ], {
    env: { ...process.env, DISPLAY: "", WAYLAND_DISPLAY: "" },
  });
  const link = /https:\/\/\S+/.exec(open.stdout.toString())?.[0];
  if (!link) throw new Error(`userserver open printed no link: ${open.stderr.toString()}`);
  const localHost = `local.alice.${ZONE}`;
  const signIn = Bun.spawnSync([
    "curl",
    "-sS",
    "--cacert",
    h.caFile,
    "--resolve",
    `${localHost}:${u.localPort}:${u.localAddress}`,
    "-D",
    "-",
    "-o",
    "/dev/null",
    link,
  ]);
  const session = /set-cookie: (__Host-hearth-local=[^;]+)/i.exec(signIn.stdout.toString())?.[1];
  if (!session) throw new Error(`the one-time link gave no session: ${signIn.stdout.toString()}`);

  const local: Leg = {
    name: "local",
    host: localHost,
    ip: u.localAddress,
    port: u.localPort,
    cookie: session,
    caFile: h.caFile,
    cpu: { "user server": () => cpuSeconds(pidOf("user:alice")) },
  };
  const relay: Leg = {
    name: "relay",
    host: `alice.${ZONE}`,
    ip: r.browserAddresses[0]!,
    port: r.browserPort,
    cookie: `__Host-hearth-test-owner=${TEST_OWNER_TOKEN}`,
    caFile: h.caFile,
    cpu: { relay: () => cpuSeconds(pidOf("relay-a")), "user server": () => cpuSeconds(pidOf("user:alice")) },
  };

  // The file: one tus upload on the local listener (a single PATCH of the whole file).
  const tmp = tempDir("bench-local-");
  const file = join(tmp, "big.bin");
  const chunk = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (let at = 0; at < BYTES; at += chunk.length) {
    parts.push(chunk.subarray(0, Math.min(chunk.length, BYTES - at)));
  }
  await Bun.write(file, new Blob(parts));
  const b64 = (v: string) => Buffer.from(v).toString("base64");
  const localOrigin = `https://${localHost}:${u.localPort}`;
  const created = curl(local, [
    "-D",
    "-",
    "-o",
    "/dev/null",
    "-X",
    "POST",
    "-H",
    `origin: ${localOrigin}`,
    "-H",
    "tus-resumable: 1.0.0",
    "-H",
    `upload-length: ${BYTES}`,
    "-H",
    `upload-metadata: filename ${b64("big.bin")},parent ${b64("root")}`,
    `${localOrigin}/upload/tus`,
  ]).out;
  const location = /location: (\S+)/i.exec(created)?.[1];
  if (!location) throw new Error(`tus creation failed: ${created}`);
  const patched = curl(local, [
    "-D",
    "-",
    "-o",
    "/dev/null",
    "-X",
    "PATCH",
    "-H",
    `origin: ${localOrigin}`,
    "-H",
    "tus-resumable: 1.0.0",
    "-H",
    "upload-offset: 0",
    "-H",
    "content-type: application/offset+octet-stream",
    "-T",
    file, // streamed (--data-binary would read the whole file into memory first)
    `${localOrigin}${new URL(location, localOrigin).pathname}`,
  ]).out;
  const fileId = /hearth-item-id: (\S+)/i.exec(patched)?.[1];
  if (!fileId) throw new Error(`the upload did not finish: ${patched}`);

  // The folder: 10,000 rows written straight into alice's database (as bench/files/_big_folder.ts).
  const folderId = "bench-big-folder";
  const db = createClient({ url: `file:${join(h.dirs.users.alice, "userserver.db")}`, timeout: 30_000 });
  const blob = (await db.execute({ sql: "select blob_hash from items where id = ?", args: [fileId] }))
    .rows[0]!
    .blob_hash as string;
  const now = Date.now();
  await db.execute({
    sql:
      `insert into items (id, parent_id, name, kind, type, size, mtime, blob_hash, acl_set, created_at) values (?, 'root', 'Big', 'folder', '', 0, ?, null, 0, ?)`,
    args: [folderId, now, now],
  });
  for (let i = 0; i < ITEMS; i += 500) {
    const rows = Array.from({ length: Math.min(500, ITEMS - i) }, (_, j) => i + j);
    await db.batch(rows.map((n) => ({
      sql:
        `insert into items (id, parent_id, name, kind, type, size, mtime, blob_hash, acl_set, created_at) values (?, ?, ?, 'file', 'image/jpeg', ?, ?, ?, 0, ?)`,
      args: [`big${n}`, folderId, `IMG_${String(n).padStart(5, "0")}.jpg`, BYTES, now + n, blob, now],
    })));
  }
  await db.execute({ sql: "update blobs set refs = refs + ? where hash = ?", args: [ITEMS, blob] });
  db.close();

  // Downloads, interleaved.
  const downloads: Record<string, { speed: number; cpu: Record<string, number> }[]> = {
    local: [],
    relay: [],
  };
  for (let run = 1; run <= RUNS; run++) {
    for (const leg of [local, relay]) {
      const before = Object.fromEntries(Object.entries(leg.cpu).map(([k, f]) => [k, f()]));
      const res = curl(leg, [
        "-o",
        "/dev/null",
        "-w",
        "%{speed_download} %{size_download} %{http_code}",
        `https://${leg.host}:${leg.port}/files/${fileId}?download=1`,
      ]);
      const [speed, size, status] = res.out.trim().split(" ").map(Number);
      if (status !== 200 || size !== BYTES) throw new Error(`${leg.name}: HTTP ${status}, ${size} bytes`);
      const gb = BYTES / 1e9;
      const cpu: Record<string, number> = { curl: res.cpu / gb };
      for (const [k, f] of Object.entries(leg.cpu)) cpu[k] = (f() - before[k]!) / gb;
      downloads[leg.name]!.push({ speed: speed!, cpu });
      console.log(`  run ${run} ${leg.name.padEnd(5)} ${fmt(speed! / 1e6)} MB/s`);
    }
  }

  // The folder's first page: many requests on one connection.
  const pages: Record<string, number[]> = {};
  for (const leg of [local, relay, local, relay]) {
    const url = `https://${leg.host}:${leg.port}/browse/${folderId}`;
    const args = ["-H", "accept: text/html"];
    for (let i = 0; i < PAGE_REQUESTS / 2; i++) {
      args.push("-o", "/dev/null", "-w", "%{http_code} %{time_total}\\n", url);
    }
    const times = curl(leg, args).out.trim().split("\n").map((l) => {
      const [status, t] = l.split(" ");
      if (status !== "200") throw new Error(`${leg.name}: folder page HTTP ${status}`);
      return Number(t) * 1000;
    });
    (pages[leg.name] ??= []).push(...times.slice(5)); // the first requests warm the connection
  }

  const speeds = (leg: string) => downloads[leg]!.map((d) => d.speed / 1e6);
  console.log(`\nDownload of ${BYTES} bytes, median of ${RUNS} (MB = 10^6 bytes):`);
  console.log(table([
    ["leg", "MB/s", "runs"],
    ...["local", "relay"].map((l) => [l, fmt(median(speeds(l))), speeds(l).map((s) => fmt(s)).join(", ")]),
  ]));
  console.log(`local/relay ${ratio(median(speeds("local")), median(speeds("relay")))}`);
  console.log("\nCPU seconds per GB (median):");
  const cpuRows: (string | number)[][] = [["leg", "process", "CPU s/GB"]];
  for (const l of ["local", "relay"]) {
    for (const k of Object.keys(downloads[l]![0]!.cpu)) {
      cpuRows.push([l, k, fmt(median(downloads[l]!.map((d) => d.cpu[k]!)))]);
    }
  }
  console.log(table(cpuRows));
  console.log(
    `\nFirst page of the ${ITEMS}-item folder (${pages.local!.length} requests per leg, one connection):`,
  );
  console.log(table([
    ["leg", "p50 ms", "p90 ms"],
    ...["local", "relay"].map((l) => [l, fmt(percentile(pages[l]!, 50)), fmt(percentile(pages[l]!, 90))]),
  ]));
  console.log(`relay/local p50 ${ratio(percentile(pages.relay!, 50), percentile(pages.local!, 50))}`);
  writeFileSync(join(tmp, "done"), "");
}

await runBench("local", 20 * 60_000, main);
