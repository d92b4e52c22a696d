/**
 * Photos timeline benchmark (not part of `npm test`), issue #19: `Catalog.window` and
 * `Catalog.days` over a library of PHOTOS photos, through the real Core's prepared reader.
 *
 * The library: ~20 years (2006–2025) of uneven days — most days empty or with a few photos, more
 * in later years and at weekends, some event days with hundreds — and one day (2019-07-14) with
 * 70,000 photos (immich#28861: one day's import of a phone backup), 0.5 % trashed, 3 % videos,
 * bursts that share a timestamp. Rows are inserted in a seeded random order (a library imported
 * device by device and backfilled: a window's rows are not neighbours in the table), in
 * transactions of 50,000 through bun:sqlite on the migrated file; the migration's triggers keep
 * `photo_days`.
 *
 * Measured, ROUNDS rounds of: QUERIES windows of 200 (the client's chunk: offsets are multiples
 * of 200), a third each of (a) a day drawn by its photo count at a random chunk (scrolling), (b) a
 * deep chunk of the 70,000-photo day, (c) the first chunk of a uniformly drawn day (the scrubber);
 * QUERIES `days()`; and the first screenful's server work (`days()` + the first chunk of each of
 * the newest days until 60 photos, like `/photos/api/windows`), on the long-lived reader and on a
 * fresh one (statements not yet prepared, SQLite's cache empty). The peer, same run, same
 * positions: the same deep chunks by keyset (`(taken_at, item_id) <` the previous chunk's last
 * row) — what a cursor instead of OFFSET would cost.
 *
 *   node_modules/.bin/bun bench/photos/timeline.ts                    # 200,000 photos, ~1 min
 *   node_modules/.bin/bun bench/photos/timeline.ts --photos=1000000   # the issue's size
 *   [--queries=2000] [--rounds=3] [--keep=<dir>: keep (and reuse) the database in <dir>]
 */
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openReader } from "../../userserver/database/mod.ts";
import { Catalog } from "../../userserver/photos/catalog.ts";
import { dayOf } from "../../userserver/photos/exif.ts";
import { rng } from "./_jpegs.ts";
import { arg, benchCore, closeCore, median, percentile } from "./_core.ts";

const PHOTOS = arg("photos", 200_000);
const QUERIES = arg("queries", 2000);
const ROUNDS = arg("rounds", 3);
const KEEP = Bun.argv.find((a) => a.startsWith("--keep="))?.split("=")[1];
const CHUNK = 200;
const BIG_DAY = 20190714;
const BIG = Math.min(70_000, Math.floor(PHOTOS * 0.35));
const SCREEN = 60;

const ms = (x: number) => x.toFixed(2);
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// ---------------------------------------------------------------- the library

/** Photos per day, newest last: ~20 years, uneven, one huge day. */
function dayCounts(r: () => number): Map<number, number> {
  const start = Date.UTC(2006, 0, 1);
  const n = Math.round((Date.UTC(2025, 11, 31) - start) / 86_400_000) + 1;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const weights: Array<[number, number]> = [];
  for (let k = 0; k < n; k++) {
    const t = start + k * 86_400_000;
    const f = k / n;
    if (r() > 0.25 + 0.5 * f) continue; // a day without photos
    const weekend = [0, 6].includes(new Date(t).getUTCDay()) ? 2 : 1;
    weights.push([dayOf(t), Math.exp(1.6 * gauss()) * (0.3 + 2 * f) * weekend]);
  }
  const total = weights.reduce((s, [, w]) => s + w, 0);
  const rest = PHOTOS - BIG;
  const counts = new Map<number, number>();
  let given = 0;
  for (const [day, w] of weights) {
    const c = Math.floor((w / total) * rest);
    if (c > 0) counts.set(day, c), given += c;
  }
  const days = [...counts.keys()];
  for (; given < rest; given++) {
    const d = days[Math.floor(r() * days.length)]!;
    counts.set(d, counts.get(d)! + 1);
  }
  counts.set(BIG_DAY, (counts.get(BIG_DAY) ?? 0) + BIG);
  return counts;
}

