/**
 * The timeline in Chromium through a relay at a million photos (not part of `npm test`):
 * first paint, jumps to months across the whole range, long tasks while scrolling, and the oldest
 * photo reached. The rows are written straight into alice's database (the catalogue's own table;
 * no files behind them, so tiles show their placeholder colours — thumbnails are bench/photos'
 * pipeline figures). Immich, the peer, is not runnable here; its own reports are the yardstick:
 * most of an 888,000-photo library unreachable (immich#16788, the 16,777,216 px page cap) and a
 * 70,000-photo month freezing the tab for 17.9 s (immich#28861) — this corpus has such a month.
 *
 *   bun bench/photos/browser.ts [--photos=1000000] [--jumps=20] [--runs=3] [--profile] [--trace]
 * `--profile` records the page's CPU profile (Chrome DevTools Protocol) over the scrolling and jumps
 * of each run and prints the functions with the most self time (where the long tasks go).
 * `--trace` records a Chromium trace over the same and counts the page's main-thread tasks over 50
 * ms twice: by wall clock (what the long-task observer sees) and by the CPU time the thread itself
 * used — on a shared machine a task of 10 ms of work can take 80 ms of wall clock waiting for a
 * core, so the second count is the page's own share.
 */
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { aliceThroughRelay } from "../../e2e/sign_in.ts";
import { startHarness, ZONE } from "../../testing/harness.ts";
import { monthLabel } from "../../userserver/photos/labels.ts";

const arg = (k: string, d: number) =>
  Number(Bun.argv.find((a) => a.startsWith(`--${k}=`))?.split("=")[1] ?? d);
const PHOTOS = arg("photos", 1_000_000);
const JUMPS = arg("jumps", 20);
const RUNS = arg("runs", 3);
const PROFILE = Bun.argv.includes("--profile");
const TRACE = Bun.argv.includes("--trace");

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** The renderer main thread's tasks over 50 ms, by wall clock and by the thread's own CPU time. */
function longTasksOf(trace: { traceEvents: TraceEvent[] }) {
  const mains = trace.traceEvents.filter((e) =>
    e.name === "thread_name" && e.args?.name === "CrRendererMain"
  );
  const tasksOf = (m: TraceEvent) =>
    trace.traceEvents.filter((e) =>
      e.pid === m.pid && e.tid === m.tid && e.ph === "X" && e.name === "RunTask"
    );
  // The page's renderer is the busiest one.
  const tasks = mains.map(tasksOf).sort((a, b) => b.length - a.length)[0] ?? [];
  const ms = (us = 0) => us / 1000;
  const wall = tasks.filter((t) => ms(t.dur) > 50);
  const cpu = tasks.filter((t) => ms(t.tdur) > 50);
  const longestCpu = Math.max(0, ...tasks.map((t) => ms(t.tdur)));
  return { wall: wall.length, cpu: cpu.length, longestCpu };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self time per function of a CDP CPU profile, the largest first. */
function topSelfTime(profile: { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] }, n = 12) {
  const byNode = new Map<number, number>();
  (profile.samples ?? []).forEach((id, k) =>
    byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas?.[k] ?? 0))
  );
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const f = node.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop() ?? ""}:${f.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + (byNode.get(node.id) ?? 0) / 1000);
  }
  const total = [...byFunction.values()].reduce((a, b) => a + b, 0);
  return { total, top: [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, n) };
}

/** Deterministic rows: ~20 years back from 2026-11-30, uneven days, one day of 70,000. */
function fill(dbPath: string): { days: number; oldest: number } {
  const db = new Database(dbPath);
  db.exec("PRAGMA busy_timeout = 10000");
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const insert = db.prepare(
    `insert into photos (item_id, blob_hash, kind, taken_at, day, taken_from, width, height, colour, state)
     values (?, ?, 'photo', ?, ?, 'exif', 4000, 3000, ?, 'done')`,
  );
  const end = Date.UTC(2026, 10, 30, 23, 0, 0);
  const span = 20 * 365 * 86_400_000;
  const big = Date.UTC(2019, 6, 14, 12, 0, 0); // the 70,000-photo day
  db.exec("begin");
  for (let k = 0; k < PHOTOS; k++) {
    // Photos bunch: the square of a uniform puts more of them in recent years.
    const t = k < 70_000 && PHOTOS >= 200_000 ? big + k * 500 : end - Math.floor(span * rand() ** 1.6);
    const d = new Date(t);
    const day = d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
    const hue = Math.floor(rand() * 0xffffff).toString(16).padStart(6, "0");
    const id = `bench${String(k).padStart(8, "0")}`;
    insert.run(id, `${id}${"0".repeat(52)}`, t, day, `#${hue}`);
    if (k % 100_000 === 99_999) {
      db.exec("commit");
      db.exec("begin");
    }
  }
  db.exec("commit");
  const days = (db.query("select count(*) as n from photo_days").get() as { n: number }).n;
  const oldest = (db.query("select min(day) as d from photo_days").get() as { d: number }).d;
  db.close();
  return { days, oldest };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `p50 ${q(0.5).toFixed(0)} ms, p95 ${q(0.95).toFixed(0)} ms, max ${s.at(-1)!.toFixed(0)} ms`;
};

