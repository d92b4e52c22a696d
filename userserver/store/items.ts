/**
 * The item tree in the user server's DB: folders and files, each file pointing at a blob. Blob
 * reference counts change in the same batch (one transaction) as the items that hold them.
 */
import { and, eq, inArray, lte, sql } from "drizzle-orm";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { UserDb } from "../database/mod.ts";
import { blobs, items } from "../../shared/db/userserver/schema.ts";
import { checkItemName } from "./names.ts";

export const ROOT_ID = "root";

export type Item = typeof items.$inferSelect;

export class ItemNotFoundError extends Error {
  override name = "ItemNotFoundError";
}

export class ItemConflictError extends Error {
  override name = "ItemConflictError";
}

export interface NewFile {
  hash: string;
  size: number;
  mtime: number;
  type: string;
}

export type AddFileResult = { item: Item; outcome: "created" | "unchanged" | "replaced" };

export class ItemTree {
  constructor(private readonly db: UserDb, private readonly now: () => number = Date.now) {}

  async ensureRoot(): Promise<void> {
    await this.db.write(() =>
      this.db.orm.insert(items).values({
        id: ROOT_ID,
        parentId: null,
        name: "",
        kind: "folder",
        type: "folder",
        mtime: this.now(),
        createdAt: this.now(),
      }).onConflictDoNothing()
    );
  }

  async get(id: string): Promise<Item | undefined> {
    return await this.db.orm.select().from(items).where(eq(items.id, id)).get();
  }

  /** The items among `ids` that exist, in one query (the search indexer reads a batch at once). */
  async getMany(ids: string[]): Promise<Item[]> {
    if (ids.length === 0) return [];
    return await this.db.orm.select().from(items).where(inArray(items.id, ids)).all();
  }

  async require(id: string): Promise<Item> {
    return (await this.get(id)) ?? raise(new ItemNotFoundError(`No item "${id}"`));
  }

  /** Children of a folder: folders first, then by name. */
  async children(parentId: string): Promise<Item[]> {
    return await this.db.orm.select().from(items).where(eq(items.parentId, parentId))
      .orderBy(sql`${items.kind} = 'file'`, sql`${items.name} collate nocase`).all();
  }

  async childByName(parentId: string, name: string): Promise<Item | undefined> {
    return await this.db.orm.select().from(items)
      .where(and(eq(items.parentId, parentId), eq(items.name, name.normalize("NFC")))).get();
  }

  /** The chain root → … → item (for breadcrumbs and ACL inheritance). */
  async ancestry(id: string): Promise<Item[]> {
    const chain: Item[] = [];
    let cur = await this.get(id);
    while (cur) {
      chain.unshift(cur);
      if (chain.length > 4096) break; // a cycle cannot happen through this API; never loop forever
      cur = cur.parentId ? await this.get(cur.parentId) : undefined;
    }
    return chain;
  }

  /** The folder `name` in `parentId`, created if missing (idempotent, so an import can be re-run). */
  async ensureFolder(parentId: string, rawName: string): Promise<{ item: Item; created: boolean }> {
    const name = checkItemName(rawName);
    return await this.db.write(async () => {
      const existing = await this.childByName(parentId, name);
      if (existing) {
        if (existing.kind !== "folder") {
          throw new ItemConflictError(`"${name}" already exists here and is not a folder`);
        }
        return { item: existing, created: false };
      }
      await this.#requireFolder(parentId);
      const item: Item = {
        id: randomToken(12),
        parentId,
        name,
        kind: "folder",
        type: "folder",
        size: 0,
        mtime: this.now(),
        blobHash: null,
        aclSet: false,
        createdAt: this.now(),
      };
      await this.db.orm.insert(items).values(item);
      return { item, created: true };
    });
  }