interface Row {
  id: string;
  hash: string;
  kind: string;
  takenAt: number;
  day: number;
  trashed: number;
  lat: number | null;
}

function rows(counts: Map<number, number>, r: () => number): Row[] {
  const out: Row[] = [];
  const token = (len: number, alphabet: string) =>
    Array.from({ length: len }, () => alphabet[Math.floor(r() * alphabet.length)]).join("");
  for (const [day, count] of counts) {
    const y = Math.floor(day / 10000), m = Math.floor(day / 100) % 100, d = day % 100;
    const midnight = Date.UTC(y, m - 1, d);
    // A few sessions a day; the big day is spread from 6:00 to midnight.
    const sessions = day === BIG_DAY ? 1 : 1 + Math.floor(r() * 4);
    const centres = Array.from({ length: sessions }, () => (8 + r() * 13) * 3_600_000);
    let last = 0;
    for (let i = 0; i < count; i++) {
      let at: number;
      if (i > 0 && r() < 0.05) at = last; // a burst: the same instant as the one before
      else if (day === BIG_DAY) at = midnight + 6 * 3_600_000 + Math.floor(r() * 18 * 3_600_000);
      else {
        const c = centres[Math.floor(r() * sessions)]!;
        at = midnight + Math.min(86_399_999, Math.max(0, Math.floor(c + (r() - 0.5) * 3_600_000)));
      }
      last = at;
      out.push({
        id: token(16, B64),
        hash: token(64, "0123456789abcdef"),
        kind: r() < 0.03 ? "video" : "photo",
        takenAt: at,
        day,
        trashed: r() < 0.005 ? 1 : 0,
        lat: r() < 0.4 ? 40 + r() * 15 : null,
      });
    }
  }
  // Seeded shuffle: insertion order is not time order.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function insert(file: string, all: Row[]): void {
  const db = new Database(file);
  db.exec("PRAGMA busy_timeout = 10000");
  // A loader's cache (256 MB): the random keys of three indexes would otherwise evict and re-read
  // pages for every row (4k rows/s with SQLite's default 2 MB).
  db.exec("PRAGMA cache_size = -262144");
  const stmt = db.prepare(
    `insert into photos (item_id, blob_hash, kind, taken_at, day, taken_from, width, height, colour, exif,
       latitude, longitude, trashed, state) values (?, ?, ?, ?, ?, 'exif', 4032, 3024, ?, ?, ?, ?, ?, 'done')`,
  );
  const exif = JSON.stringify({
    Camera: "Apple iPhone 13",
    Lens: "iPhone 13 back dual wide camera 5.1mm f/1.6",
    Exposure: "1/120 s · ƒ/1.6 · ISO 50 · 5.1 mm",
    Size: "4032 × 3024 (12.2 MP)",
  });
  const batch = db.transaction((part: Row[]) => {
    for (const p of part) {
      stmt.run(
        p.id,
        p.hash,
        p.kind,
        p.takenAt,
        p.day,
        `#${p.hash.slice(0, 6)}`,
        exif,
        p.lat,
        p.lat === null ? null : p.lat / 5,
        p.trashed,
      );
    }
  });
  for (let i = 0; i < all.length; i += 50_000) batch(all.slice(i, i + 50_000));
  stmt.finalize();
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
}

// ---------------------------------------------------------------- the bench

