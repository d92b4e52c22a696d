/**
 * Preview renditions: what a preview-only link shows instead of the original bytes — an image
 * re-encoded at most 1600 px wide (WebP), a PDF's pages rendered as images (poppler's `pdftoppm`),
 * a video re-encoded at 480p (ffmpeg, H.264 + AAC, `faststart` so it streams as it plays). Each is
 * made once per content hash and kept under `<dataDir>/renditions/`; one job per rendition at a
 * time (a second visitor waits for the first's). A file that cannot be rendered gets none.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
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

export class Renditions {
  readonly dir: string;
  readonly #running = new Map<string, Promise<Rendition | undefined>>();

  constructor(dataDir: string, private readonly log: Logger) {
    this.dir = join(dataDir, "renditions");
    mkdirSync(join(this.dir, "tmp"), { recursive: true, mode: 0o700 });
  }

  /** The rendition of `source` (content `hash`) — for a PDF, of page `page` (1-based). */
  get(kind: RenditionKind, hash: string, source: string, page = 1): Promise<Rendition | undefined> {
    const name = kind === "image" ? `${hash}.webp` : kind === "pdf" ? `${hash}.p${page}.png` : `${hash}.mp4`;
    const type = kind === "image" ? "image/webp" : kind === "pdf" ? "image/png" : "video/mp4";
    const final = join(this.dir, hash.slice(0, 2), name);
    if (existsSync(final)) return Promise.resolve({ path: final, type });
    if (existsSync(`${final}.none`)) return Promise.resolve(undefined);
    const running = this.#running.get(final);
    if (running) return running;
    const job = this.#make(kind, source, final, page).then((ok) => ok ? { path: final, type } : undefined)
      .finally(() => this.#running.delete(final));
    this.#running.set(final, job);
    return job;
  }

  /** A PDF's page count (0 when it cannot be read). */
  async pdfPages(source: string): Promise<number> {
    const p = Bun.spawn(["pdfinfo", source], { stdout: "pipe", stderr: "ignore" });
    const out = await new Response(p.stdout).text();
    await p.exited;
    const n = Number(/^Pages:\s+(\d+)/m.exec(out)?.[1] ?? 0);
    return Math.min(n, MAX_PDF_PAGES);
  }

  async #make(kind: RenditionKind, source: string, final: string, page: number): Promise<boolean> {
    mkdirSync(join(final, ".."), { recursive: true, mode: 0o700 });
    const tmp = join(this.dir, "tmp", randomToken(8));
    try {
      if (kind === "image") {
        await sharp(source, { failOn: "none", limitInputPixels: 268_402_689, animated: false })
          .rotate().resize(IMAGE_PX, IMAGE_PX, { fit: "inside", withoutEnlargement: true })
          .webp({ quality: 80, effort: 2 }).toFile(`${tmp}.webp`);
        renameSync(`${tmp}.webp`, final);
      } else if (kind === "pdf") {
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
      } else {
        await run([
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
          "-pix_fmt",
          "yuv420p",
          "-c:a",
          "aac",
          "-b:a",
          "96k",
          "-movflags",
          "+faststart",
          "-f",
          "mp4",
          `${tmp}.mp4`,
        ]);
        renameSync(`${tmp}.mp4`, final);
      }
      return true;
    } catch (e) {
      this.log.debug("rendition failed", { kind, error: e instanceof Error ? e.message : String(e) });
      for (const ext of [".webp", ".png", ".mp4"]) rmSync(tmp + ext, { force: true });
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
