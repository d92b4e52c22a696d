/**
 * The photo catalogue in the user server's database: rows for the timeline (one per photo or
 * video file, kept in step with the item tree by signals), the day counts the timeline is laid out
 * from (kept by triggers, migration 0015), and windows of it. Reads go through the prepared
 * reader: a window is one index range (`photos_timeline`), whatever the library's size.
 */
import { eq, sql } from "drizzle-orm";
import { photos } from "../../shared/db/userserver/schema.ts";
import type { Core } from "../core/mod.ts";
import { TRASH_ID } from "../files/mod.ts";
import type { Item } from "../store/mod.ts";
import { dayOf } from "./exif.ts";
import { type PhotoKind, photoKindOf } from "./media.ts";
import type { Processed } from "./pipeline.ts";

export type PhotoRow = typeof photos.$inferSelect;

/** A tile of the timeline, as the page's script receives it (short keys: a window may be 500 rows). */
export interface Tile {
  /** item id */
  i: string;
  /** the first 12 characters of the content hash (cache key of its thumbnail) */
  h: string;
  /** taken, ms (wall clock as UTC) */
  t: number;
  w: number;
  // height
  ht: number;
  /** placeholder colour */
  c: string;
  /** "v" for a video */
  k?: "v";
}

/** A photos row as the tile queries select it. */
export type TileRow = {
  item_id: string;
  blob_hash: string;
  taken_at: number;
  width: number;
  height: number;
  colour: string;
  kind: string;
};

/** The page script's tile of a row. */
export function tileOf(r: TileRow): Tile {
  return {
    i: r.item_id,
    h: r.blob_hash.slice(0, 12),
    t: r.taken_at,
    w: r.width,
    ht: r.height,
    c: r.colour,
    ...(r.kind === "video" ? { k: "v" as const } : {}),
  };
}

export const WINDOW_MAX = 500;

/** Windows from this offset on start from a remembered chunk start (see `#anchor`). */
const ANCHOR_FROM = 2000;
const ANCHOR_STEP = 200;

export class Catalog {
  #anchors = new Map<number, { version: number; keys: Array<{ taken_at: number; item_id: string }> }>();

  constructor(private readonly core: Core) {}

  /** Every day with photos, newest first: [yyyymmdd, count]. */
  days(): Array<[number, number]> {
    return this.core.reader.all<{ day: number; count: number }>(
      "select day, count from photo_days where count > 0 order by day desc",
    ).map((r) => [r.day, r.count]);
  }

  /** Up to `limit` tiles of one day from `offset`, newest first. */
  window(day: number, offset: number, limit: number): Tile[] {
    const $limit = Math.min(WINDOW_MAX, Math.max(1, limit));
    const $offset = Math.max(0, offset);
    // Deep into a big day, OFFSET would walk the day's index from its first row (≈ 0.2 µs a row:
    // ~15 ms at 70,000): start from the nearest remembered chunk start instead.
    const from = $offset >= ANCHOR_FROM ? this.#anchor(day, $offset) : undefined;
    const rows = this.core.reader.all<TileRow>(
      from
        ? `select item_id, blob_hash, taken_at, width, height, colour, kind from photos
           where trashed = 0 and day = $day and (taken_at, item_id) <= ($t, $id)
           order by taken_at desc, item_id desc limit $limit offset $offset`
        : `select item_id, blob_hash, taken_at, width, height, colour, kind from photos
           where trashed = 0 and day = $day order by taken_at desc, item_id desc limit $limit offset $offset`,
      from
        ? { $day: day, $t: from.t, $id: from.id, $limit, $offset: $offset - from.at }
        : { $day: day, $limit, $offset },
    );
    return rows.map(tileOf);
  }