const root = KEEP ?? mkdtempSync(join(tmpdir(), "hearth-bench-photos-"));
mkdirSync(root, { recursive: true });
const reuse = KEEP !== undefined && existsSync(join(root, "userserver.db"));
const core = await benchCore(root);
try {
  const catalog = new Catalog(core);
  const r = rng(19);
  const counts = dayCounts(r);
  if (reuse) {
    console.log(`reusing the library in ${root}`);
  } else {
    let t0 = performance.now();
    const all = rows(counts, r);
    const made = performance.now() - t0;
    t0 = performance.now();
    insert(join(root, "userserver.db"), all);
    const sec = (performance.now() - t0) / 1000;
    console.log(
      `library: ${all.length} photos on ${counts.size} days generated in ${
        (made / 1000).toFixed(1)
      } s, inserted in ${sec.toFixed(1)} s (${
        (all.length / sec / 1000).toFixed(0)
      }k rows/s, triggers included)`,
    );
  }
  const days = catalog.days();
  const live = days.reduce((s, [, c]) => s + c, 0);
  const big = days.find(([d]) => d === BIG_DAY)?.[1] ?? 0;
  console.log(
    `days(): ${days.length} days, ${live} photos not trashed, ${big} on ${BIG_DAY}; largest other day ${
      Math.max(...days.filter(([d]) => d !== BIG_DAY).map(([, c]) => c))
    }`,
  );

  // The same positions every round: a third each of scrolling, deep in the big day, the scrubber.
  const q = rng(7);
  const weighted = days.flatMap(([d, c]) =>
    Array.from({ length: Math.ceil(c / CHUNK) }, (_, k) => [d, k * CHUNK])
  );
  const positions: Array<{ kind: "scroll" | "deep" | "jump"; day: number; offset: number }> = [];
  for (let i = 0; i < QUERIES; i++) {
    const k = i % 3;
    if (k === 0) {
      const [day, offset] = weighted[Math.floor(q() * weighted.length)]!;
      positions.push({ kind: "scroll", day: day!, offset: offset! });
    } else if (k === 1) {
      positions.push({ kind: "deep", day: BIG_DAY, offset: Math.floor((q() * big) / CHUNK) * CHUNK });
    } else positions.push({ kind: "jump", day: days[Math.floor(q() * days.length)]![0], offset: 0 });
  }
  // What each window must start with, by the plain OFFSET query (found once, untimed).
  const expected = positions.map((p) =>
    core.reader.get<{ item_id: string }>(
      `select item_id from photos where trashed = 0 and day = $day
       order by taken_at desc, item_id desc limit 1 offset $offset`,
      { $day: p.day, $offset: p.offset },
    )?.item_id
  );
  // The peer's cursors: the row just before each deep chunk (found once, untimed).
  const cursorSql = `select taken_at, item_id from photos where trashed = 0 and day = $day
    order by taken_at desc, item_id desc limit 1 offset $offset`;
  const keysetSql = `select item_id, blob_hash, taken_at, width, height, colour, kind from photos
    where trashed = 0 and day = $day and (taken_at, item_id) < ($t, $id)
    order by taken_at desc, item_id desc limit $limit`;
  const cursors = positions.filter((p) => p.kind === "deep" && p.offset > 0).map((p) => ({
    ...p,
    cursor: core.reader.get<{ taken_at: number; item_id: string }>(cursorSql, {
      $day: p.day,
      $offset: p.offset - 1,
    })!,
  }));

  // Wall time, and this process's CPU time (the reader runs on this thread): on a shared machine
  // a query's wall time also holds the time it waited for a core; its CPU time does not.
  interface Series {
    wall: number[];
    cpu: number[];
  }
  const series = (): Series => ({ wall: [], cpu: [] });
  const timed = <T>(into: Series, fn: () => T): T => {
    const c = process.cpuUsage();
    const t = performance.now();
    const r = fn();
    into.wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    into.cpu.push((d.user + d.system) / 1000);
    return r;
  };
  const line = (label: string, { wall, cpu }: Series) =>
    `${label.padEnd(34)} p50 ${ms(median(wall))}  p95 ${ms(percentile(wall, 95))}  p99 ${
      ms(percentile(wall, 99))
    }  max ${ms(Math.max(...wall))} ms | CPU p50 ${ms(median(cpu))} p99 ${ms(percentile(cpu, 99))} ms`;
  const summary: Array<
    { p99: number; cpuP99: number; deepP50: number; keysetP50: number; first: number; firstCold: number }
  > = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const by = { scroll: series(), deep: series(), jump: series() };
    const deepOffset = series();
    const all = series();
    let wrong = 0;
    for (const [i, p] of positions.entries()) {
      const mine = series();
      const tiles = timed(mine, () => catalog.window(p.day, p.offset, CHUNK));
      for (const into of [by[p.kind], all, ...(p.kind === "deep" && p.offset > 0 ? [deepOffset] : [])]) {
        into.wall.push(mine.wall[0]!);
        into.cpu.push(mine.cpu[0]!);
      }
      const count = days.find(([d]) => d === p.day)![1];
      if (tiles.length !== Math.min(CHUNK, count - p.offset) || tiles[0]?.i !== expected[i]) wrong++;
    }
    const keyset = series();
    for (const c of cursors) {
      const got = timed(keyset, () =>
        core.reader.all<{ item_id: string }>(keysetSql, {
          $day: c.day,
          $t: c.cursor.taken_at,
          $id: c.cursor.item_id,
          $limit: CHUNK,
        }));
      if (got.length !== Math.min(CHUNK, big - c.offset)) wrong++;
    }
    const dayTimes = series();
    for (let i = 0; i < QUERIES; i++) timed(dayTimes, () => catalog.days());
    // The first screenful: days() and the first chunk of the newest days until SCREEN photos.
    const screen = (c: Catalog) => {
      const t = performance.now();
      let tiles = 0;
      for (const [day] of c.days()) {
        tiles += c.window(day, 0, CHUNK).length;
        if (tiles >= SCREEN) break;
      }
      return performance.now() - t;
    };
    const warm = Array.from({ length: 20 }, () => screen(catalog));
    const fresh = openReader(root);
    const cold = screen(new Catalog({ ...core, reader: fresh }));
    fresh.close();

    console.log(
      `\nround ${round} (${all.wall.length} windows of ${CHUNK}${wrong ? `, ${wrong} WRONG` : ""}):`,
    );
    console.log(line("all windows", all));
    console.log(line("  scroll (day by count, any chunk)", by.scroll));
    console.log(line(`  deep in the ${big}-photo day`, by.deep));
    console.log(line("  scrubber (any day, first chunk)", by.jump));
    console.log(line("  peer: same deep chunks by keyset", keyset));
    console.log(line(`days() (${days.length} rows)`, dayTimes));
    console.log(
      `first screenful (days() + windows to ${SCREEN} photos): warm p50 ${
        ms(median(warm))
      } ms, fresh reader ${ms(cold)} ms`,
    );
    const p99 = percentile(all.wall, 99);
    console.log(
      `deep chunks, OFFSET / keyset (p50): ${
        (median(deepOffset.wall) / median(keyset.wall)).toFixed(2)
      }×; all windows p99 ${ms(p99)} ms (CPU ${ms(percentile(all.cpu, 99))} ms): goal ≤ 10 ms ${
        p99 <= 10 ? "met" : "NOT met"
      }`,
    );
    summary.push({
      p99,
      cpuP99: percentile(all.cpu, 99),
      deepP50: median(deepOffset.wall),
      keysetP50: median(keyset.wall),
      first: median(warm),
      firstCold: cold,
    });
  }
  if (ROUNDS > 1) {
    const span = (xs: number[]) => `${ms(Math.min(...xs))}–${ms(Math.max(...xs))}`;
    console.log(
      `\nspread over ${ROUNDS} rounds: windows p99 ${span(summary.map((s) => s.p99))} ms (CPU ${
        span(summary.map((s) => s.cpuP99))
      } ms); deep p50 ${span(summary.map((s) => s.deepP50))} ms vs keyset ${
        span(summary.map((s) => s.keysetP50))
      } ms; first screenful ${span(summary.map((s) => s.first))} ms warm, ${
        span(summary.map((s) => s.firstCold))
      } ms fresh`,
    );
  }
} finally {
  closeCore(core);
  if (!KEEP) rmSync(root, { recursive: true, force: true });
}
