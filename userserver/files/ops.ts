/**
 * The file manager's operations on the item tree: mkdir, rename, move, copy (same blob: no bytes
 * are copied), trash with restore and empty, favorites, recent files and folder sizes. Every write
 * is one serialized DB write (`db.write`), so a crash leaves the previous state or the new one.
 * The access check is the caller's (the routes call `requireAccess` before any of these).
 */
import { desc, eq, inArray, sql } from "drizzle-orm";
import { blobs, fileFavorites, fileRecent, fileTrash, items } from "../../shared/db/userserver/schema.ts";
import type { UserDb } from "../database/mod.ts";
import type { Signals } from "../signals/mod.ts";
import {
  checkItemName,
  type Item,
  ItemConflictError,
  ItemNotFoundError,
  ROOT_ID,
  type Store,
} from "../store/mod.ts";

/** The hidden folder trashed items live under (no parent, so never listed under the root). */
export const TRASH_ID = "trash";

export class FileOpError extends Error {
  override name = "FileOpError";
}

export interface TrashEntry {
  item: Item;
  originalParentId: string;
  originalName: string;
  deletedAt: number;
}

export class FileOps {
  constructor(
    private readonly db: UserDb,
    private readonly store: Store,
    private readonly signals: Signals,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    await this.db.write(() =>
      this.db.orm.insert(items).values({
        id: TRASH_ID,
        parentId: null,
        name: "",
        kind: "folder",
        type: "folder",
        mtime: this.now(),
        createdAt: this.now(),
      }).onConflictDoNothing()
    );
  }

  /** A new folder; an existing folder of that name is an error (the UI asked for a new one). */
  async mkdir(parentId: string, rawName: string): Promise<Item> {
    const name = checkItemName(rawName);
    const parent = await this.#folder(parentId);
    if (await this.store.items.childByName(parentId, name)) {
      throw new ItemConflictError(`"${name}" already exists in ${label(parent)}`);
    }
    return await this.store.createFolder(parentId, name);
  }

  async rename(id: string, rawName: string): Promise<Item> {
    const item = await this.#movable(id);
    const name = checkItemName(rawName);
    if (name === item.name) return item;
    return await this.db.write(async () => {
      const clash = await this.store.items.childByName(item.parentId!, name);
      if (clash && clash.id !== item.id) {
        throw new ItemConflictError(`"${name}" already exists in this folder`);
      }
      await this.db.orm.update(items).set({ name }).where(eq(items.id, id));
      void this.signals.emit("item.moved", { id, parentId: item.parentId!, name });
      return { ...item, name };
    });
  }

  /** Moves items into `targetId`; a folder cannot go into itself or below itself. */
  async move(ids: string[], targetId: string): Promise<Item[]> {
    const target = await this.#folder(targetId);
    const chain = new Set((await this.store.items.ancestry(targetId)).map((i) => i.id));
    if (chain.has(TRASH_ID)) {
      throw new FileOpError("Items cannot be moved into the trash this way: delete them");
    }
    return await this.db.write(async () => {
      const moved: Item[] = [];
      for (const id of ids) {
        const item = await this.#movable(id);
        if (item.parentId === targetId) continue;
        if (chain.has(item.id)) {
          throw new FileOpError(`"${item.name}" cannot be moved into itself or a folder inside it`);
        }
        if (await this.store.items.childByName(targetId, item.name)) {
          throw new ItemConflictError(`"${item.name}" already exists in ${label(target)}`);
        }
        await this.db.orm.update(items).set({ parentId: targetId }).where(eq(items.id, id));
        void this.signals.emit("item.moved", { id, parentId: targetId, name: item.name });
        moved.push({ ...item, parentId: targetId });
      }
      return moved;
    });
  }

