/**
 * What a photo says about itself (exifr): when it was taken, with what, and where. Only the
 * EXIF/TIFF header is read (exifr reads the file in chunks), never the pixels.
 */
import exifr from "exifr";

export interface PhotoExif {
  /** The camera's wall clock as if UTC (ms), when the photo carries one. */
  takenAt?: number;
  /** The panel's facts, in the order shown; only what the photo has. */
  facts: Record<string, string>;
  latitude?: number;
  longitude?: number;
}

const PICK = [
  "Make",
  "Model",
  "LensModel",
  "DateTimeOriginal",
  "CreateDate",
  "ExposureTime",
  "FNumber",
  "ISO",
  "FocalLength",
  "ExifImageWidth",
  "ExifImageHeight",
  "GPSLatitude",
  "GPSLatitudeRef",
  "GPSLongitude",
  "GPSLongitudeRef",
];

/**
 * How much of a file is read for its EXIF: JPEG keeps it in the first 64 KiB; other formats near
 * the start. Read by us, not by exifr, whose file reader can leave a file handle to the garbage
 * collector when it stops early.
 */
const HEAD_BYTES = 512 * 1024;

export async function readExif(source: string | Uint8Array): Promise<PhotoExif> {
  const input = typeof source === "string"
    ? Buffer.from(await Bun.file(source).slice(0, HEAD_BYTES).arrayBuffer())
    : Buffer.from(source);
  // reviveValues: false keeps dates as the camera wrote them ("2024:05:01 14:03:07"): exifr would
  // otherwise read them in this server's time zone.
  const tags = await exifr.parse(input, { pick: PICK, gps: true, reviveValues: false })
    .catch(() => undefined) as Record<string, unknown> | undefined;
  if (!tags) return { facts: {} };
  const facts: Record<string, string> = {};
  const camera = [tags.Make, tags.Model].filter((v) => typeof v === "string").map((v) => String(v).trim());
  // "Canon Canon EOS R5" reads better as "Canon EOS R5".
  if (camera.length === 2 && camera[1]!.startsWith(camera[0]!)) camera.shift();
  if (camera.join(" ")) facts.Camera = camera.join(" ");
  if (typeof tags.LensModel === "string" && tags.LensModel.trim()) facts.Lens = tags.LensModel.trim();
  const exposure = [
    typeof tags.ExposureTime === "number" ? shutter(tags.ExposureTime) : "",
    typeof tags.FNumber === "number" ? `ƒ/${round(tags.FNumber, 1)}` : "",
    typeof tags.ISO === "number" ? `ISO ${tags.ISO}` : "",
    typeof tags.FocalLength === "number" ? `${round(tags.FocalLength, 1)} mm` : "",
  ].filter(Boolean);
  if (exposure.length) facts.Exposure = exposure.join(" · ");
  const takenAt = exifDate(tags.DateTimeOriginal) ?? exifDate(tags.CreateDate);
  const lat = coordinate(tags.GPSLatitude, tags.GPSLatitudeRef, "S");
  const lon = coordinate(tags.GPSLongitude, tags.GPSLongitudeRef, "W");
  const hasGps = typeof lat === "number" && typeof lon === "number" && Number.isFinite(lat) &&
    Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && !(lat === 0 && lon === 0);
  return {
    ...(takenAt === undefined ? {} : { takenAt }),
    facts,
    ...(hasGps ? { latitude: lat, longitude: lon } : {}),
  };
}

/** "2024:05:01 14:03:07" (EXIF's form; also with "-" or "T") → ms as if UTC; undefined if not a date. */
export function exifDate(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const m = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?/.exec(v.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as number[];
  if (y! < 1800 || y! > 2200 || mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || s! > 60) {
    return undefined;
  }
  const t = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  return Number.isFinite(t) ? t : undefined;
}

/** Degrees from EXIF's [degrees, minutes, seconds] (negative south or west); undefined if malformed. */
function coordinate(dms: unknown, ref: unknown, negative: string): number | undefined {
  const parts = Array.isArray(dms) ? dms : typeof dms === "number" ? [dms] : [];
  if (
    parts.length === 0 || parts.length > 3 || !parts.every((p) => typeof p === "number" && Number.isFinite(p))
  ) {
    return undefined;
  }
  const [d = 0, m = 0, s = 0] = parts as number[];
  const value = d + m / 60 + s / 3600;
  return typeof ref === "string" && ref.trim().toUpperCase() === negative ? -value : value;
}

/** yyyymmdd of a wall-clock-as-UTC time. */
export function dayOf(takenAt: number): number {
  const d = new Date(takenAt);
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

function shutter(seconds: number): string {
  if (seconds <= 0) return "";
  return seconds >= 1 ? `${round(seconds, 1)} s` : `1/${Math.round(1 / seconds)} s`;
}

function round(v: number, digits: number): string {
  return String(Math.round(v * 10 ** digits) / 10 ** digits);
}
