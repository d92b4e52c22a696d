/**
 * One leg of the pipeline bench, in a process of its own so `taskset` can hold it (every thread:
 * the main one and libuv's, where sharp works) to one core: the catalogue emptied and the
 * renditions deleted, then a `PhotoIndexer` started over the data directory the bench filled —
 * `start()` catalogues the store's photos (`Catalog.backfill` → `add`: pending rows), then each
 * photo goes through `processMedia` (EXIF, one ÷8 decode → thumbnail and colour) and
 * `Catalog.done`; then every photo's preview (made on first view in the server) is made too, timed apart. Timed from the backfill (timed also on its own) to `idle()`; also when the
 * first screenful (the FIRST photos taken last) all have thumbnails. Prints one line of JSON.
 *
 *   bun bench/photos/_leg.ts --dir=<data dir> --concurrency=<n> --first=<hash,hash,…>
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { silentLogger } from "../../shared/log/mod.ts";
import { Catalog } from "../../userserver/photos/catalog.ts";
import { PhotoIndexer } from "../../userserver/photos/indexer.ts";
import { pipelinePaths } from "../../userserver/photos/pipeline.ts";
import { benchCore, closeCore } from "./_core.ts";

const opt = (k: string) => Bun.argv.find((a) => a.startsWith(`--${k}=`))?.split("=")[1] ?? "";
const dir = opt("dir");
const concurrency = Number(opt("concurrency") || 2);
const first = opt("first").split(",").filter(Boolean);

// As in the user server, where the file manager's Thumbnailer sets both process-wide
// (userserver/files/thumbs.ts): one libvips thread per image, no operation cache.
sharp.concurrency(1);
sharp.cache(false);

const core = await benchCore(dir);
try {
  await core.db.client.execute("delete from photos");
  rmSync(join(dir, "thumbs"), { recursive: true, force: true });
  rmSync(join(dir, "photos"), { recursive: true, force: true });
  const paths = pipelinePaths(dir);
  const catalog = new Catalog(core);
  const indexer = new PhotoIndexer(core, catalog, paths, silentLogger, concurrency);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let firstAt = NaN;
  const waiting = new Set(first);
  const poll = setInterval(() => {
    for (const h of waiting) if (existsSync(paths.thumb(h))) waiting.delete(h);
    if (waiting.size === 0 && Number.isNaN(firstAt)) firstAt = performance.now() - t0;
  }, 20);
  // What `start()` does first, timed on its own: a row for every photo in the store.
  const catalogued = await catalog.backfill();
  const catalogueMs = performance.now() - t0;
  await indexer.start();
  await indexer.idle();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(poll);
  for (const h of waiting) if (existsSync(paths.thumb(h))) waiting.delete(h);
  if (waiting.size === 0 && Number.isNaN(firstAt)) firstAt = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  // Previews are made when a photo is first opened, not by the pass above; made here for every
  // photo (same concurrency) so "thumbnails + previews" can be stated beside the pass.
  const ids = core.reader.all<{ item_id: string }>("select item_id from photos where state = 'done'").map((
    r,
  ) => r.item_id);
  const p0 = performance.now();
  for (let k = 0; k < ids.length; k += concurrency) {
    await Promise.all(ids.slice(k, k + concurrency).map((id) => indexer.preview(id)));
  }
  const previewSeconds = (performance.now() - p0) / 1000;
  const previews = ids.filter((id) => existsSync(paths.preview(catalog.get(id)!.blobHash))).length;
  const counts = catalog.counts();
  const facts = core.reader.get<{ gps: number; exif: number }>(
    "select count(latitude) as gps, sum(taken_from = 'exif') as exif from photos where state = 'done'",
  )!;
  indexer.stop();
  console.log(JSON.stringify({
    seconds,
    previewSeconds,
    previews,
    catalogued,
    catalogueMs,
    firstMs: firstAt,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    done: indexer.stats.done,
    failed: indexer.stats.failed,
    pending: counts.pending,
    gps: facts.gps,
    exifTimes: facts.exif,
    sharpConcurrency: sharp.concurrency(),
  }));
} finally {
  closeCore(core);
}
