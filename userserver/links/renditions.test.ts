/** Preview renditions with the real tools: sharp, poppler's pdftoppm/pdfinfo, ffmpeg. */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeTestVideo } from "./_test_video.ts";
import sharp from "sharp";
import { silentLogger } from "../../shared/log/mod.ts";
import { renditionKind, Renditions } from "./renditions.ts";

const dir = mkdtempSync(join(tmpdir(), "hearth-renditions-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const r = new Renditions(dir, silentLogger);

/** A two-page PDF written by hand (the smallest valid file: catalog, pages, two empty pages). */
function twoPagePdf(): string {
  const objs = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
  ];
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return out;
}

describe("renditions", () => {
  test("which types get one", () => {
    expect(renditionKind("image/jpeg")).toBe("image");
    expect(renditionKind("application/pdf")).toBe("pdf");
    expect(renditionKind("video/mp4")).toBe("video");
    expect(renditionKind("audio/mpeg")).toBeUndefined();
    expect(renditionKind("image/svg+xml")).toBeUndefined();
  });

  test("an image is re-encoded at most 1600 px wide, once per content", async () => {
    const src = join(dir, "big.png");
    await sharp({ create: { width: 3000, height: 1000, channels: 3, background: "#123" } }).png().toFile(src);
    const a = await r.get("image", "a".repeat(64), src);
    const meta = await sharp(a!.path).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["webp", 1600, 533]);
    expect((await r.get("image", "a".repeat(64), src))!.path).toBe(a!.path);
  });

  test("a PDF: its page count and each page as an image", async () => {
    const src = join(dir, "doc.pdf");
    writeFileSync(src, twoPagePdf());
    expect(await r.pdfPages(src)).toBe(2);
    const page2 = await r.get("pdf", "b".repeat(64), src, 2);
    expect((await sharp(page2!.path).metadata()).format).toBe("png");
  });

  test("a video: a 480p H.264 rendition", async () => {
    const src = makeTestVideo(join(dir, "clip.mp4"), 1, "1280x720", 10);
    const v = await r.get("video", "c".repeat(64), src);
    expect(v!.type).toBe("video/mp4");
    const probe = Bun.spawnSync([
      "ffprobe",
      "-v",
      "error",
      "-select_streams",
      "v:0",
      "-show_entries",
      "stream=height",
      "-of",
      "csv=p=0",
      v!.path,
    ]);
    expect(probe.stdout.toString().trim()).toBe("480");
  }, 60_000);

  test(
    "a video is watched while it is made: the live stream is the finished file, byte for byte",
    async () => {
      const src = makeTestVideo(join(dir, "long.mp4"), 8, "640x360");
      const hash = "e".repeat(64);
      const first = await r.video(hash, src);
      expect(first && "live" in first).toBe(true); // nothing made yet: the first visitor joins the job
      const second = await r.video(hash, src); // a second visitor while it runs joins the same job
      const read = async (v: typeof first) =>
        new Uint8Array(await new Response((v as { live: ReadableStream<Uint8Array> }).live).arrayBuffer());
      const [a, b] = await Promise.all([read(first), second && "live" in second ? read(second) : undefined]);
      const done = await r.video(hash, src);
      expect(done && "done" in done).toBe(true);
      const whole = new Uint8Array(
        await Bun.file((done as { done: { path: string } }).done.path).arrayBuffer(),
      );
      expect(a.length).toBe(whole.length);
      expect(Buffer.compare(a, whole)).toBe(0);
      if (b) expect(Buffer.compare(b, whole)).toBe(0);
      // Fragmented MP4: a header without samples, then movie fragments a player takes one by one.
      const text = Buffer.from(whole).toString("latin1");
      expect(text.slice(4, 8)).toBe("ftyp");
      expect(text).toContain("moof");
      // Every frame is there: 8 s at 24 fps, counted in what the visitor received.
      const got = join(dir, "watched.mp4");
      writeFileSync(got, a);
      const probe = Bun.spawnSync([
        "ffprobe",
        "-v",
        "error",
        "-count_packets",
        "-select_streams",
        "v:0",
        "-show_entries",
        "stream=nb_read_packets",
        "-of",
        "csv=p=0",
        got,
      ]);
      expect(Number(probe.stdout.toString().trim())).toBe(192);
    },
    120_000,
  );

  test("a video ffmpeg cannot read: no live stream, no rendition, not tried again", async () => {
    const src = join(dir, "junk.mp4");
    writeFileSync(src, "not a video at all");
    expect(await r.video("f".repeat(64), src)).toBeUndefined();
    expect(await r.video("f".repeat(64), src)).toBeUndefined();
    expect(await r.get("video", "f".repeat(64), src)).toBeUndefined();
  }, 60_000);

  test("a file that is not what it claims gets no rendition, and is not tried again", async () => {
    const src = join(dir, "junk.jpg");
    writeFileSync(src, "not an image");
    expect(await r.get("image", "d".repeat(64), src)).toBeUndefined();
    expect(await r.get("image", "d".repeat(64), src)).toBeUndefined();
    expect(await r.pdfPages(src)).toBe(0);
  });
});
