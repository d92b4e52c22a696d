/**
 * Preview renditions: what a preview-only link shows instead of the original bytes — an image
 * re-encoded at most 1600 px wide (WebP), a PDF's pages rendered as images (poppler's `pdftoppm`),
 * a video re-encoded at 480p (ffmpeg, H.264 + AAC). Each is made once per content hash and kept
 * under `<dataDir>/renditions/`; one job per rendition at a time (a second visitor joins the
 * first's). A file that cannot be rendered gets none.
 *
 * A video is watched while it is being made: ffmpeg writes fragmented MP4 (a header, then a
 * self-contained fragment every keyframe) to a pipe, we append it to the rendition's file, and
 * every visitor already watching reads that file behind the writer (`video()` → `live`). Once
 * made, the file is served whole with ranges like any other.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { Logger } from "../../shared/log/mod.ts";

export type RenditionKind = "image" | "pdf" | "video";
export const IMAGE_PX = 1600;
export const MAX_PDF_PAGES = 200;

export function renditionKind(type: string): RenditionKind | undefined {
  if (["image/jpeg", "image/png", "image/webp", "image/gif", "image/avif", "image/tiff"].includes(type)) {
    return "image";
  }
  if (type === "application/pdf") return "pdf";
  if (type.startsWith("video/")) return "video";
  return undefined;
}

export interface Rendition {
  path: string;
  type: string;
}

/** A video rendition being made: how much is in its file so far, and whether ffmpeg is done. */
class VideoJob {
  written = 0;
  ended = false;
  ok = false;
  #waiters: Array<() => void> = [];

  constructor(readonly tmp: string, readonly final: string) {}

  /** Settles at the next write or at the end. */
  changed(): Promise<void> {
    return this.ended ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }

  wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

export type VideoRendition = { done: Rendition } | { live: ReadableStream<Uint8Array> };
const VIDEO_TYPE = "video/mp4";
const READ_CHUNK = 256 * 1024;

export class Renditions {
  readonly dir: string;
  readonly #running = new Map<string, Promise<Rendition | undefined>>();
  readonly #videos = new Map<string, VideoJob>();

  constructor(dataDir: string, private readonly log: Logger) {
    this.dir = join(dataDir, "renditions");
    mkdirSync(join(this.dir, "tmp"), { recursive: true, mode: 0o700 });
  }

