/**
 * The Collection's photos: an entry's photo is an ordinary file in the owner's store, in the
 * `Collection` folder (made on first use), named after the entry's code — so it is browsed,
 * searched, shared and backed up like any other file, and stays when the entry is removed.
 */
import { and, inArray, ne } from "drizzle-orm";
import { items } from "../../shared/db/userserver/schema.ts";
import { withoutControlChars } from "../../shared/text.ts";
import type { Core } from "../core/mod.ts";
import { FileOps, TRASH_ID } from "../files/mod.ts";
import { checkItemName, type Item, ROOT_ID } from "../store/mod.ts";

export const COLLECTION_FOLDER = "Collection";
/** A phone's photo is a few MB; this bounds what one form post may store. */
export const MAX_PHOTO_BYTES = 50 * 1024 * 1024;
const EXTENSIONS: Record<string, string> = {
  "image/jpeg": ".jpg",
  "image/png": ".png",
  "image/webp": ".webp",
  "image/heic": ".heic",
  "image/heif": ".heif",
  "image/gif": ".gif",
  "image/avif": ".avif",
};

export class PhotoError extends Error {
  override name = "PhotoError";
}

export class CollectionPhotos {
  readonly #ops: FileOps;
  constructor(private readonly core: Core) {
    this.#ops = new FileOps(core.db, core.store, core.signals);
  }

  /** Stores `file` as the photo of the entry with `code`; its item id. */
  async save(file: File, code: string): Promise<string> {
    const ext = EXTENSIONS[file.type];
    if (!ext) {
      throw new PhotoError(`A photo must be a JPEG, PNG, WebP, HEIC, GIF or AVIF image, not "${file.type}"`);
    }
    if (file.size > MAX_PHOTO_BYTES) {
      throw new PhotoError(`A photo may be at most 50 MB; this one is ${file.size} bytes`);
    }
    const folder = (await this.core.store.items.ensureFolder(ROOT_ID, COLLECTION_FOLDER)).item;
    const name = await this.#ops.freeName(folder.id, fileName(code, ext), "");
    const added = await this.core.store.putStream(folder.id, name, file.stream(), {
      mtime: file.lastModified || Date.now(),
      type: file.type,
    });
    return added.item.id;
  }

  /** The photos of these ids that are still files outside the trash, by id. */
  async of(ids: string[]): Promise<Map<string, Item>> {
    if (ids.length === 0) return new Map();
    const rows = await this.core.db.orm.select().from(items)
      .where(and(inArray(items.id, ids), ne(items.parentId, TRASH_ID))).all();
    return new Map(rows.filter((r) => r.kind === "file" && r.blobHash).map((r) => [r.id, r]));
  }
}

/** A file name from a code (a URL in a QR code has slashes): what a name may not hold becomes "_". */
function fileName(code: string, ext: string): string {
  const stem = withoutControlChars(code).replace(/[/\\:*?"<>|]/g, "_").slice(0, 80).trim();
  try {
    return checkItemName(`${stem}${ext}`);
  } catch {
    return `photo${ext}`; // "CON", ".", a name of spaces: nothing of the code is worth keeping
  }
}
