/**
 * Albums: hand-picked ones (their photos listed in order) and folders' (a folder's photos, newest
 * first; a row exists only once the owner gives it a title, cover, skin or link). Either is a view
 * of the photos where they are — adding to an album never copies a file.
 */
import { and, asc, eq, inArray, max, sql } from "drizzle-orm";
import { photoAlbumItems, photoAlbums, photoAlbumShares } from "../../shared/db/userserver/schema.ts";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { Core } from "../core/mod.ts";
import { type Tile, tileOf, type TileRow } from "./catalog.ts";

export type Album = typeof photoAlbums.$inferSelect;
export type Skin = Album["skin"];
export const SKINS: ReadonlyArray<{ id: Skin; label: string }> = [
  { id: "grid", label: "Grid — every photo, rows of equal height" },
  { id: "story", label: "Story — one photo after another, large" },
];

export interface AlbumSummary {
  id: string;
  title: string;
  count: number;
  /** The cover's item id (the chosen one, else the newest photo). */
  cover?: string;
  coverHash?: string;
  folderId?: string;
  shared: boolean;
}

/** Ids of the albums shared with the friend `$f`, directly or through one of their groups. */
const SHARED_WITH_FRIEND = `select album_id from photo_album_shares
  where principal = 'user:' || $f
     or principal in (select 'group:' || "group" from group_members where user = $f)`;

const TILE_COLUMNS = `p.item_id, p.blob_hash, p.taken_at, p.width, p.height, p.colour, p.kind`;

export class Albums {
  constructor(private readonly core: Core) {}

  get(id: string): Album | undefined {
    return this.#one("select * from photo_albums where id = $v", id);
  }

  byFolder(folderId: string): Album | undefined {
    return this.#one("select * from photo_albums where folder_id = $v", folderId);
  }

  byToken(token: string): Album | undefined {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
    return this.#one("select * from photo_albums where share_token = $v", token);
  }

