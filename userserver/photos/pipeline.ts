/**
 * One photo or video through the pipeline: its EXIF, then one decode (JPEG shrink-on-load, so a
 * 12 MP photo is decoded at a fraction of its size) resized to the preview, from whose pixels the
 * thumbnail and the placeholder colour are made without decoding again. Thumbnails go where the
 * file manager's are (`thumbs/ab/<hash>.webp`), so both share them; previews beside them under
 * `photos/previews/`. Files are written to a temporary name and renamed: never half a file.
 */
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import sharp from "sharp";
import { randomToken } from "../../shared/crypto/mod.ts";
import { type PhotoExif, readExif } from "./exif.ts";
import { type PhotoKind, videoFacts, videoFrame } from "./media.ts";

export const THUMB_PX = 256;
/** The viewer's picture; the original is fetched only to zoom in. */
export const PREVIEW_PX = 1280;
const MAX_PIXELS = 268_402_689;

export interface Processed extends PhotoExif {
  width: number;
  height: number;
  colour: string;
}

export interface PipelinePaths {
  thumb(hash: string): string;
  preview(hash: string): string;
  tmpDir: string;
}

export function pipelinePaths(dataDir: string): PipelinePaths {
  const tmpDir = join(dataDir, "photos", "tmp");
  // What a killed process was writing is never finished: start clean.
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  return {
    thumb: (hash) => join(dataDir, "thumbs", hash.slice(0, 2), `${hash}.webp`),
    preview: (hash) => join(dataDir, "photos", "previews", hash.slice(0, 2), `${hash}.jpg`),
    tmpDir,
  };
}

export async function processMedia(
  paths: PipelinePaths,
  hash: string,
  source: string,
  kind: PhotoKind,
): Promise<Processed> {
  if (kind === "video") {
    const facts = await videoFacts(source);
    const frame = await videoFrame(source, facts.seconds);
    const made = await renditions(paths, hash, frame);
    return {
      facts: {
        Length: duration(facts.seconds),
        ...(facts.width ? { Size: `${facts.width} × ${facts.height}` } : {}),
      },
      width: facts.width || made.width,
      height: facts.height || made.height,
      colour: made.colour,
      ...(facts.takenAt === undefined ? {} : { takenAt: facts.takenAt }),
    };
  }
  const [exif, meta] = await Promise.all([
    readExif(source),
    sharp(source, { failOn: "none", limitInputPixels: MAX_PIXELS }).metadata(),
  ]);
  const turned = (meta.orientation ?? 1) >= 5;
  const width = (turned ? meta.height : meta.width) ?? 0;
  const height = (turned ? meta.width : meta.height) ?? 0;
  const made = await renditions(paths, hash, source);
  return {
    ...exif,
    facts: {
      ...exif.facts,
      ...(width ? { Size: `${width} × ${height} (${megapixels(width, height)})` } : {}),
    },
    width,
    height,
    colour: made.colour,
  };
}

/** Preview, thumbnail and colour from one decode of `input`. */
export async function renditions(
  paths: PipelinePaths,
  hash: string,
  input: string | Uint8Array,
): Promise<{ width: number; height: number; colour: string }> {
  const { data, info } = await sharp(input, { failOn: "none", limitInputPixels: MAX_PIXELS, animated: false })
    .rotate()
    .resize(PREVIEW_PX, PREVIEW_PX, { fit: "inside", withoutEnlargement: true })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  const previewTmp = join(paths.tmpDir, `${randomToken(8)}.jpg`);
  const thumbTmp = join(paths.tmpDir, `${randomToken(8)}.webp`);
  try {
    const [, , px] = await Promise.all([
      sharp(data, raw).jpeg({ quality: 82, mozjpeg: false }).toFile(previewTmp),
      sharp(data, raw).resize(THUMB_PX, THUMB_PX, { fit: "cover" }).webp({ quality: 72, effort: 2 }).toFile(
        thumbTmp,
      ),
      sharp(data, raw).resize(1, 1, { fit: "fill" }).raw().toBuffer(),
    ]);
    place(previewTmp, paths.preview(hash));
    place(thumbTmp, paths.thumb(hash));
    const colour = `#${[...px.subarray(0, 3)].map((v) => v.toString(16).padStart(2, "0")).join("")}`;
    return { width: info.width, height: info.height, colour };
  } finally {
    rmSync(previewTmp, { force: true });
    rmSync(thumbTmp, { force: true });
  }
}

function place(tmp: string, final: string): void {
  mkdirSync(dirname(final), { recursive: true, mode: 0o700 });
  renameSync(tmp, final);
}

function megapixels(w: number, h: number): string {
  return `${Math.round((w * h) / 1e5) / 10} MP`;
}

function duration(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
