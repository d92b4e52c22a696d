/**
 * What a visitor — a shared album's link, a share link, a friend — gets for a stored photo: the
 * same photo without where it was taken. A JPEG keeps its bytes but loses its GPS directory and
 * XMP (strip_gps.ts); another format that carries a position, or a JPEG too damaged to examine, is
 * re-encoded without metadata. Copies are made once per content, under `photos/shared/`; a photo
 * with nothing to take out is served as it is. The owner (and their paired phones) get originals.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import sharp from "sharp";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { Core } from "../core/mod.ts";
import type { Item } from "../store/mod.ts";
import type { Catalog } from "./catalog.ts";
import { photoKindOf } from "./media.ts";
import { stripJpegGps } from "./strip_gps.ts";

export interface ServedBytes {
  blobPath: string;
  size?: number;
  etag?: string;
  type?: string;
}

export class VisitorCopies {
  constructor(
    private readonly core: Core,
    private readonly catalog: Catalog,
    private readonly dir: string,
  ) {
    mkdirSync(join(dir, "tmp"), { recursive: true, mode: 0o700 });
  }

  /** The bytes to send a visitor for `item` (its blob when there is nothing to take out). */
  async of(item: Item): Promise<ServedBytes> {
    const hash = item.blobHash!;
    const original = { blobPath: this.core.store.blobs.pathOf(hash) };
    if (photoKindOf(item.type) !== "photo") return original;
    const jpeg = item.type === "image/jpeg";
    const copy = join(this.dir, hash.slice(0, 2), `${hash}${jpeg ? ".jpg" : ".img"}`);
    const same = `${copy}.same`;
    if (existsSync(same)) return original;
    if (!existsSync(copy)) {
      const made = await this.#make(item, original.blobPath, copy);
      if (!made) {
        mkdirSync(dirname(same), { recursive: true, mode: 0o700 });
        writeFileSync(same, "");
        return original;
      }
    }
    const size = Bun.file(copy).size;
    return {
      blobPath: copy,
      size,
      etag: `"${hash.slice(0, 32)}-v"`,
      ...(jpeg
        ? {}
        : { type: item.type === "image/heic" || item.type === "image/heif" ? "image/jpeg" : item.type }),
    };
  }

  /** Writes the copy; false when the original has nothing to take out. */
  async #make(item: Item, source: string, copy: string): Promise<boolean> {
    const bytes = new Uint8Array(await Bun.file(source).arrayBuffer());
    let out: Uint8Array | undefined;
    if (item.type === "image/jpeg") {
      const r = stripJpegGps(bytes);
      if (r && !r.changed) return false;
      out = r?.bytes;
    } else {
      const row = this.catalog.get(item.id);
      // Formats other than JPEG: only a photo known to carry a position is re-encoded.
      if (row?.state === "done" && row.latitude === null) return false;
    }
    if (!out) out = await reencoded(bytes, item.type);
    mkdirSync(dirname(copy), { recursive: true, mode: 0o700 });
    const tmp = join(this.dir, "tmp", randomToken(8));
    try {
      writeFileSync(tmp, out);
      renameSync(tmp, copy);
    } finally {
      rmSync(tmp, { force: true });
    }
    return true;
  }
}

/** The same picture with no metadata at all (sharp writes none unless asked). */
async function reencoded(bytes: Uint8Array, type: string): Promise<Uint8Array> {
  const img = sharp(bytes, { failOn: "none", animated: type === "image/gif" || type === "image/webp" })
    .rotate();
  const out = type === "image/png"
    ? img.png()
    : type === "image/webp"
    ? img.webp({ quality: 92 })
    : type === "image/avif"
    ? img.avif({ quality: 80 })
    : type === "image/tiff"
    ? img.tiff()
    : type === "image/gif"
    ? img.gif()
    : img.jpeg({ quality: 92 });
  return new Uint8Array(await out.toBuffer());
}
