/**
 * A 1 GiB upload through a relay vs writing the same bytes locally, measured in the same run:
 *   dd      `dd if=/dev/zero of=<tmp> bs=1M count=1024 conv=fsync` on the user server's filesystem
 *   upload  curl → relay browser port → yamux in alice's tunnel → user server (TLS ends there) →
 *           tus (`POST /upload/tus`, then one streamed PATCH of the whole file); the PATCH's 204 comes
 *           after the upload is in the content-addressed store and has its item row, so the time
 *           includes hashing, fsync and the move into the store.
 * Legs are interleaved, RUNS each (every upload's content differs in its first bytes, so nothing
 * dedups); the median speed is reported with the ratio (goal ≥ 0.5×) and CPU seconds per process
 * (/proc/<pid>/stat; curl and dd from their rusage). Last, the store step alone on a 1 GiB file:
 * `BlobStore.adoptFile` (move) vs `putFile` (copy + fsync + read-back verify, what uploads used to do).
 *
 *   node_modules/.bin/bun bench/files/upload.ts
 *   BENCH_BYTES=268435456 BENCH_RUNS=1 node_modules/.bin/bun bench/files/upload.ts   # quick
 *   BENCH_PROFILE=1 …   # every Bun process under --cpu-prof (slower): where the user server's CPU goes
 */
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { startHarness, ZONE } from "../../testing/harness.ts";
import { restartUserWith, TEST_OWNER_TOKEN } from "../../testing/userserver_helpers.ts";
import { BlobStore } from "../../userserver/store/mod.ts";
import {
  cpuSeconds,
  fmt,
  median,
  onCleanup,
  ratio,
  repoRoot,
  rssKiB,
  runBench,
  table,
  tempDir,
} from "../relay/_lib.ts";
import { summarizeProfile } from "../relay/_profile.ts";

const MiB = 1024 * 1024;
const BYTES = Number(process.env.BENCH_BYTES ?? 1024 ** 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PROFILE = process.env.BENCH_PROFILE === "1";
const HOST = `alice.${ZONE}`;

interface Run {
  seconds: number;
  /** process → CPU seconds during the run */
  cpu: Record<string, number>;
  /** the user server's VmRSS (MiB) right after the run (uploads only) */
  rssMiB?: number;
}

/** Writes a BYTES-long file of zeros (like dd's) whose first 8 bytes are `tag`. */
function sourceFile(path: string, tag: number): void {
  const fd = openSync(path, "w", 0o600);
  try {
    const block = new Uint8Array(4 * MiB);
    for (let off = 0; off < BYTES; off += block.length) {
      writeSync(fd, block, 0, Math.min(block.length, BYTES - off), off);
    }
    const head = new Uint8Array(8);
    new DataView(head.buffer).setFloat64(0, tag);
    writeSync(fd, head, 0, 8, 0);
  } finally {
    closeSync(fd);
  }
}

async function run(cmd: string[]): Promise<{ out: string; cpu: number; seconds: number }> {
  const t0 = performance.now();
  const p = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`${cmd[0]} failed (${code}): ${err.trim().slice(-500)}`);
  const ru = p.resourceUsage();
  return { out, cpu: ru ? Number(ru.cpuTime.user + ru.cpuTime.system) / 1e6 : NaN, seconds };
}