const h = await startHarness({ relays: 1, users: ["alice"] });
try {
  const t0 = performance.now();
  const { days, oldest } = fill(join(h.baseDir, "users", "alice", "userserver.db"));
  console.log(
    `${PHOTOS.toLocaleString("en")} photo rows over ${days} days (oldest ${oldest}) written in ${
      ((performance.now() - t0) / 1000).toFixed(1)
    } s`,
  );
  const { browser, page, origin } = await aliceThroughRelay(h, ZONE, {
    context: { viewport: { width: 1280, height: 900 } },
  });
  for (let run = 1; run <= RUNS; run++) {
    // First paint: navigation start → the first screen's tiles carry their photos.
    await page.goto(`${origin}/browse`);
    await page.goto(`${origin}/photos`);
    await page.waitForFunction(
      () => document.querySelectorAll(".ph-tile[data-ph-id]").length >= 20,
      undefined,
      { timeout: 60_000 },
    );
    const firstPaint = await page.evaluate(() => performance.now());
    const spacer = await page.evaluate(() =>
      document.querySelector<HTMLElement>("[data-ph-spacer]")!.offsetHeight
    );

    // Long tasks while scrolling 60 wheel steps, from here on.
    await page.evaluate(() => {
      (globalThis as unknown as { longTasks: number[] }).longTasks = [];
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) {
          (globalThis as unknown as { longTasks: number[] }).longTasks.push(e.duration);
        }
      }).observe({ type: "longtask", buffered: false });
    });
    const cdp = PROFILE ? await page.context().newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
      await cdp.send("Profiler.start");
    }
    if (TRACE) {
      await browser.startTracing(page, {
        categories: ["devtools.timeline", "disabled-by-default-devtools.timeline"],
      });
    }
    await page.mouse.move(600, 500);
    for (let k = 0; k < 60; k++) {
      await page.mouse.wheel(0, 900);
      await page.waitForTimeout(16);
    }
    // Jumps: the scrubber clicked at spread-out heights; time until that place's tiles have photos.
    const box = (await page.locator("[data-ph-scrubber]").boundingBox())!;
    const jumps: number[] = [];
    for (let j = 0; j < JUMPS; j++) {
      const y = box.y + box.height * ((j * 0.6180339887) % 1);
      const started = await page.evaluate(() => performance.now());
      await page.mouse.click(box.x + box.width / 2, y);
      await page.waitForFunction(
        () => {
          const s = document.querySelector<HTMLElement>("[data-ph-scroller]")!;
          const top = s.getBoundingClientRect().top;
          const tiles = [...document.querySelectorAll<HTMLElement>(".ph-tile")].filter((t) => {
            const r = t.getBoundingClientRect();
            return r.top >= top && r.top < top + s.clientHeight;
          });
          return tiles.length > 0 && tiles.every((t) => t.dataset.phId);
        },
        undefined,
        { timeout: 30_000 },
      );
      jumps.push((await page.evaluate(() => performance.now())) - started);
    }
    const long = await page.evaluate(() => (globalThis as unknown as { longTasks: number[] }).longTasks);
    if (TRACE) {
      const t = longTasksOf(JSON.parse((await browser.stopTracing()).toString()));
      console.log(
        `run ${run}: traced main-thread tasks over 50 ms: ${t.wall} by wall clock, ${t.cpu} by the thread's ` +
          `CPU time (longest ${t.longestCpu.toFixed(0)} ms of CPU)`,
      );
    }
    if (cdp) {
      const { profile } = await cdp.send("Profiler.stop");
      const { total, top } = topSelfTime(profile);
      console.log(
        `run ${run}: CPU profile over scrolling and jumps: ${total.toFixed(0)} ms sampled; most self time:`,
      );
      for (const [f, ms] of top) console.log(`  ${ms.toFixed(0).padStart(6)} ms  ${f}`);
      await cdp.detach();
    }
    // The oldest photo: End on the scrubber, then the last day's heading on screen.
    await page.focus("[data-ph-scrubber]");
    await page.keyboard.press("End");
    const want = monthLabel(oldest);
    const reached = await page.waitForFunction(
      (want) => [...document.querySelectorAll(".ph-month")].some((e) => e.textContent === want),
      want,
      { timeout: 30_000 },
    )
      .then(() => true, () => false);
    console.log(
      `run ${run}: first paint ${firstPaint.toFixed(0)} ms (goal ≤ 1000); month jumps ${
        stats(jumps)
      } (goal ≤ 300); ` +
        `long tasks while scrolling and jumping: ${long.length}${
          long.length ? `, longest ${Math.max(...long).toFixed(0)} ms` : ""
        } (goal: none over 50 ms); ` +
        `oldest day reached: ${reached}; scroller ${
          spacer.toLocaleString("en")
        } px tall (browser cap 16,777,216)`,
    );
  }
  await browser.close();
} finally {
  await h.stop();
}
