import { describe, expect, test } from "bun:test";
import exifr from "exifr";
import sharp from "sharp";
import { stripJpegGps } from "./strip_gps.ts";

/** A small JPEG with a camera, a date and a position in its EXIF, and an XMP packet naming the place. */
async function jpegWithGps(): Promise<Uint8Array> {
  const xmp =
    `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
    `<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.5N"/></rdf:RDF></x:xmpmeta>`;
  const buf = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#3a7" } })
    .withExif({
      IFD0: { Make: "Hearth", Model: "TestCam" },
      IFD2: { DateTimeOriginal: "2024:05:01 14:03:07" },
      IFD3: {
        GPSLatitudeRef: "N",
        GPSLatitude: "48/1 51/1 3000/100",
        GPSLongitudeRef: "E",
        GPSLongitude: "2/1 21/1 300/100",
      },
    })
    .withXmp(xmp)
    .jpeg()
    .toBuffer();
  return new Uint8Array(buf);
}

describe("stripJpegGps", () => {
  test("the position is gone, the camera and date stay, the pixels are the same bytes", async () => {
    const input = await jpegWithGps();
    const before = await exifr.parse(Buffer.from(input), { gps: true });
    expect(before.latitude).toBeCloseTo(48.8583, 3);
    expect(Buffer.from(input).includes("GPSLatitude")).toBe(true);

    const r = stripJpegGps(input)!;
    expect(r.changed).toBe(true);
    const after = await exifr.parse(Buffer.from(r.bytes), { gps: true, xmp: true });
    expect(after.latitude).toBeUndefined();
    expect(after.GPSLatitude).toBeUndefined();
    expect(after.Make).toBe("Hearth");
    expect(Buffer.from(r.bytes).includes("GPSLatitude")).toBe(false);
    // The image data after the headers is untouched.
    const sos = (b: Uint8Array) => Buffer.from(b).indexOf(Buffer.from([0xff, 0xda]));
    expect(Buffer.from(r.bytes.subarray(sos(r.bytes))).equals(Buffer.from(input.subarray(sos(input))))).toBe(
      true,
    );
    const meta = await sharp(r.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([64, 48]);
  });

  test("a JPEG without a position comes back unchanged", async () => {
    const plain = new Uint8Array(
      await sharp({ create: { width: 8, height: 8, channels: 3, background: "#000" } }).jpeg().toBuffer(),
    );
    const r = stripJpegGps(plain)!;
    expect(r.changed).toBe(false);
    expect(Buffer.from(r.bytes).equals(Buffer.from(plain))).toBe(true);
  });

  test("random and truncated input: refused or passed through, never a throw or a longer output", async () => {
    const good = await jpegWithGps();
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 3000; n++) {
      let bytes: Uint8Array;
      if (n % 3 === 0) bytes = good.subarray(0, Math.floor(rand() * good.length));
      else {
        bytes = good.slice();
        for (let k = 0; k < 1 + Math.floor(rand() * 8); k++) {
          bytes[Math.floor(rand() * Math.min(bytes.length, 2000))] = Math.floor(rand() * 256);
        }
        if (n % 3 === 2) bytes = Uint8Array.from({ length: Math.floor(rand() * 300) }, () => rand() * 256);
      }
      const r = stripJpegGps(bytes);
      if (r) expect(r.bytes.length).toBeLessThanOrEqual(bytes.length);
    }
  });
});
