/**
 * Photos' EXIF (exifr) and audio tags (music-metadata) → searchable fields. Places are kept as
 * coordinates: nothing is looked up online.
 */
import exifr from "exifr";
import { parseFile } from "music-metadata";

export async function photoFields(bytes: Uint8Array): Promise<string> {
  const tags = await exifr.parse(Buffer.from(bytes), {
    pick: [
      "Make",
      "Model",
      "LensModel",
      "DateTimeOriginal",
      "CreateDate",
      "ImageDescription",
      "Artist",
      "Copyright",
      "UserComment",
      "XPKeywords",
      "XPSubject",
      "XPTitle",
      "latitude",
      "longitude",
    ],
    gps: true,
  }).catch(() => undefined) as Record<string, unknown> | undefined;
  if (!tags) return "";
  const lines: string[] = [];
  const camera = [tags.Make, tags.Model].filter((v) => typeof v === "string").join(" ").trim();
  if (camera) lines.push(`camera ${camera}`);
  if (typeof tags.LensModel === "string") lines.push(`lens ${tags.LensModel}`);
  const taken = tags.DateTimeOriginal ?? tags.CreateDate;
  if (taken instanceof Date && !Number.isNaN(taken.getTime())) {
    lines.push(`taken ${taken.toISOString().slice(0, 10)} ${monthName(taken)} ${taken.getUTCFullYear()}`);
  }
  for (const key of ["ImageDescription", "Artist", "Copyright", "XPKeywords", "XPSubject", "XPTitle"]) {
    const v = tags[key];
    if (typeof v === "string" && v.trim()) {
      lines.push(
        `${key.replace(/^XP/, "").replace("ImageDescription", "description").toLowerCase()} ${v.trim()}`,
      );
    }
  }
  if (typeof tags.latitude === "number" && typeof tags.longitude === "number") {
    lines.push(`gps ${tags.latitude.toFixed(4)} ${tags.longitude.toFixed(4)}`);
  }
  return lines.join("\n");
}

export async function audioFields(path: string): Promise<string> {
  const { common, format } = await parseFile(path, { duration: false, skipCovers: true });
  const lines: string[] = [];
  if (common.title) lines.push(`title ${common.title}`);
  if (common.artist) lines.push(`artist ${common.artist}`);
  if (common.albumartist && common.albumartist !== common.artist) {
    lines.push(`albumartist ${common.albumartist}`);
  }
  if (common.album) lines.push(`album ${common.album}`);
  if (common.year) lines.push(`year ${common.year}`);
  if (common.genre?.length) lines.push(`genre ${common.genre.join(" ")}`);
  if (common.comment?.length) {
    lines.push(`comment ${common.comment.map((c) => typeof c === "string" ? c : c.text ?? "").join(" ")}`);
  }
  if (format.codec) lines.push(`codec ${format.codec}`);
  return lines.join("\n");
}

function monthName(d: Date): string {
  return d.toLocaleString("en", { month: "long", timeZone: "UTC" });
}

export function isPhoto(type: string): boolean {
  return /^image\/(jpeg|tiff|heic|heif|png|webp|avif)$/.test(type);
}

export function isAudio(type: string, name: string): boolean {
  return type.startsWith("audio/") || /\.(mp3|flac|ogg|opus|m4a|wav|aac)$/i.test(name);
}
