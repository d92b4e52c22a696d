/**
 * Takes where a JPEG was taken out of it, leaving every other byte as it was (no re-encoding, so
 * a shared original stays the original): the EXIF GPS directory's entries and values are zeroed
 * and its entry count set to 0, and XMP packets (which may repeat the position) are dropped.
 * Anything that does not parse as the JPEG it claims to be is refused (undefined): the caller
 * then serves a re-encoded copy instead, never the unexamined bytes.
 */

/** Bytes per component of each TIFF field type (1 BYTE … 12 DOUBLE). */
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8];
const GPS_IFD_TAG = 0x8825;
const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"
const XMP_PREFIX = "http://ns.adobe.com/";

export interface StripResult {
  bytes: Uint8Array;
  /** Whether anything was taken out. */
  changed: boolean;
}

export function stripJpegGps(input: Uint8Array): StripResult | undefined {
  if (input.length < 4 || input[0] !== 0xff || input[1] !== 0xd8) return undefined;
  const out = new Uint8Array(input.length);
  out.set(input.subarray(0, 2));
  let o = 2;
  let i = 2;
  let changed = false;
  while (i < input.length) {
    if (input[i] !== 0xff) return undefined;
    const marker = input[i + 1];
    if (marker === undefined) return undefined;
    if (marker === 0xff) { // fill byte
      out[o++] = input[i++]!;
      continue;
    }
    // Start of scan (or end of image): the rest is image data, copied as it is.
    if (marker === 0xda || marker === 0xd9) {
      out.set(input.subarray(i), o);
      o += input.length - i;
      break;
    }
    // Markers without a length.
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      out[o++] = input[i++]!;
      out[o++] = input[i++]!;
      continue;
    }
    if (i + 4 > input.length) return undefined;
    const length = (input[i + 2]! << 8) | input[i + 3]!;
    const end = i + 2 + length;
    if (length < 2 || end > input.length) return undefined;
    const body = input.subarray(i + 4, end);
    if (marker === 0xe1 && startsWithAscii(body, XMP_PREFIX)) {
      changed = true; // dropped
      i = end;
      continue;
    }
    out.set(input.subarray(i, end), o);
    if (marker === 0xe1 && startsWith(body, EXIF_HEADER)) {
      const tiff = out.subarray(o + 4 + EXIF_HEADER.length, o + 2 + length);
      const cleared = clearGps(tiff);
      if (cleared === undefined) return undefined;
      changed ||= cleared;
    }
    o += end - i;
    i = end;
  }
  return { bytes: out.subarray(0, o), changed };
}

/** Zeroes the GPS directory inside a TIFF block (in place). True if there was one. */
function clearGps(tiff: Uint8Array): boolean | undefined {
  if (tiff.length < 8) return undefined;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return undefined;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const u16 = (at: number) => view.getUint16(at, little);
  const u32 = (at: number) => view.getUint32(at, little);
  if (u16(2) !== 42) return undefined;
  const ifd0 = u32(4);
  if (ifd0 + 2 > tiff.length) return undefined;
  const entries0 = u16(ifd0);
  if (ifd0 + 2 + entries0 * 12 > tiff.length) return undefined;
  for (let e = 0; e < entries0; e++) {
    const at = ifd0 + 2 + e * 12;
    if (u16(at) !== GPS_IFD_TAG) continue;
    const gps = u32(at + 8);
    if (gps + 2 > tiff.length) return undefined;
    const count = u16(gps);
    if (gps + 2 + count * 12 > tiff.length) return undefined;
    for (let g = 0; g < count; g++) {
      const entry = gps + 2 + g * 12;
      const size = (TYPE_SIZE[u16(entry + 2)] ?? 1) * u32(entry + 4);
      if (size > 4) {
        const valueAt = u32(entry + 8);
        // A value outside the block is simply not there to clear.
        if (valueAt < tiff.length) tiff.fill(0, valueAt, Math.min(tiff.length, valueAt + size));
      }
      tiff.fill(0, entry, entry + 12);
    }
    view.setUint16(gps, 0, little);
    return true;
  }
  return false;
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, k) => bytes[k] === b);
}

function startsWithAscii(bytes: Uint8Array, prefix: string): boolean {
  for (let k = 0; k < prefix.length; k++) if (bytes[k] !== prefix.charCodeAt(k)) return false;
  return true;
}
