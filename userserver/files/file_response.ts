/** A stored file as an HTTP response: inline or as a download, with ETag, 304 and one byte range. */
import type { Item } from "../store/mod.ts";
import { parseRange } from "./range.ts";

export interface FileResponseOptions {
  /** `attachment` rather than `inline`. */
  download: boolean;
  ifNoneMatch?: string | null;
  range?: string | null;
  ifRange?: string | null;
  /** The file's bytes (by default the blob at `blobPath`). */
  blobPath: string;
  /** The media type sent (by default the item's). */
  type?: string;
  /** The size of what is sent (by default the item's). */
  size?: number;
  /** The entity tag (by default the item's content hash). */
  etag?: string;
}

/**
 * What a visitor (a link's guest, a friend) is sent for a stored file: by default its blob; Photos
 * answers a copy of a photo without where it was taken (userserver/photos/visitor_copies.ts).
 */
export type VisitorBytes = (
  item: Item,
) => Promise<Pick<FileResponseOptions, "blobPath" | "size" | "etag" | "type">>;

export function fileResponse(item: Item, o: FileResponseOptions): Response {
  const type = o.type ?? item.type;
  const size = o.size ?? item.size;
  const etag = o.etag ?? `"${item.blobHash}"`;
  const headers: Record<string, string> = {
    "content-type": type,
    "accept-ranges": "bytes",
    etag,
    "content-disposition": `${o.download ? "attachment" : "inline"}; filename*=UTF-8''${
      encodeURIComponent(item.name)
    }`,
    "x-content-type-options": "nosniff",
    "cache-control": "private, max-age=0, must-revalidate",
    // A PDF needs the browser's viewer, which a sandboxed document cannot run; nothing else does.
    "content-security-policy": type === "application/pdf"
      ? "frame-ancestors 'self'" // the file viewer frames it (shared/web/headers.ts forbids framing otherwise)
      : "sandbox",
  };
  if (o.ifNoneMatch === etag) return new Response(null, { status: 304, headers });
  const file = Bun.file(o.blobPath);
  const range = o.ifRange && o.ifRange !== etag ? { kind: "full" as const } : parseRange(o.range, size);
  if (range.kind === "unsatisfiable") {
    return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${size}` } });
  }
  if (range.kind === "partial") {
    return new Response(file.slice(range.start, range.end + 1), {
      status: 206,
      headers: {
        ...headers,
        "content-length": String(range.end - range.start + 1),
        "content-range": `bytes ${range.start}-${range.end}/${size}`,
      },
    });
  }
  return new Response(file, { headers: { ...headers, "content-length": String(size) } });
}
