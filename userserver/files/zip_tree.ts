/** Folders and files as streamed zip entries, walked one folder at a time as the reader consumes. */
import type { Item, Store } from "../store/mod.ts";
import type { VisitorBytes } from "./file_response.ts";
import type { ZipEntry } from "./zip.ts";

/**
 * The entries of `roots` (folders with everything below them, files as they are), each under
 * `prefix`. `admit` leaves out what the asker may not read (checked per item, so a friend's zip
 * holds only what their ACL grants). `bytes` picks what a visitor gets of each file (a photo
 * without its position); the blob itself by default.
 */
export async function* zipTree(
  store: Store,
  roots: Item[],
  prefix: string,
  admit: (item: Item) => boolean | Promise<boolean> = () => true,
  bytes?: VisitorBytes,
): AsyncGenerator<ZipEntry> {
  for (const item of roots) {
    if (!(await admit(item))) continue;
    const path = `${prefix}${item.name}`;
    if (item.kind === "folder") {
      yield { path: `${path}/`, mtime: item.mtime, size: 0 };
      yield* zipTree(store, await store.items.children(item.id), `${path}/`, admit, bytes);
    } else if (item.blobHash) {
      const sent = bytes ? await bytes(item) : { blobPath: store.blobs.pathOf(item.blobHash) };
      const size = sent.size ?? item.size;
      yield { path, mtime: item.mtime, size, open: () => Bun.file(sent.blobPath).stream() };
    }
  }
}

/** The response headers of a zip download named `name`.zip. */
export function zipHeaders(name: string): Record<string, string> {
  return {
    "content-type": "application/zip",
    "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(name)}.zip`,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  };
}
