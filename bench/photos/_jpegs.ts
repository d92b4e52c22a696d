/**
 * The pipeline bench's photos: 12 MP JPEGs (4000×3000) made deterministically with sharp, the way a
 * phone's look to a decoder — smooth colour fields with hard-edged shapes over them and sensor-like
 * noise on every pixel, so they do not compress trivially (≈ 3–4 MB each at quality 90, like a
 * phone's) — with EXIF DateTimeOriginal, Make and Model, and GPS on every third. Made once into
 * `bench/out/photos/jpegs/` (gitignored) and reused: making 500 takes minutes.
 */
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";

export const JPEG_W = 4000;
export const JPEG_H = 3000;
/** Bump when the images change, so an old cache is not reused. */
const VERSION = 1;

export const jpegDir = new URL(`../out/photos/jpegs-v${VERSION}`, import.meta.url).pathname;

import { rng } from "../_rng.ts";

export { rng };

const CAMERAS = [
  ["Apple", "iPhone 13"],
  ["Google", "Pixel 7"],
  ["samsung", "SM-S911B"],
  ["Canon", "Canon EOS R6"],
  ["FUJIFILM", "X-T4"],
] as const;

/** When photo `i` was taken: one every ~40 minutes from 2024-05-01, so index order is time order. */
export function takenOf(i: number): Date {
  return new Date(Date.UTC(2024, 4, 1, 8, 0, 0) + i * 2_400_000 + (i * 7919 % 600) * 1000);
}

function exifTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}:${p(d.getUTCMonth() + 1)}:${p(d.getUTCDate())} ${p(d.getUTCHours())}:${
    p(d.getUTCMinutes())
  }:${p(d.getUTCSeconds())}`;
}

/** "51/1 30/1 1234/100": degrees, minutes, seconds as EXIF rationals. */
function dms(v: number): string {
  const a = Math.abs(v);
  const d = Math.floor(a);
  const m = Math.floor((a - d) * 60);
  const s = Math.round(((a - d) * 60 - m) * 60 * 100);
  return `${d}/1 ${m}/1 ${s}/100`;
}

export async function makeJpeg(i: number): Promise<Buffer> {
  const r = rng(1000 + i);
  // 1. Smooth colour fields: a 16×12 random image scaled up with a cubic kernel.
  const small = new Uint8Array(16 * 12 * 3).map(() => Math.floor(r() * 256));
  const base = sharp(small, { raw: { width: 16, height: 12, channels: 3 } }).resize(JPEG_W, JPEG_H, {
    kernel: "cubic",
  });
  // 2. Hard edges: 40 shapes of random colours, some half transparent.
  const shapes: string[] = [];
  for (let k = 0; k < 40; k++) {
    const [x, y, w, h] = [r() * JPEG_W, r() * JPEG_H, 80 + r() * 900, 80 + r() * 700];
    const fill = `rgb(${Math.floor(r() * 256)},${Math.floor(r() * 256)},${Math.floor(r() * 256)})`;
    const op = (0.4 + r() * 0.6).toFixed(2);
    shapes.push(
      r() < 0.5
        ? `<rect x="${x.toFixed(0)}" y="${y.toFixed(0)}" width="${w.toFixed(0)}" height="${
          h.toFixed(0)
        }" fill="${fill}" fill-opacity="${op}" transform="rotate(${(r() * 90).toFixed(0)} ${x.toFixed(0)} ${
          y.toFixed(0)
        })"/>`
        : `<ellipse cx="${x.toFixed(0)}" cy="${y.toFixed(0)}" rx="${(w / 2).toFixed(0)}" ry="${
          (h / 2).toFixed(0)
        }" fill="${fill}" fill-opacity="${op}"/>`,
    );
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${JPEG_W}" height="${JPEG_H}">${
    shapes.join("")
  }</svg>`;
  const pixels = await base.composite([{ input: Buffer.from(svg), top: 0, left: 0 }]).removeAlpha().raw()
    .toBuffer();
  // 3. Sensor-like noise on every pixel (±16, from the same seeded generator: a fast LCG).
  let s = (i * 2654435761) >>> 0;
  for (let o = 0; o < pixels.length; o++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const v = pixels[o]! + ((s >>> 24) % 33) - 16;
    pixels[o] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  const [make, model] = CAMERAS[i % CAMERAS.length]!;
  const when = exifTime(takenOf(i));
  const gps = i % 3 === 0
    ? {
      IFD3: {
        GPSLatitudeRef: "N",
        GPSLatitude: dms(45 + r() * 10),
        GPSLongitudeRef: "E",
        GPSLongitude: dms(r() * 20),
      },
    }
    : {};
  return await sharp(pixels, { raw: { width: JPEG_W, height: JPEG_H, channels: 3 } })
    .withExif({
      IFD0: { Make: make, Model: model, DateTime: when },
      IFD2: { DateTimeOriginal: when, ExposureTime: "1/120", FNumber: "18/10", ISOSpeedRatings: "100" },
      ...gps,
    })
    .jpeg({ quality: 90 })
    .toBuffer();
}

export function jpegPath(i: number): string {
  return join(jpegDir, `IMG_${String(i).padStart(4, "0")}.jpg`);
}

/** Makes the photos not yet in the cache (two at a time), printing progress; returns their paths. */
export async function ensureJpegs(n: number): Promise<string[]> {
  mkdirSync(jpegDir, { recursive: true });
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !existsSync(jpegPath(i)));
  if (missing.length) {
    const t0 = performance.now();
    console.log(
      `making ${missing.length} JPEGs of ${JPEG_W}×${JPEG_H} into ${jpegDir} (cached for next time)…`,
    );
    let made = 0;
    await Promise.all([0, 1].map(async () => {
      for (let i = missing.shift(); i !== undefined; i = missing.shift()) {
        const tmp = `${jpegPath(i)}.tmp`;
        await Bun.write(tmp, await makeJpeg(i));
        renameSync(tmp, jpegPath(i));
        if (++made % 50 === 0) console.log(`  ${made} made`);
      }
    }));
    console.log(`  made in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  return Array.from({ length: n }, (_, i) => jpegPath(i));
}