  /**
   * Copies items (folders recursively) into `targetId`. Files point at the same blob (one more
   * reference), so a copy of any size is instant. A name already taken gets " (copy)", " (copy 2)"…
   */
  async copy(ids: string[], targetId: string): Promise<Item[]> {
    await this.#folder(targetId);
    const chain = new Set((await this.store.items.ancestry(targetId)).map((i) => i.id));
    if (chain.has(TRASH_ID)) throw new FileOpError("Items cannot be copied into the trash");
    const out: Item[] = [];
    for (const id of ids) {
      const item = await this.#movable(id);
      if (item.kind === "folder" && chain.has(item.id)) {
        throw new FileOpError(`"${item.name}" cannot be copied into itself or a folder inside it`);
      }
      out.push(await this.#copyOne(item, targetId, await this.freeName(targetId, item.name, "copy")));
    }
    return out;
  }

  async #copyOne(item: Item, targetId: string, name: string): Promise<Item> {
    if (item.kind === "file") {
      const { item: copy } = await this.store.items.addFile(targetId, name, {
        hash: item.blobHash!,
        size: item.size,
        mtime: item.mtime,
        type: item.type,
      });
      void this.signals.emit("item.created", {
        id: copy.id,
        parentId: targetId,
        name: copy.name,
        kind: "file",
        size: copy.size,
      });
      return copy;
    }
    const folder = await this.store.createFolder(targetId, name);
    for (const child of await this.store.items.children(item.id)) {
      await this.#copyOne(child, folder.id, child.name);
    }
    return folder;
  }

  /**
   * Moves one item to `targetId` under `rawName` in one write (WebDAV MOVE, which names the
   * destination exactly). The name must be free there; a folder cannot go below itself.
   */
  async moveTo(id: string, targetId: string, rawName: string): Promise<Item> {
    const name = checkItemName(rawName);
    const target = await this.#folder(targetId);
    const chain = new Set((await this.store.items.ancestry(targetId)).map((i) => i.id));
    if (chain.has(TRASH_ID)) {
      throw new FileOpError("Items cannot be moved into the trash this way: delete them");
    }
    return await this.db.write(async () => {
      const item = await this.#movable(id);
      if (chain.has(item.id)) {
        throw new FileOpError(`"${item.name}" cannot be moved into itself or a folder inside it`);
      }
      const clash = await this.store.items.childByName(targetId, name);
      if (clash && clash.id !== id) {
        throw new ItemConflictError(`"${name}" already exists in ${label(target)}`);
      }
      await this.db.orm.update(items).set({ parentId: targetId, name }).where(eq(items.id, id));
      void this.signals.emit("item.moved", { id, parentId: targetId, name });
      return { ...item, parentId: targetId, name };
    });
  }

  /**
   * Copies one item to `targetId` under `rawName` (WebDAV COPY); `shallow` copies a folder without
   * what is in it (Depth: 0). Files share their blob: no bytes are copied.
   */
  async copyTo(id: string, targetId: string, rawName: string, shallow = false): Promise<Item> {
    const name = checkItemName(rawName);
    await this.#folder(targetId);
    const chain = new Set((await this.store.items.ancestry(targetId)).map((i) => i.id));
    if (chain.has(TRASH_ID)) throw new FileOpError("Items cannot be copied into the trash");
    const item = await this.#movable(id);
    if (await this.store.items.childByName(targetId, name)) {
      throw new ItemConflictError(`"${name}" already exists`);
    }
    if (item.kind === "folder" && shallow) return await this.store.createFolder(targetId, name);
    if (item.kind === "folder" && chain.has(item.id)) {
      throw new FileOpError(`"${item.name}" cannot be copied into itself or a folder inside it`);
    }
    return await this.#copyOne(item, targetId, name);
  }

  /** A name not yet taken in `parentId`: `name`, else `stem (word).ext`, `stem (word 2).ext`, … (`stem (2).ext`, … without a word). */
  async freeName(parentId: string, name: string, word: string): Promise<string> {
    if (!(await this.store.items.childByName(parentId, name))) return name;
    const dot = name.lastIndexOf(".");
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
    for (let n = 1;; n++) {
      const tag = word ? `${word}${n > 1 ? ` ${n}` : ""}` : String(n + 1);
      const candidate = checkItemName(`${stem} (${tag})${ext}`);
      if (!(await this.store.items.childByName(parentId, candidate))) return candidate;
    }
  }

