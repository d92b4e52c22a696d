/**
 * Photos pipeline benchmark (not part of `npm test`), issue #19: photos per second through the
 * whole pipeline — a `PhotoIndexer` over a data directory whose store holds JPEGS 12 MP photos
 * (catalogue rows, EXIF, one ÷8 decode → 256 px WebP thumbnail + colour, the rows done; then, timed
 * apart, every 1280 px preview, which the server makes on a photo's first view) — at concurrency 1 on one core and 2 on both, against Debian's `vipsthumbnail -s 256`
 * on the same files in the same run (VIPS_CONCURRENCY=1; one core: one batch, and one process per
 * file — timed on the first 100 —, the faster form counted; both cores: two batches in parallel). Also: how long until the
 * first screenful (the FIRST photos taken last, which the indexer does first) has thumbnails.
 * Legs interleaved, RUNS rounds; each of ours is a fresh process (`_leg.ts`), pinned by `taskset`.
 *
 *   node_modules/.bin/bun bench/photos/pipeline.ts                # 100 photos × 3 rounds, ~5 min
 *   node_modules/.bin/bun bench/photos/pipeline.ts --jpegs=500    # the size
 *   [--runs=3] [--first=60]
 *
 * The photos are made once into bench/out/photos/ (gitignored); making 500 takes ~10 minutes.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { ROOT_ID } from "../../userserver/store/mod.ts";
import { arg, benchCore, closeCore, median } from "./_core.ts";
import { ensureJpegs, takenOf } from "./_jpegs.ts";

const JPEGS = arg("jpegs", 100);
const RUNS = arg("runs", 3);
const FIRST = arg("first", 60);
const VIPS = "/usr/bin/vipsthumbnail";
const hasVips = existsSync(VIPS);
const hasTaskset = existsSync("/usr/bin/taskset");
const one = (cmd: string[]) => hasTaskset ? ["taskset", "-c", "0", ...cmd] : cmd;

const root = mkdtempSync(join(tmpdir(), "hearth-bench-pipeline-"));
try {
  console.log(
    `pipeline: ${JPEGS} JPEGs 4000×3000, ${RUNS} rounds, ${navigator.hardwareConcurrency} CPUs, load average ${
      (await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" ")
    }`,
  );
  if (!hasVips) {
    console.log(`${VIPS} is not installed (apt install libvips-tools): the peer's legs are skipped`);
  }
  if (!hasTaskset) console.log("taskset is not installed: the one-core legs are not pinned");
  const files = await ensureJpegs(JPEGS);

  // The store: every photo imported once (a copy into the content-addressed store, rows in the
  // item tree), in the order taken; the legs reuse it.
  const dataDir = join(root, "data");
  mkdirSync(dataDir);
  const core = await benchCore(dataDir);
  const hashes: string[] = [];
  const t0 = performance.now();
  try {
    const folder = await core.store.createFolder(ROOT_ID, "Camera");
    for (const [i, f] of files.entries()) {
      const added = await core.store.importFile(folder.id, basename(f), f, { mtime: takenOf(i).getTime() });
      hashes.push(added.item.blobHash!);
    }
  } finally {
    closeCore(core);
  }
  const bytes = files.reduce((s, f) => s + Bun.file(f).size, 0);
  console.log(
    `stored ${files.length} photos (${(bytes / files.length / 1e6).toFixed(2)} MB each) in ${
      ((performance.now() - t0) / 1000).toFixed(1)
    } s`,
  );
  const first = hashes.slice(-FIRST).join(",");

  interface Leg {
    seconds: number;
    previewSeconds: number;
    previews: number;
    catalogued: number;
    catalogueMs: number;
    firstMs: number;
    cpuSeconds: number;
    done: number;
    failed: number;
    gps: number;
    exifTimes: number;
    sharpConcurrency: number;
  }
  const ours = (concurrency: number, pin: boolean): Leg => {
    const cmd = [process.execPath, join(import.meta.dir, "_leg.ts"), `--dir=${dataDir}`];
    const args = [...cmd, `--concurrency=${concurrency}`, `--first=${first}`];
    const out = execFileSync((pin ? one(args) : args)[0]!, (pin ? one(args) : args).slice(1), {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    });
    return JSON.parse(out.trim().split("\n").at(-1)!) as Leg;
  };
  const outDir = join(root, "vips");
  const vipsEnv = { ...process.env, VIPS_CONCURRENCY: "1" };
  /** Batches of files in parallel, each one vipsthumbnail process; seconds and CPU seconds. */
  const vipsBatches = async (batches: string[][], pin: boolean) => {
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir);
    const t = performance.now();
    const procs = batches.map((b) =>
      Bun.spawn(
        pin
          ? one([VIPS, "-s", "256", "-o", `${outDir}/%s.jpg`, ...b])
          : [VIPS, "-s", "256", "-o", `${outDir}/%s.jpg`, ...b],
        {
          env: vipsEnv,
          stdout: "ignore",
          stderr: "inherit",
        },
      )
    );
    await Promise.all(procs.map((p) => p.exited));
    const seconds = (performance.now() - t) / 1000;
    if (procs.some((p) => p.exitCode !== 0)) throw new Error("vipsthumbnail failed");
    const cpu = procs.reduce((s, p) => {
      const u = p.resourceUsage()!;
      return s + Number(u.cpuTime.user + u.cpuTime.system) / 1e6;
    }, 0);
    return { seconds, cpuSeconds: cpu };
  };
  /** One vipsthumbnail process per file, one after the other, on one core (the first 100 files). */
  const EACH = Math.min(100, JPEGS);
  const vipsEach = () => {
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir);
    const t = performance.now();
    for (const f of files.slice(0, EACH)) {
      const r = Bun.spawnSync(one([VIPS, "-s", "256", "-o", `${outDir}/%s.jpg`, f]), { env: vipsEnv });
      if (r.exitCode !== 0) throw new Error(`vipsthumbnail ${f} failed`);
    }
    return { seconds: (performance.now() - t) / 1000 };
  };

  const rate = (s: number) => JPEGS / s;
  const rounds: Array<Record<string, number>> = [];
  for (let run = 1; run <= RUNS; run++) {
    const c1 = ours(1, true);
    const v1b = hasVips ? await vipsBatches([files], true) : undefined;
    const v1e = hasVips ? vipsEach() : undefined;
    const c2 = ours(2, false);
    const v2 = hasVips
      ? await vipsBatches([files.filter((_, i) => i % 2 === 0), files.filter((_, i) => i % 2 === 1)], false)
      : undefined;
    for (const [name, leg] of [["c1", c1], ["c2", c2]] as const) {
      if (leg.done !== JPEGS || leg.failed) {
        throw new Error(`${name}: ${leg.done} done, ${leg.failed} failed`);
      }
    }
    const v1 = v1b && v1e ? Math.min(v1b.seconds, (v1e.seconds * JPEGS) / EACH) : NaN;
    const row = {
      c1: rate(c1.seconds),
      c2: rate(c2.seconds),
      c1p: rate(c1.seconds + c1.previewSeconds),
      c2p: rate(c2.seconds + c2.previewSeconds),
      v1: rate(v1),
      v1batch: v1b ? rate(v1b.seconds) : NaN,
      v1each: v1e ? EACH / v1e.seconds : NaN,
      v2: v2 ? rate(v2.seconds) : NaN,
      first1: c1.firstMs,
      first2: c2.firstMs,
      cat1: c1.catalogueMs,
      cat2: c2.catalogueMs,
      cpu1: (c1.cpuSeconds / JPEGS) * 1000,
      cpu2: (c2.cpuSeconds / JPEGS) * 1000,
      vcpu: v1b ? (v1b.cpuSeconds / JPEGS) * 1000 : NaN,
    };
    rounds.push(row);
    console.log(`\nround ${run} (photos/s; CPU ms per photo):`);
    console.log(
      `  ours, concurrency 1, one core   ${row.c1.toFixed(2).padStart(7)}   (${
        row.cpu1.toFixed(0)
      } CPU ms/photo)`,
    );
    if (hasVips) {
      console.log(
        `  vipsthumbnail, one core         ${row.v1.toFixed(2).padStart(7)}   (batch ${
          row.v1batch.toFixed(2)
        }, ` +
          `a process per file ${row.v1each.toFixed(2)}; batch ${row.vcpu.toFixed(0)} CPU ms/photo)`,
      );
    }
    console.log(
      `  ours, concurrency 2, both cores ${row.c2.toFixed(2).padStart(7)}   (${
        row.cpu2.toFixed(0)
      } CPU ms/photo)`,
    );
    if (hasVips) console.log(`  vipsthumbnail, two batches      ${row.v2.toFixed(2).padStart(7)}`);
    console.log(
      `  ours with every 1280 px preview made too (the server makes them on first view): one core ${
        row.c1p.toFixed(2)
      }, both ${row.c2p.toFixed(2)} (${c1.previews}/${JPEGS} previews)`,
    );
    if (hasVips) {
      console.log(
        `  ratio ours/vipsthumbnail: one core ${(row.c1 / row.v1).toFixed(2)}× (goal ≥ 1.0), both cores ${
          (row.c2 / row.v1).toFixed(2)
        }× of one-core vips (goal ≥ 1.6), ${(row.c2 / row.v2).toFixed(2)}× of two-batch vips`,
      );
    }
    console.log(
      `  first ${FIRST} thumbnails of a fresh import: ${(row.first1 / 1000).toFixed(2)} s (one core), ${
        (row.first2 / 1000).toFixed(2)
      } s (both) (goal ≤ 1 s); of which cataloguing all ${JPEGS} first: ${(row.cat1 / 1000).toFixed(2)} s, ${
        (row.cat2 / 1000).toFixed(2)
      } s`,
    );
    if (run === 1) {
      console.log(
        `  checks: ${c1.done} done, ${c1.failed} failed, EXIF time on ${c1.exifTimes}, position read on ${c1.gps} of ${
          Math.ceil(JPEGS / 3)
        } with GPS; sharp concurrency ${c1.sharpConcurrency}`,
      );
    }
  }
  const col = (k: string) => rounds.map((r) => r[k]!);
  const span = (k: string, d = 2) =>
    `${median(col(k)).toFixed(d)} (${Math.min(...col(k)).toFixed(d)}–${Math.max(...col(k)).toFixed(d)})`;
  console.log(`\nmedian (spread) over ${RUNS} rounds, photos/s:`);
  console.log(`  ours c1 one core ${span("c1")}, ours c2 both cores ${span("c2")}`);
  console.log(`  ours with every preview too: one core ${span("c1p")}, both cores ${span("c2p")}`);
  if (hasVips) {
    console.log(
      `  vipsthumbnail one core ${span("v1")} [batch ${span("v1batch")}, per file ${
        span("v1each")
      }], two batches ${span("v2")}`,
    );
    const ratios = rounds.map((r) => [r.c1! / r.v1!, r.c2! / r.v1!, r.c2! / r.v2!]);
    const rs = (i: number) => {
      const xs = ratios.map((r) => r[i]!);
      return `${median(xs).toFixed(2)}× (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
    };
    console.log(
      `  ratio one core ${rs(0)} (goal ≥ 1.0); both cores / one-core vips ${rs(1)} (goal ≥ 1.6); ` +
        `both cores / two-batch vips ${rs(2)}`,
    );
  }
  console.log(
    `  first ${FIRST} thumbnails: ${span("first1", 0)} ms one core, ${
      span("first2", 0)
    } ms both (goal ≤ 1000); ` +
      `cataloguing first: ${span("cat1", 0)} ms, ${span("cat2", 0)} ms`,
  );
  console.log(
    `  CPU ms per photo: ours c1 ${span("cpu1", 0)}, c2 ${span("cpu2", 0)}; vipsthumbnail batch ${
      span("vcpu", 0)
    }`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