  /** The rendition of `source` (content `hash`) — for a PDF, of page `page` (1-based); a video's whole. */
  async get(kind: RenditionKind, hash: string, source: string, page = 1): Promise<Rendition | undefined> {
    if (kind === "video") {
      const job = this.#videoJob(hash, source);
      if (!(job instanceof VideoJob)) return job;
      while (!job.ended) await job.changed();
      return job.ok ? { path: job.final, type: VIDEO_TYPE } : undefined;
    }
    const name = kind === "image" ? `${hash}.webp` : `${hash}.p${page}.png`;
    const type = kind === "image" ? "image/webp" : "image/png";
    const final = join(this.dir, hash.slice(0, 2), name);
    if (existsSync(final)) return Promise.resolve({ path: final, type });
    if (existsSync(`${final}.none`)) return Promise.resolve(undefined);
    const running = this.#running.get(final);
    if (running) return await running;
    const job = this.#make(kind, source, final, page).then((ok) => ok ? { path: final, type } : undefined)
      .finally(() => this.#running.delete(final));
    this.#running.set(final, job);
    return await job;
  }

  /**
   * A video's rendition to watch now: the finished file, or — while it is being made — a stream of
   * it that follows ffmpeg to the end. Answers once the first bytes exist (undefined if ffmpeg
   * cannot read the file), so a visitor never gets an empty 200.
   */
  async video(hash: string, source: string): Promise<VideoRendition | undefined> {
    const job = this.#videoJob(hash, source);
    if (!(job instanceof VideoJob)) return job && { done: job };
    while (job.written === 0 && !job.ended) await job.changed();
    if (job.ended) return job.ok ? { done: { path: job.final, type: VIDEO_TYPE } } : undefined;
    let file;
    try {
      file = await open(job.tmp, "r");
    } catch {
      return this.video(hash, source); // finished and renamed in between: the file is whole now
    }
    let offset = 0;
    const buf = new Uint8Array(READ_CHUNK);
    return {
      live: new ReadableStream<Uint8Array>({
        async pull(controller) {
          while (offset >= job.written && !job.ended) await job.changed();
          if (offset >= job.written) {
            await file.close();
            // A failed job's partial file stops where it stopped; the player shows what came.
            return controller.close();
          }
          const { bytesRead } = await file.read(buf, 0, Math.min(buf.length, job.written - offset), offset);
          offset += bytesRead;
          controller.enqueue(buf.slice(0, bytesRead));
        },
        async cancel() {
          await file.close();
        },
      }),
    };
  }

  /** The running job for this video, or its finished rendition, or undefined when it has none. */
  #videoJob(hash: string, source: string): VideoJob | Rendition | undefined {
    const final = join(this.dir, hash.slice(0, 2), `${hash}.mp4`);
    const running = this.#videos.get(final);
    if (running) return running;
    if (existsSync(final)) return { path: final, type: VIDEO_TYPE };
    if (existsSync(`${final}.none`)) return undefined;
    mkdirSync(join(final, ".."), { recursive: true, mode: 0o700 });
    const job = new VideoJob(join(this.dir, "tmp", `${randomToken(8)}.mp4`), final);
    this.#videos.set(final, job);
    void this.#makeVideo(job, source).finally(() => {
      this.#videos.delete(final);
      job.ended = true;
      job.wake();
    });
    return job;
  }

  async #makeVideo(job: VideoJob, source: string): Promise<void> {
    const out = await open(job.tmp, "w", 0o600);
    const p = Bun.spawn([
      "ffmpeg",
      "-nostdin",
      "-v",
      "error",
      "-i",
      source,
      "-vf",
      "scale=-2:'min(480,ih)'",
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-crf",
      "30",
      "-g",
      "48",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      "-b:a",
      "96k",
      // Fragmented: playable from its first fragment while the rest is still being encoded.
      "-movflags",
      "frag_keyframe+empty_moov+default_base_moof",
      "-f",
      "mp4",
      "pipe:1",
    ], { stdout: "pipe", stderr: "pipe" });
    const errors = new Response(p.stderr).text();
    try {
      for await (const chunk of p.stdout) {
        let at = 0;
        while (at < chunk.length) {
          at += (await out.write(chunk, at, chunk.length - at, job.written + at)).bytesWritten;
        }
        job.written += chunk.length;
        job.wake();
      }
      await out.close();
      const code = await p.exited;
      if (code !== 0) throw new Error(`ffmpeg failed: ${(await errors).slice(0, 300)}`);
      renameSync(job.tmp, job.final);
      job.ok = true;
    } catch (e) {
      this.log.debug("rendition failed", {
        kind: "video",
        error: e instanceof Error ? e.message : String(e),
      });
      p.kill();
      await out.close().catch(() => {});
      rmSync(job.tmp, { force: true });
      await Bun.write(`${job.final}.none`, "");
    }
  }

  /** A PDF's page count (0 when it cannot be read). */
  async pdfPages(source: string): Promise<number> {
    const p = Bun.spawn(["pdfinfo", source], { stdout: "pipe", stderr: "ignore" });
    const out = await new Response(p.stdout).text();
    await p.exited;
    const n = Number(/^Pages:\s+(\d+)/m.exec(out)?.[1] ?? 0);
    return Math.min(n, MAX_PDF_PAGES);
  }

  async #make(kind: "image" | "pdf", source: string, final: string, page: number): Promise<boolean> {
    mkdirSync(join(final, ".."), { recursive: true, mode: 0o700 });
    const tmp = join(this.dir, "tmp", randomToken(8));
    try {
      if (kind === "image") {
        await sharp(source, { failOn: "none", limitInputPixels: 268_402_689, animated: false })
          .rotate().resize(IMAGE_PX, IMAGE_PX, { fit: "inside", withoutEnlargement: true })
          .webp({ quality: 80, effort: 2 }).toFile(`${tmp}.webp`);
        renameSync(`${tmp}.webp`, final);
      } else {
        await run([
          "pdftoppm",
          "-f",
          String(page),
          "-l",
          String(page),
          "-r",
          "110",
          "-png",
          "-singlefile",
          source,
          tmp,
        ]);
        renameSync(`${tmp}.png`, final);
      }
      return true;
    } catch (e) {
      this.log.debug("rendition failed", { kind, error: e instanceof Error ? e.message : String(e) });
      for (const ext of [".webp", ".png"]) rmSync(tmp + ext, { force: true });
      await Bun.write(`${final}.none`, "");
      return false;
    }
  }
}

async function run(cmd: string[]): Promise<void> {
  const p = Bun.spawn(cmd, { stdout: "ignore", stderr: "pipe" });
  const err = await new Response(p.stderr).text();
  if ((await p.exited) !== 0) throw new Error(`${cmd[0]} failed: ${err.slice(0, 300)}`);
}
