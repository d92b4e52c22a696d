/**
 * Reading parts of a zip container (XLSX, ODF) with a budget. A zip's own size fields can lie, so
 * each part is inflated as a stream and counted as it comes: reading stops at the part's cap (a zip
 * bomb costs at most that much memory and time) and the bytes read from the whole file are capped
 * too. A part over its cap is a limit, recorded and skipped like any file over a limit.
 */
import JSZip from "jszip";
import { ExtractLimitError } from "./limits.ts";

export interface ZipBudget {
  /** Inflated bytes one part may have. */
  entryBytes: number;
  /** Inflated bytes read from the whole container. */
  totalBytes: number;
  /** Parts (files and folders) the container may list. */
  entries: number;
}

export class ZipReader {
  #read = 0;

  private constructor(private readonly zip: JSZip, private readonly budget: ZipBudget) {}

  static async open(bytes: Uint8Array, budget: ZipBudget): Promise<ZipReader> {
    const zip = await JSZip.loadAsync(bytes, { checkCRC32: false }).catch((error: unknown) => {
      throw new Error(`Cannot read the file as a zip container: ${errorText(error)}`, { cause: error });
    });
    const count = Object.keys(zip.files).length;
    if (count > budget.entries) {
      throw new ExtractLimitError(
        `lists ${count} parts; the indexer reads containers of up to ${budget.entries}`,
      );
    }
    return new ZipReader(zip, budget);
  }

  /** The names of the parts matching `pattern`, in the container's order. */
  names(pattern: RegExp): string[] {
    return Object.keys(this.zip.files).filter((n) => pattern.test(n) && !this.zip.files[n]!.dir);
  }

  has(name: string): boolean {
    return this.zip.file(name) !== null;
  }

  /** One part as text (UTF-8), inflated at most to the budget; undefined when there is no such part. */
  async text(name: string): Promise<string | undefined> {
    const file = this.zip.file(name);
    if (!file) return undefined;
    const cap = Math.min(this.budget.entryBytes, this.budget.totalBytes - this.#read);
    const stream = file.nodeStream("nodebuffer");
    const { chunks, n } = await new Promise<{ chunks: Uint8Array[]; n: number }>((resolve, reject) => {
      const chunks: Uint8Array[] = [];
      let n = 0;
      const stop = (error: Error) => {
        // Stops the inflater: nothing past the cap is read.
        stream.pause();
        if ("destroy" in stream && typeof stream.destroy === "function") stream.destroy();
        reject(error);
      };
      stream.on("data", (chunk: Uint8Array) => {
        n += chunk.byteLength;
        if (n <= cap) return void chunks.push(chunk);
        stop(
          new ExtractLimitError(
            n > this.budget.entryBytes
              ? `has a part (${name}) over ${mib(this.budget.entryBytes)} once inflated`
              : `inflates to more than ${mib(this.budget.totalBytes)}`,
          ),
        );
      });
      stream.on("end", () => resolve({ chunks, n }));
      stream.on("error", (error: unknown) => {
        stop(new Error(`Cannot inflate "${name}": ${errorText(error)}`, { cause: error }));
      });
    });
    this.#read += n;
    return new TextDecoder().decode(Buffer.concat(chunks));
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function mib(n: number): string {
  return `${Math.round(n / 1024 / 1024)} MB`;
}
