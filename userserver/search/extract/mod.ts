/** Extraction: one file on disk → its text and searchable fields, within the limits. */
import { open } from "node:fs/promises";
import { docxText, isDocx, isPdf, pdfText } from "./documents.ts";
import { type Extracted, ExtractLimitError, type ExtractLimits } from "./limits.ts";
import { audioFields, isAudio, isPhoto, photoFields } from "./media.ts";
import { isOdf, isXlsx, odfText, xlsxText } from "./office.ts";
import { decodeText, htmlToText, isHtml, isTextLike } from "./text.ts";

export { DEFAULT_LIMITS, type Extracted, ExtractLimitError, type ExtractLimits } from "./limits.ts";
export { decodeText, htmlToText, isTextLike } from "./text.ts";

export interface ExtractRequest {
  path: string;
  /** The item's media type and name (the extension decides when the type is generic). */
  type: string;
  name: string;
  size: number;
}

/** Whether the indexer reads this file's content at all (otherwise: its name and path only). */
export function hasExtractor(type: string, name: string): boolean {
  return isTextLike(type, name) || isPdf(type, name) || isDocx(type, name) || isXlsx(type, name) ||
    isOdf(type, name) || isPhoto(type) || isAudio(type, name);
}

export async function extract(req: ExtractRequest, limits: ExtractLimits): Promise<Extracted> {
  const { path, type, name, size } = req;
  if (isTextLike(type, name)) {
    const bytes = await readHead(path, limits.textBytes);
    const raw = decodeText(bytes);
    const text = isHtml(type, name) ? htmlToText(raw) : raw;
    return {
      text: text.slice(0, limits.chars),
      fields: "",
      note: size > limits.textBytes ? "first part" : undefined,
    };
  }
  if (size > limits.documentBytes) {
    throw new ExtractLimitError(
      `is ${mib(size)}; the indexer opens documents up to ${mib(limits.documentBytes)}`,
    );
  }
  if (isPdf(type, name)) {
    const { text, pages } = await pdfText(await readHead(path, size), limits.pdfPages);
    return { text: text.slice(0, limits.chars), fields: "", note: `${pages} pages` };
  }
  if (isDocx(type, name)) {
    return { text: (await docxText(await readHead(path, size))).slice(0, limits.chars), fields: "" };
  }
  if (isXlsx(type, name) || isOdf(type, name)) {
    const read = isXlsx(type, name) ? xlsxText : odfText;
    const budget = {
      entryBytes: limits.zipEntryBytes,
      totalBytes: limits.zipBytes,
      entries: limits.zipEntries,
    };
    return { text: await read(await readHead(path, size), { budget, maxChars: limits.chars }), fields: "" };
  }
  if (isPhoto(type)) {
    return { text: "", fields: await photoFields(await readHead(path, 256 * 1024)), note: "EXIF" };
  }
  if (isAudio(type, name)) return { text: "", fields: await audioFields(path), note: "tags" };
  return { text: "", fields: "" };
}

async function readHead(path: string, max: number): Promise<Uint8Array> {
  const fh = await open(path, "r");
  try {
    // A buffer the file's size (up to `max`), not `max`: zeroing 8 MiB for each 2 KB note was most of
    // the time a text file cost. A file that grew since the stat is cut there, as at the limit.
    const stat = await fh.stat();
    const buf = new Uint8Array(stat.isFile() ? Math.min(max, stat.size) : max);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}

function mib(n: number): string {
  return `${Math.round(n / 1024 / 1024)} MB`;
}