  /**
   * Puts a file named `name` in `parentId` pointing at a stored blob. The same name with the same
   * content is left alone (a re-run adds no duplicate); different content replaces the old.
   */
  async addFile(parentId: string, rawName: string, file: NewFile): Promise<AddFileResult> {
    const name = checkItemName(rawName);
    return await this.db.write(async () => {
      const existing = await this.childByName(parentId, name);
      if (existing && existing.kind !== "file") {
        throw new ItemConflictError(`"${name}" already exists here and is a folder`);
      }
      if (existing?.blobHash === file.hash) return { item: existing, outcome: "unchanged" as const };
      const addRef = this.db.orm.insert(blobs).values({
        hash: file.hash,
        size: file.size,
        refs: 1,
        createdAt: this.now(),
      })
        .onConflictDoUpdate({ target: blobs.hash, set: { refs: sql`${blobs.refs} + 1` } });
      if (existing) {
        const item = {
          ...existing,
          blobHash: file.hash,
          size: file.size,
          mtime: file.mtime,
          type: file.type,
        };
        await this.db.orm.batch([
          addRef,
          this.db.orm.update(items).set({
            blobHash: file.hash,
            size: file.size,
            mtime: file.mtime,
            type: file.type,
          })
            .where(eq(items.id, existing.id)),
          this.db.orm.update(blobs).set({ refs: sql`${blobs.refs} - 1` }).where(
            eq(blobs.hash, existing.blobHash!),
          ),
        ]);
        return { item, outcome: "replaced" as const };
      }
      await this.#requireFolder(parentId);
      const item: Item = {
        id: randomToken(12),
        parentId,
        name,
        kind: "file",
        type: file.type,
        size: file.size,
        mtime: file.mtime,
        blobHash: file.hash,
        aclSet: false,
        createdAt: this.now(),
      };
      await this.db.orm.batch([addRef, this.db.orm.insert(items).values(item)]);
      return { item, outcome: "created" as const };
    });
  }

  /** Deletes an item and everything under it; returns what was deleted. Blobs are released. */
  async delete(id: string): Promise<Item[]> {
    if (id === ROOT_ID) throw new ItemConflictError("The root folder cannot be deleted");
    return await this.db.write(async () => {
      const doomed: Item[] = [];
      const walk = async (item: Item) => {
        doomed.push(item);
        if (item.kind === "folder") { for (const child of await this.children(item.id)) await walk(child); }
      };
      await walk(await this.require(id));
      const ids = doomed.map((i) => i.id);
      const releases = doomed.filter((i) => i.blobHash).map((i) =>
        this.db.orm.update(blobs).set({ refs: sql`${blobs.refs} - 1` }).where(eq(blobs.hash, i.blobHash!))
      );
      await this.db.orm.batch([this.db.orm.delete(items).where(inArray(items.id, ids)), ...releases]);
      return doomed;
    });
  }

  /** Blob rows nothing points at any more. */
  async unreferencedBlobs(): Promise<string[]> {
    const rows = await this.db.orm.select({ hash: blobs.hash }).from(blobs).where(lte(blobs.refs, 0)).all();
    return rows.map((r) => r.hash);
  }

  async forgetBlobs(hashes: string[]): Promise<void> {
    if (hashes.length === 0) return;
    await this.db.write(() =>
      this.db.orm.delete(blobs).where(and(inArray(blobs.hash, hashes), lte(blobs.refs, 0)))
    );
  }

  async knownBlobs(hashes: string[]): Promise<Set<string>> {
    if (hashes.length === 0) return new Set();
    const rows = await this.db.orm.select({ hash: blobs.hash }).from(blobs).where(inArray(blobs.hash, hashes))
      .all();
    return new Set(rows.map((r) => r.hash));
  }

  async counts(): Promise<{ items: number; blobs: number; bytes: number }> {
    const i = await this.db.orm.select({ n: sql<number>`count(*)` }).from(items).where(
      sql`${items.id} != ${ROOT_ID}`,
    ).get();
    const b = await this.db.orm.select({
      n: sql<number>`count(*)`,
      bytes: sql<number>`coalesce(sum(${blobs.size}), 0)`,
    })
      .from(blobs).get();
    return { items: i?.n ?? 0, blobs: b?.n ?? 0, bytes: b?.bytes ?? 0 };
  }

  async #requireFolder(id: string): Promise<void> {
    const parent = await this.get(id);
    if (!parent || parent.kind !== "folder") throw new ItemNotFoundError(`No folder "${id}"`);
  }
}

function raise(e: Error): never {
  throw e;
}