  /**
   * The row that starts chunk `offset / ANCHOR_STEP` of `day`, from every chunk start of that day
   * read in one pass over its index and kept until the next write to the database.
   */
  #anchor(day: number, offset: number): { t: number; id: string; at: number } | undefined {
    const version = this.core.reader.version();
    let a = this.#anchors.get(day);
    if (!a || a.version !== version) {
      const keys = this.core.reader.all<{ taken_at: number; item_id: string }>(
        `select taken_at, item_id from (select taken_at, item_id,
           row_number() over (order by taken_at desc, item_id desc) as n
           from photos where trashed = 0 and day = $day) where n % ${ANCHOR_STEP} = 1`,
        { $day: day },
      );
      a = { version, keys };
      this.#anchors.delete(day);
      this.#anchors.set(day, a);
      // The few big days a timeline scrolls through; the oldest remembered goes first.
      if (this.#anchors.size > 16) this.#anchors.delete(this.#anchors.keys().next().value!);
    }
    const k = Math.floor(offset / ANCHOR_STEP);
    const key = a.keys[k];
    return key ? { t: key.taken_at, id: key.item_id, at: k * ANCHOR_STEP } : undefined;
  }

  get(itemId: string): PhotoRow | undefined {
    const r = this.core.reader.get<Record<string, unknown>>("select * from photos where item_id = $id", {
      $id: itemId,
    });
    return r ? rowOf(r) : undefined;
  }

  /** The photo before and after `itemId` in the timeline (the viewer's previous and next). */
  neighbours(row: PhotoRow): { newer?: string; older?: string } {
    const args = { $day: row.day, $t: row.takenAt, $id: row.itemId };
    const newer = this.core.reader.get<{ item_id: string }>(
      `select item_id from photos where trashed = 0 and (day, taken_at, item_id) > ($day, $t, $id)
       order by day, taken_at, item_id limit 1`,
      args,
    );
    const older = this.core.reader.get<{ item_id: string }>(
      `select item_id from photos where trashed = 0 and (day, taken_at, item_id) < ($day, $t, $id)
       order by day desc, taken_at desc, item_id desc limit 1`,
      args,
    );
    return { ...(newer ? { newer: newer.item_id } : {}), ...(older ? { older: older.item_id } : {}) };
  }

  /**
   * Rows to make for files the catalogue has not seen (a data directory from before Photos, an
   * import): 500 to a write transaction, the trash's contents read once (a transaction and an
   * ancestry query per photo took 4–6 ms each: 7–10 minutes at 100,000 photos, all before the
   * indexer's first photo).
   */
  async backfill(): Promise<number> {
    const missing = this.core.reader.all<{ id: string; type: string; blob_hash: string; mtime: number }>(
      `select i.id, i.type, i.blob_hash, i.mtime from items i left join photos p on p.item_id = i.id
       where i.kind = 'file' and i.blob_hash is not null and p.item_id is null
       and (i.type like 'image/%' or i.type like 'video/%')`,
    ).filter((r) => photoKindOf(r.type));
    const inTrash = new Set(
      this.core.reader.all<{ id: string }>(
        `with recursive below(id) as (select $trash union all
           select items.id from items join below on items.parent_id = below.id) select id from below`,
        { $trash: TRASH_ID },
      ).map((r) => r.id),
    );
    for (let k = 0; k < missing.length; k += 500) {
      const rows = missing.slice(k, k + 500).map((r) => ({
        itemId: r.id,
        blobHash: r.blob_hash,
        kind: photoKindOf(r.type)!,
        takenAt: wallClock(r.mtime),
        day: dayOf(wallClock(r.mtime)),
        takenFrom: "file" as const,
        trashed: inTrash.has(r.id),
        state: "pending" as const,
      }));
      // A row a signal made meanwhile is newer than this one: keep it.
      await this.core.db.write(() => this.core.db.orm.insert(photos).values(rows).onConflictDoNothing());
    }
    return missing.length;
  }

  /** A new (or changed) photo file: a pending row, timed by the file until its EXIF is read. */
  async add(item: Item): Promise<boolean> {
    const kind = photoKindOf(item.type);
    if (!kind || item.kind !== "file" || !item.blobHash) return false;
    const trashed = await this.inTrash(item.id);
    const row = {
      itemId: item.id,
      blobHash: item.blobHash,
      kind: kind as PhotoKind,
      takenAt: wallClock(item.mtime),
      day: dayOf(wallClock(item.mtime)),
      takenFrom: "file" as const,
      trashed,
      state: "pending" as const,
    };
    await this.core.db.write(() =>
      this.core.db.orm.insert(photos).values(row).onConflictDoUpdate({
        target: photos.itemId,
        set: { blobHash: row.blobHash, kind: row.kind, state: "pending", error: null, trashed },
      })
    );
    return true;
  }