  #one(query: string, value: string): Album | undefined {
    const r = this.core.reader.get<Record<string, unknown>>(query, { $v: value });
    return r ? albumOf(r) : undefined;
  }

  /** Hand-picked albums, then folders with photos (the most recent first). */
  list(): AlbumSummary[] {
    return [...this.manual(), ...this.folders()];
  }

  /** Hand-picked albums, most recently changed first (the timeline's "Add to" list: no pass over every photo). */
  manual(): AlbumSummary[] {
    const manual = this.core.reader.all<
      {
        id: string;
        title: string;
        count: number;
        cover: string | null;
        hash: string | null;
        token: string | null;
      }
    >(
      `select a.id, a.title, a.share_token as token,
         (select count(*) from photo_album_items ai join photos p on p.item_id = ai.item_id
            where ai.album_id = a.id and p.trashed = 0) as count,
         coalesce(a.cover_item_id, (select ai.item_id from photo_album_items ai where ai.album_id = a.id
            order by ai.position limit 1)) as cover,
         null as hash
       from photo_albums a where a.folder_id is null order by a.updated_at desc`,
    );
    return manual.map((m) => ({
      id: m.id,
      title: m.title,
      count: m.count,
      ...(m.cover ? { cover: m.cover, coverHash: this.#hashOf(m.cover) } : {}),
      shared: m.token !== null,
    }));
  }

  /** Folders with photos, the most recent first (one pass over the photos: the Albums page only). */
  folders(): AlbumSummary[] {
    const folders = this.core.reader.all<
      {
        folder: string;
        title: string;
        count: number;
        cover: string;
        token: string | null;
        chosen: string | null;
      }
    >(
      `select i.parent_id as folder, f.name as title, count(*) as count, max(p.taken_at) as newest,
         (select p2.item_id from photos p2 join items i2 on i2.id = p2.item_id
            where i2.parent_id = i.parent_id and p2.trashed = 0 order by p2.taken_at desc limit 1) as cover,
         a.share_token as token, a.cover_item_id as chosen, a.title as own_title
       from photos p join items i on i.id = p.item_id join items f on f.id = i.parent_id
         left join photo_albums a on a.folder_id = i.parent_id
       where p.trashed = 0 group by i.parent_id order by newest desc limit 500`,
    );
    return folders.map((f) => {
      const cover = f.chosen ?? f.cover;
      return {
        id: `folder-${f.folder}`,
        title: f.title,
        count: f.count,
        cover,
        coverHash: this.#hashOf(cover),
        folderId: f.folder,
        shared: f.token !== null,
      };
    });
  }

  /** The first 12 characters of a photo's content hash (its thumbnail's cache key). */
  #hashOf(id: string): string | undefined {
    return this.core.reader.get<{ h: string }>("select blob_hash as h from photos where item_id = $id", {
      $id: id,
    })
      ?.h.slice(0, 12);
  }

  /** An album's photos in its order (a page of them). */
  tiles(album: Album | { folderId: string }, offset = 0, limit = 500): Tile[] {
    if ("id" in album && !album.folderId) {
      return this.core.reader.all<TileRow>(
        `select ${TILE_COLUMNS} from photo_album_items ai join photos p on p.item_id = ai.item_id
         where ai.album_id = $a and p.trashed = 0 order by ai.position limit $l offset $o`,
        { $a: album.id, $l: limit, $o: offset },
      ).map(tileOf);
    }
    return this.core.reader.all<TileRow>(
      `select ${TILE_COLUMNS} from photos p join items i on i.id = p.item_id
       where i.parent_id = $f and p.trashed = 0 order by p.taken_at desc, p.item_id desc limit $l offset $o`,
      { $f: album.folderId!, $l: limit, $o: offset },
    ).map(tileOf);
  }

  count(album: Album | { folderId: string }): number {
    const r = "id" in album && !album.folderId
      ? this.core.reader.get<{ n: number }>(
        `select count(*) as n from photo_album_items ai join photos p on p.item_id = ai.item_id
         where ai.album_id = $a and p.trashed = 0`,
        { $a: album.id },
      )
      : this.core.reader.get<{ n: number }>(
        `select count(*) as n from photos p join items i on i.id = p.item_id
         where i.parent_id = $f and p.trashed = 0`,
        { $f: album.folderId! },
      );
    return r?.n ?? 0;
  }

  /** Whether a photo is in the album (what a link's visitor may open). */
  holds(album: Album, itemId: string): boolean {
    const r = album.folderId
      ? this.core.reader.get<{ one: number }>(
        `select 1 as one from photos p join items i on i.id = p.item_id
         where p.item_id = $i and i.parent_id = $f and p.trashed = 0`,
        { $i: itemId, $f: album.folderId },
      )
      : this.core.reader.get<{ one: number }>(
        `select 1 as one from photo_album_items ai join photos p on p.item_id = ai.item_id
         where ai.album_id = $a and ai.item_id = $i and p.trashed = 0`,
        { $a: album.id, $i: itemId },
      );
    return r !== undefined;
  }

  async create(title: string, itemIds: string[]): Promise<Album> {
    const album = newAlbum(title, null);
    await this.core.db.write(() => this.core.db.orm.insert(photoAlbums).values(album));
    await this.add(album.id, itemIds);
    return album;
  }

  /** The row holding a folder album's own settings, made on first change. */
  async forFolder(folderId: string, title: string): Promise<Album> {
    const existing = this.byFolder(folderId);
    if (existing) return existing;
    const album = newAlbum(title, folderId);
    await this.core.db.write(() => this.core.db.orm.insert(photoAlbums).values(album).onConflictDoNothing());
    return this.byFolder(folderId) ?? album;
  }

  /** Adds photos at the end, in the order given; ones already in the album stay where they are. */
  async add(albumId: string, itemIds: string[]): Promise<number> {
    const known = new Set(
      this.core.reader.all<{ item_id: string }>(
        `select item_id from photos where item_id in (select value from json_each($ids))`,
        { $ids: JSON.stringify(itemIds) },
      ).map((r) => r.item_id),
    );
    const ids = [...new Set(itemIds)].filter((id) => known.has(id));
    if (ids.length === 0) return 0;
    return await this.core.db.write(async () => {
      const top = await this.core.db.orm.select({ m: max(photoAlbumItems.position) }).from(photoAlbumItems)
        .where(eq(photoAlbumItems.albumId, albumId)).get();
      let position = (top?.m ?? 0) + 1;
      const rows = ids.map((itemId) => ({ albumId, itemId, position: position++ }));
      for (let k = 0; k < rows.length; k += 500) {
        await this.core.db.orm.insert(photoAlbumItems).values(rows.slice(k, k + 500)).onConflictDoNothing();
      }
      await this.#touch(albumId);
      return ids.length;
    });
  }

  async remove(albumId: string, itemIds: string[]): Promise<void> {
    if (itemIds.length === 0) return;
    await this.core.db.write(async () => {
      await this.core.db.orm.delete(photoAlbumItems).where(
        and(eq(photoAlbumItems.albumId, albumId), inArray(photoAlbumItems.itemId, itemIds)),
      );
      await this.#touch(albumId);
    });
  }

  /** Moves a photo one place earlier (-1) or later (+1). */
  async move(albumId: string, itemId: string, by: -1 | 1): Promise<void> {
    await this.core.db.write(async () => {
      const order = await this.core.db.orm.select().from(photoAlbumItems).where(
        eq(photoAlbumItems.albumId, albumId),
      )
        .orderBy(asc(photoAlbumItems.position)).all();
      const at = order.findIndex((r) => r.itemId === itemId);
      const to = at + by;
      if (at < 0 || to < 0 || to >= order.length) return;
      const a = order[at]!, b = order[to]!;
      await this.core.db.orm.batch([
        this.core.db.orm.update(photoAlbumItems).set({ position: -1 }).where(
          and(eq(photoAlbumItems.albumId, albumId), eq(photoAlbumItems.itemId, a.itemId)),
        ),
        this.core.db.orm.update(photoAlbumItems).set({ position: a.position }).where(
          and(eq(photoAlbumItems.albumId, albumId), eq(photoAlbumItems.itemId, b.itemId)),
        ),
        this.core.db.orm.update(photoAlbumItems).set({ position: b.position }).where(
          and(eq(photoAlbumItems.albumId, albumId), eq(photoAlbumItems.itemId, a.itemId)),
        ),
      ]);
    });
  }

  async update(
    albumId: string,
    change: Partial<Pick<Album, "title" | "description" | "skin" | "coverItemId" | "shareGps">>,
  ): Promise<void> {
    await this.core.db.write(() =>
      this.core.db.orm.update(photoAlbums).set({ ...change, updatedAt: Date.now() }).where(
        eq(photoAlbums.id, albumId),
      )
    );
  }

  /** Shares the album by a new link (a new token each time: an old link never comes back). */
  async share(albumId: string, on: boolean): Promise<void> {
    await this.core.db.write(() =>
      this.core.db.orm.update(photoAlbums).set({
        shareToken: on ? randomToken(32) : null,
        updatedAt: Date.now(),
      })
        .where(eq(photoAlbums.id, albumId))
    );
  }

  /** The friends (`user:<name>`) and groups (`group:<name>`) the album is shared with. */
  principals(albumId: string): string[] {
    return this.core.reader.all<{ principal: string }>(
      "select principal from photo_album_shares where album_id = $a order by principal",
      { $a: albumId },
    ).map((r) => r.principal);
  }

  /** Shares the album with a friend or a group (on), or stops (off). */
  async shareWith(albumId: string, principal: string, on: boolean): Promise<void> {
    await this.core.db.write(() =>
      on
        ? this.core.db.orm.insert(photoAlbumShares).values({ albumId, principal }).onConflictDoNothing()
        : this.core.db.orm.delete(photoAlbumShares).where(
          and(eq(photoAlbumShares.albumId, albumId), eq(photoAlbumShares.principal, principal)),
        )
    );
  }

  /** The albums shared with `friend`, directly or through a group they are in; most recent first. */
  sharedWith(friend: string): Album[] {
    return this.core.reader.all<Record<string, unknown>>(
      `select * from photo_albums where id in (${SHARED_WITH_FRIEND}) order by updated_at desc`,
      { $f: friend },
    ).map(albumOf);
  }

  /**
   * The album with this id if it is shared with `friend` (else undefined: not theirs to see). Asked
   * for every photo a friend's server fetches: one row by key, not the friend's whole list.
   */
  sharedWithFriend(friend: string, albumId: string): Album | undefined {
    const r = this.core.reader.get<Record<string, unknown>>(
      `select * from photo_albums where id = $a and id in (${SHARED_WITH_FRIEND})`,
      { $f: friend, $a: albumId },
    );
    return r ? albumOf(r) : undefined;
  }

  async delete(albumId: string): Promise<void> {
    await this.core.db.write(() =>
      this.core.db.orm.batch([
        this.core.db.orm.delete(photoAlbumShares).where(eq(photoAlbumShares.albumId, albumId)),
        this.core.db.orm.delete(photoAlbumItems).where(eq(photoAlbumItems.albumId, albumId)),
        this.core.db.orm.delete(photoAlbums).where(eq(photoAlbums.id, albumId)),
      ])
    );
  }

  /** A deleted file leaves every album it was in. */
  async forget(itemId: string): Promise<void> {
    await this.core.db.write(() =>
      this.core.db.orm.run(sql`delete from photo_album_items where item_id = ${itemId}`)
    );
  }

  async #touch(albumId: string): Promise<void> {
    await this.core.db.orm.update(photoAlbums).set({ updatedAt: Date.now() }).where(
      eq(photoAlbums.id, albumId),
    );
  }
}

function newAlbum(title: string, folderId: string | null): Album {
  const now = Date.now();
  return {
    id: randomToken(12),
    folderId,
    title,
    description: "",
    coverItemId: null,
    skin: "grid",
    shareToken: null,
    shareGps: false,
    createdAt: now,
    updatedAt: now,
  };
}

function albumOf(r: Record<string, unknown>): Album {
  return {
    id: String(r.id),
    folderId: r.folder_id == null ? null : String(r.folder_id),
    title: String(r.title),
    description: String(r.description ?? ""),
    coverItemId: r.cover_item_id == null ? null : String(r.cover_item_id),
    skin: r.skin === "story" ? "story" : "grid",
    shareToken: r.share_token == null ? null : String(r.share_token),
    shareGps: Boolean(r.share_gps),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}
