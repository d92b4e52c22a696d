/**
 * Where the photo pipeline's time goes, one photo at a time on one core (run it under
 * `taskset -c 0`): each stage of `processMedia` + `Catalog.done` timed on its own, in the order the
 * pipeline runs them, then the alternatives that would change the picture — a thumbnail straight
 * from the file (JPEG shrink-on-load by 8, what `vipsthumbnail` does), a preview straight from the
 * file, and a smaller preview. The stage code is copied from `renditions()` in
 * userserver/photos/pipeline.ts (same options); keep them in step.
 *
 *   taskset -c 0 node_modules/.bin/bun bench/photos/profile.ts [--jpegs=40]
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import sharp from "sharp";
import { Catalog } from "../../userserver/photos/catalog.ts";
import { readExif } from "../../userserver/photos/exif.ts";
import { PREVIEW_PX, THUMB_PX } from "../../userserver/photos/pipeline.ts";
import { ROOT_ID } from "../../userserver/store/mod.ts";
import { arg, benchCore, closeCore, median } from "./_core.ts";
import { ensureJpegs, takenOf } from "./_jpegs.ts";

const N = arg("jpegs", 40);
const MAX_PIXELS = 268_402_689; // pipeline.ts
sharp.concurrency(1); // as the user server (userserver/files/thumbs.ts)
sharp.cache(false);

const root = mkdtempSync(join(tmpdir(), "hearth-bench-profile-"));
const out = join(root, "out");
mkdirSync(out);
const files = await ensureJpegs(N);
const core = await benchCore(root);
try {
  const folder = await core.store.createFolder(ROOT_ID, "Camera");
  const items = [];
  for (const [i, f] of files.entries()) {
    items.push(
      (await core.store.importFile(folder.id, basename(f), f, { mtime: takenOf(i).getTime() })).item,
    );
  }
  const catalog = new Catalog(core);
  // Wall time and the process's CPU time (every thread: sharp works on libuv's) per stage; on a
  // shared machine the CPU time is the steadier figure (waiting for the core is not in it).
  const times: Record<string, number[]> = {};
  const cpus: Record<string, number[]> = {};
  const time = async <T>(stage: string, fn: () => Promise<T>): Promise<T> => {
    const c = process.cpuUsage();
    const t = performance.now();
    const r = await fn();
    (times[stage] ??= []).push(performance.now() - t);
    const d = process.cpuUsage(c);
    (cpus[stage] ??= []).push((d.user + d.system) / 1000);
    return r;
  };
  const opts = { failOn: "none" as const, limitInputPixels: MAX_PIXELS };
  // One warm-up photo (libvips' and the JIT's first use), not counted.
  await sharp(files[0]!, opts).resize(PREVIEW_PX).jpeg().toBuffer();
  for (const [i, f] of files.entries()) {
    const item = items[i]!;
    const path = core.store.blobs.pathOf(item.blobHash!);
    await time("catalogue row (Catalog.add)", () => catalog.add(item));
    const exif = await time("EXIF (exifr)", () => readExif(path));
    const meta = await time("header (sharp metadata)", () => sharp(path, opts).metadata());
    const { data, info } = await time(
      "decode + rotate + resize to 1280 (shrink-on-load ÷2)",
      () =>
        sharp(path, { ...opts, animated: false }).rotate().resize(PREVIEW_PX, PREVIEW_PX, {
          fit: "inside",
          withoutEnlargement: true,
        }).removeAlpha().raw().toBuffer({ resolveWithObject: true }),
    );
    const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
    await time(
      "preview JPEG encode + write",
      () => sharp(data, raw).jpeg({ quality: 82, mozjpeg: false }).toFile(join(out, `p${i}.jpg`)),
    );
    await time(
      "thumbnail resize + WebP encode + write",
      () =>
        sharp(data, raw).resize(THUMB_PX, THUMB_PX, { fit: "cover" }).webp({ quality: 72, effort: 2 }).toFile(
          join(out, `t${i}.webp`),
        ),
    );
    const px = await time(
      "colour (1×1)",
      () => sharp(data, raw).resize(1, 1, { fit: "fill" }).raw().toBuffer(),
    );
    await time("catalogue row (Catalog.done)", () =>
      catalog.done(item.id, item.blobHash!, {
        ...exif,
        width: meta.width ?? 0,
        height: meta.height ?? 0,
        colour: `#${[...px.subarray(0, 3)].map((v) => v.toString(16).padStart(2, "0")).join("")}`,
      }));
    // Alternatives (not part of the pipeline today).
    await time(
      "alt: thumbnail from the file (shrink ÷8) → WebP",
      () =>
        sharp(path, opts).rotate().resize(THUMB_PX, THUMB_PX, { fit: "cover" }).webp({
          quality: 72,
          effort: 2,
        })
          .toFile(join(out, `a${i}.webp`)),
    );
    await time(
      "alt: same, but fit inside → JPEG (= vipsthumbnail)",
      () =>
        sharp(path, opts).rotate().resize(THUMB_PX, THUMB_PX, { fit: "inside" }).jpeg().toFile(
          join(out, `b${i}.jpg`),
        ),
    );
    await time(
      "alt: preview 1000 px from the file (shrink ÷4)",
      () =>
        sharp(path, opts).rotate().resize(1000, 1000, { fit: "inside" }).jpeg({ quality: 82 }).toFile(
          join(out, `c${i}.jpg`),
        ),
    );
    await time(
      "alt: full decode (no shrink-on-load), 1280 preview",
      () =>
        sharp(path, { ...opts, autoOrient: false }).resize(PREVIEW_PX, PREVIEW_PX, {
          fit: "inside",
          fastShrinkOnLoad: false,
        }).jpeg({ quality: 82 }).toFile(join(out, `d${i}.jpg`)),
    );
    void f;
  }
  const pipelineStages = Object.keys(times).filter((k) => !k.startsWith("alt:"));
  const total = pipelineStages.reduce((s, k) => s + median(times[k]!), 0);
  const totalCpu = pipelineStages.reduce((s, k) => s + median(cpus[k]!), 0);
  console.log(
    `${N} photos 4000×3000, one at a time (median per photo: wall ms, CPU ms, share of the pipeline's CPU):`,
  );
  for (const k of Object.keys(times)) {
    const [m, c] = [median(times[k]!), median(cpus[k]!)];
    const share = k.startsWith("alt:") ? "" : `${((c / totalCpu) * 100).toFixed(0).padStart(3)} %`;
    console.log(`  ${k.padEnd(56)} ${m.toFixed(1).padStart(7)} ${c.toFixed(1).padStart(7)} ${share}`);
  }
  console.log(
    `  ${"sum of the pipeline's stages".padEnd(56)} ${total.toFixed(1).padStart(7)} ${
      totalCpu.toFixed(1).padStart(7)
    }`,
  );
  // The peer on the same files, same core: one vipsthumbnail batch (it inherits this process's
  // taskset), its CPU per photo from its resource usage.
  if (existsSync("/usr/bin/vipsthumbnail")) {
    const t = performance.now();
    const p = Bun.spawn(["/usr/bin/vipsthumbnail", "-s", "256", "-o", `${out}/v%s.jpg`, ...files], {
      env: { ...process.env, VIPS_CONCURRENCY: "1" },
    });
    await p.exited;
    const u = p.resourceUsage()!;
    const cpu = Number(u.cpuTime.user + u.cpuTime.system) / 1000 / N;
    console.log(
      `  ${"peer: vipsthumbnail -s 256, one batch".padEnd(56)} ${
        ((performance.now() - t) / N).toFixed(1).padStart(7)
      } ${cpu.toFixed(1).padStart(7)}`,
    );
  } else console.log("  (vipsthumbnail is not installed: apt install libvips-tools)");
} finally {
  closeCore(core);
  rmSync(root, { recursive: true, force: true });
}
