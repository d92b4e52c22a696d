/** Which files the Photos timeline holds, and videos' frames and facts through Debian's ffmpeg. */
import { dayOf } from "./exif.ts";

const PHOTO_TYPES = new Set([
  "image/jpeg",
  "image/png",
  "image/webp",
  "image/heic",
  "image/heif",
  "image/avif",
  "image/tiff",
  "image/gif",
]);

export type PhotoKind = "photo" | "video";

/** "photo", "video", or undefined for anything the timeline does not hold. */
export function photoKindOf(type: string): PhotoKind | undefined {
  if (PHOTO_TYPES.has(type)) return "photo";
  if (/^video\/(mp4|quicktime|webm|x-matroska|x-msvideo|3gpp|mpeg)$/.test(type)) return "video";
  return undefined;
}

export { dayOf };

export interface VideoFacts {
  width: number;
  height: number;
  seconds: number;
  /** The container's creation time (as the camera wrote it, taken as wall clock), if any. */
  takenAt?: number;
}

/** Runs a tool with a time limit; its stdout, or an Error saying why not. */
async function run(cmd: string[], timeoutMs: number, maxBytes: number): Promise<Uint8Array> {
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  try {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of proc.stdout) {
      size += chunk.length;
      if (size > maxBytes) {
        proc.kill("SIGKILL");
        throw new Error(`${cmd[0]} wrote more than ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
    const code = await proc.exited;
    if (code !== 0) {
      const err = (await new Response(proc.stderr).text()).trim().split("\n").slice(-1)[0] ?? "";
      throw new Error(proc.signalCode ? `${cmd[0]} took too long` : `${cmd[0]} failed: ${err.slice(0, 200)}`);
    }
    return Buffer.concat(chunks);
  } finally {
    clearTimeout(timer);
  }
}

let ffmpegPresent: boolean | undefined;
/** Whether Debian's ffmpeg is installed (videos get a placeholder otherwise). */
export function hasFfmpeg(): boolean {
  ffmpegPresent ??= Bun.which("ffmpeg") !== null && Bun.which("ffprobe") !== null;
  return ffmpegPresent;
}

export async function videoFacts(path: string): Promise<VideoFacts> {
  const out = await run(
    [
      "ffprobe",
      "-v",
      "error",
      "-select_streams",
      "v:0",
      "-show_entries",
      "stream=width,height:stream_tags=rotate:format=duration:format_tags=creation_time",
      "-of",
      "json",
      path,
    ],
    20_000,
    1 << 20,
  );
  const j = JSON.parse(new TextDecoder().decode(out)) as {
    streams?: Array<{ width?: number; height?: number; tags?: { rotate?: string } }>;
    format?: { duration?: string; tags?: { creation_time?: string } };
  };
  const s = j.streams?.[0] ?? {};
  const turned = Math.abs(Number(s.tags?.rotate ?? 0)) % 180 === 90;
  const created = j.format?.tags?.creation_time;
  const takenAt = created ? Date.parse(created) : NaN;
  return {
    width: (turned ? s.height : s.width) ?? 0,
    height: (turned ? s.width : s.height) ?? 0,
    seconds: Number(j.format?.duration ?? 0) || 0,
    ...(Number.isFinite(takenAt) && takenAt > 0 ? { takenAt } : {}),
  };
}

/** One frame (PNG) a second in, or the first frame of a shorter video. */
export function videoFrame(path: string, seconds: number): Promise<Uint8Array> {
  const at = seconds > 2 ? "1" : "0";
  return run(
    [
      "ffmpeg",
      "-v",
      "error",
      "-ss",
      at,
      "-i",
      path,
      "-frames:v",
      "1",
      "-f",
      "image2pipe",
      "-vcodec",
      "png",
      "-",
    ],
    30_000,
    64 << 20,
  );
}

/** A PDF's first page as PNG (poppler's pdftoppm), for its thumbnail. */
export function pdfFirstPage(path: string): Promise<Uint8Array> {
  return run(["pdftoppm", "-f", "1", "-l", "1", "-scale-to", "768", "-png", path], 30_000, 64 << 20);
}

let pdftoppmPresent: boolean | undefined;
export function hasPdftoppm(): boolean {
  pdftoppmPresent ??= Bun.which("pdftoppm") !== null;
  return pdftoppmPresent;
}
