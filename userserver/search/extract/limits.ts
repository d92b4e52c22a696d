/** What one file may cost the indexer. A file over a limit is recorded with the reason and skipped. */
export interface ExtractLimits {
  /** Bytes read from a text-like file (the rest is not indexed). */
  textBytes: number;
  /** Largest PDF, DOCX, XLSX, ODF or media file opened at all. */
  documentBytes: number;
  /** PDF pages read. */
  pdfPages: number;
  /** Characters of extracted text kept per file. */
  chars: number;
  /** Wall-clock time for one file, after which its worker is ended and restarted. */
  millis: number;
  /** The worker's heap after a file, above which it is restarted before the next one. */
  heapBytes: number;
  /** Zip containers (XLSX, ODF): inflated bytes of one part, whatever its header claims. */
  zipEntryBytes: number;
  /** Zip containers: inflated bytes read from one file in all. */
  zipBytes: number;
  /** Zip containers: parts one may list. */
  zipEntries: number;
}

export const DEFAULT_LIMITS: ExtractLimits = {
  textBytes: 8 * 1024 * 1024,
  documentBytes: 200 * 1024 * 1024,
  pdfPages: 2000,
  chars: 2_000_000,
  millis: 20_000,
  heapBytes: 768 * 1024 * 1024,
  zipEntryBytes: 64 * 1024 * 1024,
  zipBytes: 256 * 1024 * 1024,
  zipEntries: 10_000,
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