  async remove(itemId: string): Promise<void> {
    await this.core.db.write(() => this.core.db.orm.delete(photos).where(eq(photos.itemId, itemId)));
  }

  /** After a move: whether the item (and, for a folder, every photo below it) is in the trash now. */
  async moved(itemId: string): Promise<void> {
    const trashed = await this.inTrash(itemId);
    await this.core.db.write(() =>
      this.core.db.orm.run(sql`
        with recursive below(id) as (select ${itemId} union all
          select items.id from items join below on items.parent_id = below.id)
        update photos set trashed = ${trashed ? 1 : 0} where item_id in (select id from below)`)
    );
  }

  /** Oldest-first work: what the user added last goes first. */
  pending(limit: number): PhotoRow[] {
    return this.core.reader.all<Record<string, unknown>>(
      "select * from photos where state = 'pending' order by rowid desc limit $limit",
      { $limit: limit },
    ).map(rowOf);
  }

  async done(itemId: string, hash: string, p: Processed): Promise<void> {
    const row = this.get(itemId);
    // The owner's correction stands; otherwise the photo's own time, else the file's.
    const keep = row?.takenFrom === "owner";
    const takenAt = keep ? row!.takenAt : p.takenAt ?? row?.takenAt ?? Date.now();
    await this.core.db.write(() =>
      this.core.db.orm.update(photos).set({
        state: "done",
        error: null,
        width: p.width,
        height: p.height,
        colour: p.colour,
        exif: JSON.stringify(p.facts),
        latitude: p.latitude ?? null,
        longitude: p.longitude ?? null,
        ...(keep
          ? {}
          : { takenAt, day: dayOf(takenAt), takenFrom: p.takenAt === undefined ? "file" : "exif" }),
      }).where(sql`${photos.itemId} = ${itemId} and ${photos.blobHash} = ${hash}`)
    );
  }

  async failed(itemId: string, error: string): Promise<void> {
    await this.core.db.write(() =>
      this.core.db.orm.update(photos).set({ state: "failed", error: error.slice(0, 300) }).where(
        eq(photos.itemId, itemId),
      )
    );
  }

  /** The owner corrects when a photo was taken. */
  async setTaken(itemId: string, takenAt: number): Promise<void> {
    await this.core.db.write(() =>
      this.core.db.orm.update(photos).set({ takenAt, day: dayOf(takenAt), takenFrom: "owner" }).where(
        eq(photos.itemId, itemId),
      )
    );
  }

  counts(): { total: number; pending: number; failed: number } {
    const r = this.core.reader.get<{ total: number; pending: number; failed: number }>(
      `select count(*) as total, coalesce(sum(state = 'pending'), 0) as pending,
       coalesce(sum(state = 'failed'), 0) as failed from photos`,
    );
    return r ?? { total: 0, pending: 0, failed: 0 };
  }

  async inTrash(itemId: string): Promise<boolean> {
    const chain = await this.core.store.items.ancestry(itemId);
    return chain.some((i) => i.id === TRASH_ID);
  }
}

/** A file's time (a real instant) as this server's wall clock, written as if UTC like EXIF times. */
export function wallClock(ms: number): number {
  return ms - new Date(ms).getTimezoneOffset() * 60_000;
}

function rowOf(r: Record<string, unknown>): PhotoRow {
  return {
    itemId: String(r.item_id),
    blobHash: String(r.blob_hash),
    kind: r.kind === "video" ? "video" : "photo",
    takenAt: Number(r.taken_at),
    day: Number(r.day),
    takenFrom: r.taken_from === "exif" ? "exif" : r.taken_from === "owner" ? "owner" : "file",
    width: Number(r.width),
    height: Number(r.height),
    colour: String(r.colour ?? ""),
    exif: String(r.exif ?? "{}"),
    latitude: r.latitude == null ? null : Number(r.latitude),
    longitude: r.longitude == null ? null : Number(r.longitude),
    trashed: Boolean(r.trashed),
    state: r.state === "done" ? "done" : r.state === "failed" ? "failed" : "pending",
    error: r.error == null ? null : String(r.error),
  };
}
