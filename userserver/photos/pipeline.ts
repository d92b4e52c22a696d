/**
 * One photo or video through the pipeline: its EXIF, then the thumbnail and the placeholder
 * colour from one decode at the thumbnail's scale (JPEG shrink-on-load ÷8: a 12 MP photo is
 * decoded at 500 × 375, as vipsthumbnail does). The 1280 px preview costs a ÷2 decode — as much
 * as all the rest — so it is made when someone first opens the photo (the viewer shows the
 * thumbnail meanwhile and asks for its neighbours' ahead), not for every photo of an import.
 * Videos get both from one frame (cheap). Thumbnails go where the file manager's are
 * (`thumbs/ab/<hash>.webp`), so both share them; previews under `photos/previews/`. Files are
 * written to a temporary name and renamed: never half a file.
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
    await preview(paths, hash, frame);
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

/** The thumbnail and the placeholder colour from one decode of `input` at the thumbnail's scale. */
export async function renditions(
  paths: PipelinePaths,
  hash: string,
  input: string | Uint8Array,
): Promise<{ width: number; height: number; colour: string }> {
  const { data, info } = await sharp(input, { failOn: "none", limitInputPixels: MAX_PIXELS, animated: false })
    .rotate()
    .resize(THUMB_PX, THUMB_PX, { fit: "cover" })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const thumbTmp = join(paths.tmpDir, `${randomToken(8)}.webp`);
  try {
    await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
      .webp({ quality: 72, effort: 2 }).toFile(thumbTmp);
    place(thumbTmp, paths.thumb(hash));
    return { width: info.width, height: info.height, colour: averageColour(data, info.channels) };
  } finally {
    rmSync(thumbTmp, { force: true });
  }
}

/** The viewer's picture (1280 px on its long side, never enlarged) of a photo or a video's frame. */
export async function preview(paths: PipelinePaths, hash: string, input: string | Uint8Array): Promise<void> {
  const tmp = join(paths.tmpDir, `${randomToken(8)}.jpg`);
  try {
    await sharp(input, { failOn: "none", limitInputPixels: MAX_PIXELS, animated: false })
      .rotate()
      .resize(PREVIEW_PX, PREVIEW_PX, { fit: "inside", withoutEnlargement: true })
      .jpeg({ quality: 82, mozjpeg: false })
      .toFile(tmp);
    place(tmp, paths.preview(hash));
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** A video's preview comes from a frame; a photo's from the file. */
export async function makePreview(
  paths: PipelinePaths,
  hash: string,
  source: string,
  kind: PhotoKind,
): Promise<void> {
  if (kind === "video") {
    const facts = await videoFacts(source);
    await preview(paths, hash, await videoFrame(source, facts.seconds));
  } else await preview(paths, hash, source);
}

/** `#rrggbb` of the mean of interleaved pixels. */
function averageColour(px: Uint8Array, channels: number): string {
  const sum = [0, 0, 0];
  const n = Math.max(1, Math.floor(px.length / channels));
  for (let k = 0; k + 2 < px.length; k += channels) {
    sum[0]! += px[k]!;
    sum[1]! += px[k + 1]!;
    sum[2]! += px[k + 2]!;
  }
  return `#${sum.map((v) => Math.round(v / n).toString(16).padStart(2, "0")).join("")}`;
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
