/** What one file may cost the indexer. A file over a limit is recorded with the reason and skipped. */
export interface ExtractLimits {
  /** Bytes read from a text-like file (the rest is not indexed). */
  textBytes: number;
  /** Largest PDF, DOCX or media file opened at all. */
  documentBytes: number;
  /** PDF pages read. */
  pdfPages: number;
  /** Characters of extracted text kept per file. */
  chars: number;
  /** Wall-clock time for one file, after which its worker is ended and restarted. */
  millis: number;
  /** The worker's heap after a file, above which it is restarted before the next one. */
  heapBytes: number;
}

export const DEFAULT_LIMITS: ExtractLimits = {
  textBytes: 8 * 1024 * 1024,
  documentBytes: 200 * 1024 * 1024,
  pdfPages: 2000,
  chars: 2_000_000,
  millis: 20_000,
  heapBytes: 768 * 1024 * 1024,
};

/** Extraction results, passed from the worker as plain data. */
export interface Extracted {
  text: string;
  /** Searchable metadata ("camera Canon EOS 5D", "artist …"), one `key value` per line. */
  fields: string;
  /** A short description of what was read, for the status page: "12 pages", "EXIF". */
  note?: string;
}

export class ExtractLimitError extends Error {
  override name = "ExtractLimitError";
}
