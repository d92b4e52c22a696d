/**
 * Images of codes for the Collection's scanner tests: a QR code (uqr, as the pairing page draws
 * them) and an EAN-13 as a shop's label has it (bwip-js), and a looping video of them for
 * Chromium's fake camera (`--use-file-for-fake-video-capture`, made with Debian's ffmpeg).
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import bwipjs from "bwip-js/node";
import { renderSVG } from "uqr";

export async function qrPng(text: string): Promise<Buffer> {
  return await sharp(Buffer.from(renderSVG(text, { border: 4 }))).resize(600).png().toBuffer();
}

/** Black bars on white, a quiet zone around, the digits printed below. */
export async function ean13Png(code: string): Promise<Buffer> {
  const ean = await bwipjs.toBuffer({
    bcid: "ean13",
    text: code,
    scale: 3,
    height: 30,
    includetext: true,
    backgroundcolor: "FFFFFF",
    paddingwidth: 20,
    paddingheight: 10,
  });
  return await sharp(ean).flatten({ background: "#ffffff" })
    .extend({ top: 40, bottom: 40, left: 60, right: 60, background: "#ffffff" }).png().toBuffer();
}

/**
 * A Y4M video (640×480, 10 frames a second) showing each image for `seconds`, one after the other,
 * centred on white — what a phone's camera would see held over each code in turn. Chromium plays
 * it in a loop as the camera. Returns its path.
 */
export function codesVideo(dir: string, images: Buffer[], { seconds = 2 } = {}): string {
  const inputs: string[] = [];
  images.forEach((image, i) => {
    const file = join(dir, `code-${i}.png`);
    writeFileSync(file, image);
    inputs.push("-loop", "1", "-t", String(seconds), "-framerate", "10", "-i", file);
  });
  const fit = images.map((_, i) =>
    `[${i}]scale=560:400:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2:white,setsar=1,format=yuv420p[v${i}]`
  );
  const concat = `${images.map((_, i) => `[v${i}]`).join("")}concat=n=${images.length}:v=1:a=0[out]`;
  const out = join(dir, "codes.y4m");
  execFileSync("ffmpeg", [
    "-loglevel",
    "error",
    "-y",
    ...inputs,
    "-filter_complex",
    [...fit, concat].join(";"),
    "-map",
    "[out]",
    "-r",
    "10",
    "-pix_fmt",
    "yuv420p",
    out,
  ]);
  return out;
}
