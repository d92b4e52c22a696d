/**
 * Thumbnails and folder navigation in Chromium through a relay, as alice (owner cookie seam):
 *   1. PHOTOS photos (2000×1500 JPEGs made with sharp: a gradient per photo plus noise) imported
 *      into a folder, the thumbnail cache empty. Chromium opens the folder in icon view; measured
 *      from navigation start: the first screenful of thumbnails loaded (every `img.fm-thumb` in
 *      the viewport complete) vs all PHOTOS generated (then the bench asks for every other
 *      thumbnail over the user server's relayed socket, two at a time, like a user scrolling on,
 *      and polls the cache directory until it holds them all).
 *   2. A 10,000-item folder: navigation to a usable page (PerformanceNavigationTiming
 *      domInteractive, also responseStart and domContentLoaded), NAVS navigations after a warm-up,
 *      vs a 10-item folder in the same run; goal ≤ 150 ms.
 *
 *   node_modules/.bin/bun bench/files/thumbs.ts
 *   BENCH_PHOTOS=100 BENCH_NAVS=5 node_modules/.bin/bun bench/files/thumbs.ts   # quick
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { silentLogger as log } from "../../shared/log/mod.ts";
import { blobs as blobsTable, items } from "../../shared/db/userserver/schema.ts";
import { startHarness, ZONE } from "../../testing/harness.ts";
import { restartUserWith, TEST_OWNER_TOKEN } from "../../testing/userserver_helpers.ts";
import { launchChromium } from "../../e2e/browser.ts";
import { openUserDb } from "../../userserver/database/mod.ts";
import { Signals } from "../../userserver/signals/mod.ts";
import { ROOT_ID, Store } from "../../userserver/store/mod.ts";
import { fmt, median, onCleanup, percentile, ratio, runBench, table } from "../relay/_lib.ts";

const PHOTOS = Number(process.env.BENCH_PHOTOS ?? 500);
const BIG = Number(process.env.BENCH_ITEMS ?? 10_000);
const NAVS = Number(process.env.BENCH_NAVS ?? 15);
const W = 2000;
const H = 1500;

async function photo(i: number): Promise<Uint8Array> {
  const raw = new Uint8Array(W * H * 3);
  const [r0, g0, b0] = [(i * 37) & 255, (i * 91) & 255, (i * 53) & 255];
  let seed = i * 2654435761 >>> 0;
  for (let y = 0, o = 0; y < H; y++) {
    for (let x = 0; x < W; x++, o += 3) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      const n = seed >>> 28; // 0..15 of noise
      raw[o] = (r0 + (x >> 3) + n) & 255;
      raw[o + 1] = (g0 + (y >> 3) + n) & 255;
      raw[o + 2] = (b0 + ((x + y) >> 4) + n) & 255;
    }
  }
  return new Uint8Array(
    await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 82 }).toBuffer(),
  );
}

function countThumbs(dir: string): number {
  let n = 0;
  for (const a of safeReaddir(dir)) for (const f of safeReaddir(join(dir, a))) if (f.endsWith(".webp")) n++;
  return n;
}
function safeReaddir(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

async function main() {
  const t0 = performance.now();
  console.log(
    `thumbs: ${PHOTOS} photos ${W}×${H}, a ${BIG}-item folder, ${navigator.hardwareConcurrency} CPUs`,
  );
  const h = await startHarness({ relays: 1, users: ["alice"] });
  onCleanup(() => h.stop());
  await restartUserWith(h, "alice", { testOwnerToken: TEST_OWNER_TOKEN });
  const userDir = h.dirs.users.alice;

  // Fill alice's store with the user server stopped (the import path, not an upload): no
  // thumbnail is queued in the background, so every one is made while measuring.
  await h.processes.get("user:alice")!.stop();
  const db = await openUserDb(userDir);
  const store = new Store(userDir, db, new Signals(log), log);
  await store.start();
  const photos = await store.createFolder(ROOT_ID, "Photos");
  const small = await store.createFolder(ROOT_ID, "Small");
  const big = await store.createFolder(ROOT_ID, "Big");
  const srcDir = join(userDir, "..", "bench-photos");
  mkdirSync(srcDir, { recursive: true });
  onCleanup(() => rmSync(srcDir, { recursive: true, force: true }));
  const g0 = performance.now();
  let bytes = 0;
  for (let i = 0; i < PHOTOS; i += 4) {
    await Promise.all(Array.from({ length: Math.min(4, PHOTOS - i) }, async (_, k) => {
      const n = i + k;
      const jpeg = await photo(n);
      bytes += jpeg.length;
      const src = join(srcDir, `${n}.jpg`);
      await Bun.write(src, jpeg);
      await store.importFile(photos.id, `IMG_${String(n).padStart(4, "0")}.jpg`, src, { mtime: Date.now() });
      rmSync(src);
    }));
  }
  console.log(
    `made and imported ${PHOTOS} photos (${fmt(bytes / PHOTOS / 1e6, 2)} MB each) in ${
      fmt((performance.now() - g0) / 1000)
    } s`,
  );
  for (let i = 0; i < 10; i++) {
    await store.importFile(small.id, `note-${i}.txt`, await writeTmp(srcDir, `n${i}`, `note ${i}`), {
      mtime: 1,
    });
  }
  const x = await store.blobs.putBytes(new TextEncoder().encode("x"));
  await db.write(async () => {
    for (let i = 0; i < BIG; i += 500) {
      await db.orm.insert(items).values(Array.from({ length: Math.min(500, BIG - i) }, (_, j) => ({
        id: `big${i + j}`,
        parentId: big.id,
        name: `file_${String(i + j).padStart(5, "0")}.txt`,
        kind: "file" as const,
        type: "text/plain",
        size: ((i + j) * 7919) % 9_000_003,
        mtime: 1_700_000_000_000 + i + j,
        blobHash: x.hash,
        aclSet: false,
        createdAt: 1,
      })));
    }
    await db.orm.insert(blobsTable).values({ hash: x.hash, size: 1, refs: BIG, createdAt: 1 });
  });
  db.close();
  const photoIds = await listIds(userDir, photos.id);
  rmSync(join(userDir, "thumbs"), { recursive: true, force: true });
  await h.start("user:alice");
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length >= 1);
  console.log(`stack up and filled in ${fmt((performance.now() - t0) / 1000)} s`);

  const relay = h.relay("relay-a");
  const origin = `https://alice.${ZONE}:${relay.browserPort}`;
  const browser = await launchChromium({
    trustCaPem: h.caPem,
    resolverRules: [`MAP alice.${ZONE} ${relay.browserAddresses[0]}`],
  });
  onCleanup(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addCookies([{
    name: "__Host-hearth-test-owner",
    value: TEST_OWNER_TOKEN,
    url: `${origin}/`,
    secure: true,
    httpOnly: true,
    sameSite: "Lax",
  }]);
  const page = await context.newPage();
  // Warm the connection, the shell's assets and the JIT on a page without thumbnails.
  await page.goto(`${origin}/browse/${small.id}?view=icons`);

  // ---- 1. thumbnails
  const thumbsDir = join(userDir, "thumbs");
  const sock = join(userDir, "relayed.sock");
  await page.goto(`${origin}/browse/${photos.id}?view=icons`, { waitUntil: "commit" });
  const first = await page.evaluate(firstScreenful);
  // Everything else, the way a user scrolling through would ask for it (two at a time).
  const rest = [...photoIds];
  const asking = Promise.all([0, 1].map(async () => {
    for (let id = rest.pop(); id; id = rest.pop()) {
      const r = await fetch(`https://alice.${ZONE}/files/${id}/thumb`, {
        unix: sock,
        tls: { ca: h.caPem },
        headers: { cookie: `__Host-hearth-test-owner=${TEST_OWNER_TOKEN}` },
      } as RequestInit);
      if (r.status !== 200) throw new Error(`thumbnail of ${id}: HTTP ${r.status}`);
      await r.arrayBuffer();
    }
  }));
  while (countThumbs(thumbsDir) < PHOTOS) {
    if (Date.now() - first.origin > 20 * 60_000) {
      throw new Error(`only ${countThumbs(thumbsDir)} thumbnails made`);
    }
    await Bun.sleep(20);
  }
  const allAt = Date.now() - first.origin;
  await asking;
  const firstMs = first.at;
  console.log(`\nThumbnails (icon view, ${first.visible} in the first screenful of 1280×800):`);
  console.log(table([
    ["milestone", "ms from navigation start", "per thumbnail"],
    ["first screenful loaded", fmt(firstMs, 0), `${fmt(firstMs / first.visible, 1)} ms`],
    [`all ${PHOTOS} generated`, fmt(allAt, 0), `${fmt(allAt / PHOTOS, 1)} ms`],
  ]));
  console.log(`first screenful / all: ${ratio(firstMs, allAt)}`);

  // ---- 2. navigation to a usable folder page
  const nav = async (id: string) => {
    await page.goto(`${origin}/browse/${id}`, { waitUntil: "domcontentloaded" });
    return await page.evaluate(() => {
      const e = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      return {
        ttfb: e.responseStart - e.startTime,
        interactive: e.domInteractive - e.startTime,
        dcl: e.domContentLoadedEventEnd - e.startTime,
        rows: document.querySelectorAll("#listing .fm-open").length,
        count: document.querySelector("h1")?.textContent ?? "",
      };
    });
  };
  for (let i = 0; i < 3; i++) await nav(big.id), await nav(small.id);
  const runs: Record<string, Awaited<ReturnType<typeof nav>>[]> = { big: [], small: [] };
  for (let i = 0; i < NAVS; i++) {
    runs.big.push(await nav(big.id));
    runs.small.push(await nav(small.id));
  }
  if (runs.big[0].rows === 0) throw new Error("the big folder page shows no rows");
  const stat = (k: "big" | "small", f: "ttfb" | "interactive" | "dcl") => runs[k].map((r) => r[f]);
  console.log(
    `\nNavigation through the relay (${NAVS} each, median / p90 ms; ${runs.big[0].rows} rows on the page):`,
  );
  console.log(table([
    ["folder", "responseStart", "domInteractive", "domContentLoaded"],
    ...(["big", "small"] as const).map((k) => [
      k === "big" ? `${BIG} items` : "10 items",
      ...(["ttfb", "interactive", "dcl"] as const).map((f) =>
        `${fmt(median(stat(k, f)), 1)} / ${fmt(percentile(stat(k, f), 90), 1)}`
      ),
    ]),
  ]));
  const bigI = median(stat("big", "interactive"));
  console.log(
    `${BIG}-item / 10-item domInteractive: ${
      ratio(bigI, median(stat("small", "interactive")))
    }; goal ≤ 150 ms: ${bigI <= 150 ? "met" : "NOT met"}`,
  );
  console.log(`\nthumbs bench done in ${fmt((performance.now() - t0) / 1000)} s`);
}

/** In the page: waits until every thumbnail in the viewport has loaded; ms from navigation start. */
function firstScreenful(): Promise<{ at: number; visible: number; origin: number }> {
  return new Promise((resolve, reject) => {
    const until = performance.now() + 600_000;
    const check = () => {
      const imgs = [...document.querySelectorAll<HTMLImageElement>("img.fm-thumb")].filter((i) => {
        const r = i.getBoundingClientRect();
        return r.width > 0 && r.bottom > 0 && r.top < innerHeight;
      });
      if (imgs.length && imgs.every((i) => i.complete && i.naturalWidth > 0)) {
        resolve({ at: performance.now(), visible: imgs.length, origin: performance.timeOrigin });
      } else if (performance.now() > until) reject(new Error("thumbnails did not load"));
      else setTimeout(check, 10);
    };
    check();
  });
}

async function writeTmp(dir: string, name: string, content: string): Promise<string> {
  const p = join(dir, name);
  await Bun.write(p, content);
  return p;
}

async function listIds(userDir: string, folderId: string): Promise<string[]> {
  const db = await openUserDb(userDir);
  try {
    const store = new Store(userDir, db, new Signals(log), log);
    return (await store.items.children(folderId)).map((i) => i.id);
  } finally {
    db.close();
  }
}

await runBench("thumbs", 30 * 60_000, main);