  /** Moves items to the trash (their blobs stay referenced until the trash is emptied). */
  async trash(ids: string[]): Promise<number> {
    let n = 0;
    for (const id of ids) {
      const item = await this.#movable(id);
      await this.db.write(() =>
        this.db.orm.batch([
          this.db.orm.update(items).set({ parentId: TRASH_ID, name: `${item.id}` }).where(eq(items.id, id)),
          this.db.orm.insert(fileTrash).values({
            itemId: id,
            originalParentId: item.parentId!,
            originalName: item.name,
            deletedAt: this.now(),
          }),
        ])
      );
      void this.signals.emit("item.moved", { id, parentId: TRASH_ID, name: item.name });
      n++;
    }
    return n;
  }

  async trashed(): Promise<TrashEntry[]> {
    const rows = await this.db.orm.select().from(fileTrash).innerJoin(items, eq(items.id, fileTrash.itemId))
      .orderBy(desc(fileTrash.deletedAt)).all();
    return rows.map((r) => ({
      item: { ...r.items, name: r.file_trash.originalName },
      originalParentId: r.file_trash.originalParentId,
      originalName: r.file_trash.originalName,
      deletedAt: r.file_trash.deletedAt,
    }));
  }

  /**
   * Puts a trashed item back where it was, under its old name (" (restored)" if that name was taken
   * meanwhile); into Home when its folder no longer exists or is itself in the trash.
   */
  async restore(id: string): Promise<Item> {
    const row = await this.db.orm.select().from(fileTrash).where(eq(fileTrash.itemId, id)).get();
    if (!row) throw new ItemNotFoundError(`"${id}" is not in the trash`);
    const parentChain = await this.store.items.ancestry(row.originalParentId);
    const parentOk = parentChain[0]?.id === ROOT_ID && parentChain.at(-1)?.kind === "folder";
    const parentId = parentOk ? row.originalParentId : ROOT_ID;
    const name = await this.freeName(parentId, row.originalName, "restored");
    await this.db.write(() =>
      this.db.orm.batch([
        this.db.orm.update(items).set({ parentId, name }).where(eq(items.id, id)),
        this.db.orm.delete(fileTrash).where(eq(fileTrash.itemId, id)),
      ])
    );
    void this.signals.emit("item.moved", { id, parentId, name });
    return await this.store.items.require(id);
  }

  /** Deletes trashed items for good (all of them without `ids`); blobs nothing else holds are collected. */
  async emptyTrash(ids?: string[]): Promise<number> {
    const rows = await this.db.orm.select({ id: fileTrash.itemId }).from(fileTrash)
      .where(ids ? inArray(fileTrash.itemId, ids) : undefined).all();
    for (const { id } of rows) {
      if (await this.store.items.get(id)) await this.store.delete(id);
      await this.db.write(() => this.db.orm.delete(fileTrash).where(eq(fileTrash.itemId, id)));
    }
    await this.#forget(rows.map((r) => r.id));
    return rows.length;
  }

  async isTrashed(id: string): Promise<boolean> {
    return (await this.store.items.ancestry(id))[0]?.id === TRASH_ID;
  }

  async setFavorite(id: string, on: boolean): Promise<void> {
    await this.db.write(() =>
      on
        ? this.db.orm.insert(fileFavorites).values({ itemId: id, createdAt: this.now() })
          .onConflictDoNothing()
        : this.db.orm.delete(fileFavorites).where(eq(fileFavorites.itemId, id))
    );
  }

