/**
 * Serving thumbnails and previews. One on screen that is not made yet is made now, ahead of the
 * queue (the thumbnail queue's on-screen-first rule): the page asked for it because someone is
 * looking at it. Both are keyed by content and sent as immutable.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Item } from "../store/mod.ts";
import type { Catalog, PhotoRow } from "./catalog.ts";
import type { PhotoIndexer } from "./indexer.ts";
import type { PipelinePaths } from "./pipeline.ts";

export interface PhotoInfo {
  id: string;
  name: string;
  kind: "photo" | "video";
  type: string;
  takenAt: number;
  takenFrom: string;
  width: number;
  height: number;
  facts: Record<string, string>;
  gps?: { latitude: number; longitude: number };
}

export class Renditions {
  constructor(
    private readonly catalog: Catalog,
    private readonly indexer: PhotoIndexer,
    private readonly paths: PipelinePaths,
  ) {}

  async serve(_c: Context, itemId: string, what: "thumb" | "preview"): Promise<Response> {
    let row = this.catalog.get(itemId);
    if (!row || row.trashed) throw new HTTPException(404, { message: "Not found" });
    const path = () => what === "thumb" ? this.paths.thumb(row!.blobHash) : this.paths.preview(row!.blobHash);
    if (!await Bun.file(path()).exists() && row.state !== "failed") {
      if (row.state === "pending") await this.indexer.now(row.itemId);
      if (what === "preview") await this.indexer.preview(row.itemId);
      row = this.catalog.get(itemId) ?? row;
    }
    const file = Bun.file(path());
    if (!await file.exists()) throw new HTTPException(404, { message: "No picture for this file" });
    return new Response(file, {
      headers: {
        "content-type": what === "thumb" ? "image/webp" : "image/jpeg",
        "cache-control": "private, max-age=31536000, immutable",
        "x-content-type-options": "nosniff",
      },
    });
  }

  /** What the viewer's panel shows; the position only when `gps` (the owner, or a link that shares it). */
  describe(row: PhotoRow, item: Item, { gps }: { gps: boolean }): PhotoInfo {
    let facts: Record<string, string> = {};
    try {
      const parsed = JSON.parse(row.exif) as unknown;
      if (parsed && typeof parsed === "object") facts = parsed as Record<string, string>;
    } catch {
      // An unreadable panel is an empty one.
    }
    return {
      id: item.id,
      name: item.name,
      kind: row.kind,
      type: item.type,
      takenAt: row.takenAt,
      takenFrom: row.takenFrom,
      width: row.width,
      height: row.height,
      facts,
      ...(gps && row.latitude !== null && row.longitude !== null
        ? { gps: { latitude: row.latitude, longitude: row.longitude } }
        : {}),
    };
  }
}