async function main() {
  const t0 = performance.now();
  console.log(`upload: ${BYTES} bytes, ${RUNS} runs per leg, ${navigator.hardwareConcurrency} CPUs`);
  const profDir = PROFILE ? tempDir("bench-upload-prof-") : "";
  if (PROFILE) process.env.BUN_OPTIONS = `--cpu-prof --cpu-prof-dir=${profDir}`;
  const h = await startHarness({ relays: 1, users: ["alice"] });
  onCleanup(() => h.stop());
  await restartUserWith(h, "alice", { testOwnerToken: TEST_OWNER_TOKEN });
  if (PROFILE) delete process.env.BUN_OPTIONS;
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length >= 1);
  const userDir = h.dirs.users.alice;
  const work = join(userDir, "..", "bench-upload");
  mkdirSync(work, { recursive: true });
  onCleanup(() => rmSync(work, { recursive: true, force: true }));
  const relay = h.relay("relay-a");
  const relayPid = h.processes.get("relay-a")!.pid;
  const userPid = () => h.processes.get("user:alice")!.pid;
  const base = `https://${HOST}:${relay.browserPort}`;
  const curlBase = [
    "curl",
    "-sS",
    "--fail-with-body",
    "--max-time",
    "600",
    "--cacert",
    h.caFile,
    "--resolve",
    `${HOST}:${relay.browserPort}:${relay.browserAddresses[0]}`,
    "-H",
    `cookie: __Host-hearth-test-owner=${TEST_OWNER_TOKEN}`,
    "-H",
    "tus-resumable: 1.0.0",
    "-H",
    `origin: ${base}`, // as alice's own page sends it: the CSRF check refuses a missing Origin
  ];
  console.log(`stack up in ${fmt((performance.now() - t0) / 1000)} s`);

  const b64 = (v: string) => Buffer.from(v).toString("base64");
  let n = 0;
  async function upload(): Promise<Run> {
    const src = join(work, `src-${++n}.bin`);
    sourceFile(src, Date.now() + n);
    const created = await run([
      ...curlBase,
      "-X",
      "POST",
      "-H",
      `upload-length: ${BYTES}`,
      "-H",
      `upload-metadata: filename ${b64(`bench-${n}.bin`)},parent ${b64("root")}`,
      "-o",
      "/dev/null",
      "-w",
      "%{http_code} %header{location}",
      `${base}/upload/tus`,
    ]);
    const [status, location] = created.out.trim().split(" ");
    if (status !== "201" || !location) throw new Error(`tus create answered ${created.out}`);
    const url = new URL(location, base).href;
    const cpu0 = { relay: cpuSeconds(relayPid), "user server": cpuSeconds(userPid()) };
    const patch = await run([
      ...curlBase,
      "-X",
      "PATCH",
      "-H",
      "upload-offset: 0",
      "-H",
      "content-type: application/offset+octet-stream",
      "-T",
      src,
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      url,
    ]);
    if (patch.out.trim() !== "204") throw new Error(`tus PATCH answered ${patch.out}`);
    const cpu = {
      relay: cpuSeconds(relayPid) - cpu0.relay,
      "user server": cpuSeconds(userPid()) - cpu0["user server"],
      curl: patch.cpu,
    };
    rmSync(src, { force: true });
    return { seconds: patch.seconds, cpu, rssMiB: rssKiB(userPid()) / 1024 };
  }
  async function dd(): Promise<Run> {
    const out = join(work, "dd.bin");
    const r = await run([
      "dd",
      "if=/dev/zero",
      `of=${out}`,
      "bs=1M",
      `count=${Math.round(BYTES / MiB)}`,
      "conv=fsync",
      "status=none",
    ]);
    rmSync(out, { force: true });
    return { seconds: r.seconds, cpu: { dd: r.cpu } };
  }

  const legs: Record<string, () => Promise<Run>> = { dd, upload };
  const runs: Record<string, Run[]> = { dd: [], upload: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const [name, leg] of Object.entries(legs)) {
      const r = await leg();
      runs[name].push(r);
      console.log(
        `  run ${i + 1} ${name.padEnd(6)} ${fmt(BYTES / r.seconds / 1e6)} MB/s  ${
          fmt(r.seconds, 2)
        } s  cpu s: ${Object.entries(r.cpu).map(([k, v]) => `${k} ${fmt(v, 2)}`).join(", ")}${
          r.rssMiB === undefined ? "" : `  user server RSS ${fmt(r.rssMiB)} MiB`
        }`,
      );
    }
  }
  const speed = (name: string) => median(runs[name].map((r) => BYTES / r.seconds / 1e6));
  const [ddS, upS] = [speed("dd"), speed("upload")];
  console.log(`\nMedian of ${RUNS} × ${BYTES / MiB} MiB (MB = 10^6 bytes):`);
  console.log(table([
    ["leg", "MB/s", "vs dd"],
    ["dd conv=fsync", fmt(ddS), "1.00×"],
    ["tus upload via relay", fmt(upS), ratio(upS, ddS)],
  ]));
  console.log(`upload/dd ${ratio(upS, ddS)}   (goal ≥ 0.5×)  ${upS >= 0.5 * ddS ? "met" : "NOT met"}`);
  const rows: (string | number)[][] = [["leg", "process", "CPU s", "CPU s/GB"]];
  for (const [name, rs] of Object.entries(runs)) {
    for (const p of Object.keys(rs[0].cpu)) {
      const v = median(rs.map((r) => r.cpu[p]));
      rows.push([name, p, fmt(v, 2), fmt(v / (BYTES / 1e9), 2)]);
    }
  }
  console.log(`\nCPU seconds per process (median over runs):`);
  console.log(table(rows));

  // What the allocator keeps after the transfers: the user server's resident memory once idle.
  const setting = `MIMALLOC_PURGE_DELAY=${process.env.MIMALLOC_PURGE_DELAY ?? "-1 (the stack's default)"}`;
  for (const idle of [10, 30]) {
    await Bun.sleep(idle === 10 ? 10_000 : 20_000);
    console.log(
      `user server RSS ${idle} s after the last upload: ${fmt(rssKiB(userPid()) / 1024)} MiB (${setting})`,
    );
  }

  // The store step alone: move (adoptFile) vs copy (putFile) of one finished file.
  const lastUserPid = userPid();
  await h.stop(); // SIGTERM → process.exit → profiles written
  if (PROFILE) {
    const file = readdirSync(profDir).find((f) => f.includes(`.${lastUserPid}.`));
    if (file) {
      const s = summarizeProfile(join(profDir, file), repoRoot);
      console.log(`\nUser server profile (--cpu-prof, ${fmt(s.sampledMs / 1000, 2)} s sampled), by file:`);
      console.log(
        table(s.files.slice(0, 8).map((f) => [f.file, `${fmt(f.ms, 0)} ms`, `${fmt(100 * f.share, 1)}%`])),
      );
      console.log(`top functions (self time):`);
      console.log(
        table(
          s.functions.slice(0, 14).map((f) => [f.name, `${fmt(f.ms, 0)} ms`, `${fmt(100 * f.share, 1)}%`]),
        ),
      );
    } else console.log(`no profile for the user server (pid ${lastUserPid}) in ${profDir}`);
  }
  const blobs = new BlobStore(join(work, "blobs"));
  const step: Record<string, number[]> = { "adoptFile (move)": [], "putFile (copy+verify)": [] };
  for (let i = 0; i < RUNS; i++) {
    for (const name of Object.keys(step)) {
      const src = join(work, `step-${name[0]}-${i}.bin`);
      sourceFile(src, Math.random());
      const t = performance.now();
      const put = name.startsWith("adopt") ? await blobs.adoptFile(src) : await blobs.putFile(src);
      step[name].push((performance.now() - t) / 1000);
      if (put.deduped) throw new Error("unexpected dedup");
      blobs.delete(put.hash);
      rmSync(src, { force: true });
    }
  }
  console.log(`\nStoring a finished ${BYTES / MiB} MiB upload (median of ${RUNS}; source freshly written):`);
  const [mv, cp] = Object.values(step).map(median);
  console.log(table([
    ["step", "seconds", "MB/s"],
    ...Object.entries(step).map(([k, v]) => [k, fmt(median(v), 2), fmt(BYTES / median(v) / 1e6)]),
  ]));
  console.log(`move/copy time ${ratio(mv, cp)}`);
  console.log(`\nupload bench done in ${fmt((performance.now() - t0) / 1000)} s`);
}

await runBench("upload", 20 * 60_000, main);