  async favoriteIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.orm.select({ id: fileFavorites.itemId }).from(fileFavorites)
      .where(inArray(fileFavorites.itemId, ids)).all();
    return new Set(rows.map((r) => r.id));
  }

  /** Favorites that still exist outside the trash, newest first. */
  async favorites(): Promise<Item[]> {
    const rows = await this.db.orm.select().from(fileFavorites).innerJoin(
      items,
      eq(items.id, fileFavorites.itemId),
    )
      .orderBy(desc(fileFavorites.createdAt)).limit(500).all();
    return await this.#live(rows.map((r) => r.items));
  }

  async touchRecent(id: string): Promise<void> {
    await this.db.write(() =>
      this.db.orm.insert(fileRecent).values({ itemId: id, at: this.now() })
        .onConflictDoUpdate({ target: fileRecent.itemId, set: { at: this.now() } })
    );
  }

  async recent(limit = 50): Promise<Array<Item & { at: number }>> {
    const rows = await this.db.orm.select().from(fileRecent).innerJoin(items, eq(items.id, fileRecent.itemId))
      .orderBy(desc(fileRecent.at)).limit(limit * 2).all();
    const live = new Set((await this.#live(rows.map((r) => r.items))).map((i) => i.id));
    return rows.filter((r) => live.has(r.items.id)).slice(0, limit).map((r) => ({
      ...r.items,
      at: r.file_recent.at,
    }));
  }

  /** Total bytes and item count below each folder (one recursive query for the whole page). */
  async folderSizes(ids: string[]): Promise<Map<string, { bytes: number; count: number }>> {
    const out = new Map<string, { bytes: number; count: number }>();
    if (ids.length === 0) return out;
    const list = sql.join(ids.map((id) => sql`${id}`), sql`, `);
    const rows = await this.db.orm.all<{ top: string; bytes: number; count: number }>(sql`
      with recursive sub(top, id) as (
        select id, id from items where id in (${list})
        union all
        select sub.top, i.id from items i join sub on i.parent_id = sub.id
      )
      select sub.top as top, coalesce(sum(items.size), 0) as bytes, count(*) - 1 as count
      from sub join items on items.id = sub.id group by sub.top`);
    for (const r of rows) out.set(r.top, { bytes: Number(r.bytes), count: Number(r.count) });
    return out;
  }

  /** Bytes stored (each distinct content once), cached for a few seconds or until items change. */
  async usage(): Promise<{ bytes: number }> {
    if (this.#usage && this.now() - this.#usage.at < 5_000) return { bytes: this.#usage.bytes };
    const stored = await this.db.orm.select({ bytes: sql<number>`coalesce(sum(${blobs.size}), 0)` }).from(
      blobs,
    )
      .get();
    this.#usage = { bytes: Number(stored?.bytes ?? 0), at: this.now() };
    return { bytes: this.#usage.bytes };
  }
  #usage: { bytes: number; at: number } | undefined;

  /** Drops the cached usage (an item was added or removed: the figure may have changed). */
  forgetUsage(): void {
    this.#usage = undefined;
  }

  async #live(list: Item[]): Promise<Item[]> {
    const out: Item[] = [];
    for (const item of list) {
      if ((await this.store.items.ancestry(item.id))[0]?.id === ROOT_ID) out.push(item);
    }
    return out;
  }

  async #forget(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.write(() =>
      this.db.orm.batch([
        this.db.orm.delete(fileFavorites).where(inArray(fileFavorites.itemId, ids)),
        this.db.orm.delete(fileRecent).where(inArray(fileRecent.itemId, ids)),
      ])
    );
  }

  async #folder(id: string): Promise<Item> {
    const item = await this.store.items.get(id);
    if (!item || item.kind !== "folder" || id === TRASH_ID) throw new ItemNotFoundError(`No folder "${id}"`);
    return item;
  }

  async #movable(id: string): Promise<Item> {
    if (id === ROOT_ID) throw new FileOpError("The Home folder cannot be moved, renamed or deleted");
    if (id === TRASH_ID) throw new FileOpError("The trash cannot be moved, renamed or deleted");
    const item = await this.store.items.require(id);
    if (item.parentId === TRASH_ID) throw new FileOpError(`"${id}" is in the trash: restore it first`);
    return item;
  }
}

function label(folder: Item): string {
  return folder.id === ROOT_ID ? "Home" : `"${folder.name}"`;
}
