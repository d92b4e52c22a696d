/**
 * The file manager's SQL, in one place, on the prepared-statement reader (`database/reader.ts`).
 *
 * A folder page: folders first, then files, each kind read through its index on
 * (parent, kind, sort key) from a cursor — keyset pagination, no OFFSET: a page costs its own
 * rows wherever it lies in the folder. Ties on the sort key are broken by the name (unique in a
 * folder), case-insensitively first. A bare page number (a typed or old link, no cursor) seeks
 * its first row through the index once, then reads the page the same way. Counts per folder and
 * filter are cached until the database changes (`Reader.version`).
 */
import type { Reader } from "../database/mod.ts";
import type { Item } from "../store/mod.ts";
import {
  type Cursor,
  decodeCursor,
  likePattern,
  type ListPage,
  type ListQuery,
  type SortKey,
} from "./listing.ts";

type Kind = "folder" | "file";
type Row = Omit<Item, "aclSet"> & { aclSet: number };

const COLUMNS = "id, parent_id as parentId, name, kind, type, size, mtime, blob_hash as blobHash, " +
  "acl_set as aclSet, created_at as createdAt";
const SORT_COLUMN: Record<Exclude<SortKey, "name">, string> = { size: "size", mtime: "mtime", type: "type" };
/**
 * The index each order reads (`shared/db/userserver/schema.ts`), named so the planner cannot pick
 * another one and sort the whole folder (without statistics it may pick any index on the parent).
 */
const INDEX: Partial<Record<SortKey, string>> = {
  name: "indexed by items_parent_kind_name",
  size: "indexed by items_parent_kind_size",
  mtime: "indexed by items_parent_kind_mtime",
};
/** Counts kept for folders seen since the last write (a bound, not a tuning knob). */
const MAX_CACHED_COUNTS = 1000;

const toItem = (r: Row): Item => ({ ...r, aclSet: r.aclSet === 1 });

/** The order a kind is listed in: folders have no size or type of their own, so they keep name order then. */
function orderFor(kind: Kind, q: ListQuery): { sort: SortKey; dir: "asc" | "desc" } {
  return kind === "folder" && (q.sort === "size" || q.sort === "type") ? { sort: "name", dir: "asc" } : q;
}

/**
 * What macOS leaves on WebDAV mounts (AppleDouble `._*` files, `.DS_Store`): kept in the store and
 * served over WebDAV, never listed in Browse.
 */
const NOT_OS_CLUTTER = `and not (name like '.\\_%' escape '\\' or name = '.DS_Store')`;

/**
 * One statement per (kind's order, direction, filter, cursor) shape; the reader prepares each
 * once. `towards` "after" reads in listing order from the cursor, "before" backwards from it.
 */
function pageSql(sort: SortKey, asc: boolean, filtered: boolean, cursor: boolean): string {
  const op = asc ? ">" : "<";
  const dir = asc ? "asc" : "desc";
  const col = sort === "name" ? undefined : SORT_COLUMN[sort];
  const byName = `name collate nocase ${op} $name or (name collate nocase = $name and name ${op} $name)`;
  const seek = !cursor
    ? ""
    : col
    ? `and ${col} ${op}= $value and (${col} ${op} $value or ${byName})`
    : `and name collate nocase ${op}= $name and (${byName})`;
  return `select ${COLUMNS} from items ${INDEX[sort] ?? ""} where parent_id = $parent and kind = $kind
    ${NOT_OS_CLUTTER} ${filtered ? "and name like $like escape '\\'" : ""} ${seek}
    order by ${col ? `${col} ${dir}, ` : ""}name collate nocase ${dir}, name ${dir} limit $limit`;
}

/** The row at a position of one kind's order (key columns only: the index answers it). */
function positionSql(sort: SortKey, asc: boolean, filtered: boolean): string {
  const dir = asc ? "asc" : "desc";
  const col = sort === "name" ? undefined : SORT_COLUMN[sort];
  return `select kind, ${col ?? "null"} as value, name from items ${INDEX[sort] ?? ""}
    where parent_id = $parent and kind = $kind ${NOT_OS_CLUTTER}
    ${filtered ? "and name like $like escape '\\'" : ""}
    order by ${col ? `${col} ${dir}, ` : ""}name collate nocase ${dir}, name ${dir} limit 1 offset $at`;
}

const COUNT_SQL =
  `select kind, count(*) as n from items where parent_id = $parent ${NOT_OS_CLUTTER} group by kind`;
const COUNT_FILTERED_SQL = `select kind, count(*) as n from items where parent_id = $parent ${NOT_OS_CLUTTER}
  and name like $like escape '\\' group by kind`;

export class FolderQueries {
  #counts = new Map<string, { folders: number; files: number }>();
  #version = -1;

  constructor(private readonly db: Reader) {}

  /** One page of `parentId` for `query`, with the counts. */
  list(parentId: string, query: ListQuery): ListPage {
    const { folders, files } = this.counts(parentId, query.q);
    const total = folders + files;
    const pages = Math.max(1, Math.ceil(total / query.per));
    const page = Math.min(query.page, pages);
    const after = decodeCursor(query.after);
    const before = decodeCursor(query.before);
    let rows: Item[];
    if (after || before) {
      rows = after ? this.#forward(parentId, query, after) : this.#backward(parentId, query, before!);
    } else {
      const at = (page - 1) * query.per;
      rows = this.#forward(
        parentId,
        query,
        at === 0 ? undefined : this.#rowAt(parentId, query, at - 1, folders),
      );
    }
    return { items: rows, folders, files, total, page, pages, query: { ...query, page } };
  }

  /** Folders and files in `parentId` whose name contains `q` (all when empty); cached until anything is written. */
  counts(parentId: string, q: string): { folders: number; files: number } {
    const version = this.db.version();
    if (version !== this.#version || this.#counts.size > MAX_CACHED_COUNTS) {
      this.#counts.clear();
      this.#version = version;
    }
    const key = `${parentId}\u0000${q}`;
    let hit = this.#counts.get(key);
    if (!hit) {
      const rows = q
        ? this.db.all<{ kind: Kind; n: number }>(COUNT_FILTERED_SQL, {
          $parent: parentId,
          $like: likePattern(q),
        })
        : this.db.all<{ kind: Kind; n: number }>(COUNT_SQL, { $parent: parentId });
      hit = {
        folders: rows.find((r) => r.kind === "folder")?.n ?? 0,
        files: rows.find((r) => r.kind === "file")?.n ?? 0,
      };
      this.#counts.set(key, hit);
    }
    return hit;
  }

  /** Which of `ids` are starred (one statement whatever their number: the ids travel as one JSON array). */
  favoriteIds(ids: string[]): Set<string> {
    if (ids.length === 0) return new Set();
    const rows = this.db.all<{ id: string }>(
      "select item_id as id from file_favorites where item_id in (select value from json_each($ids))",
      { $ids: JSON.stringify(ids) },
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * The ids of everything a folder's listing holds (with its filter): "select all N items" acts on
   * every page at once, not only the one on screen. At most `limit`.
   */
  allIds(parentId: string, filter: string, limit = 10_000): string[] {
    const args: Record<string, string | number> = { $parent: parentId, $limit: limit };
    if (filter) args.$like = likePattern(filter);
    return this.db.all<{ id: string }>(
      `select id from items where parent_id = $parent ${NOT_OS_CLUTTER}
        ${filter ? "and name like $like escape '\\'" : ""} limit $limit`,
      args,
    ).map((r) => r.id);
  }

  /** Every folder below `rootId` with its parent and name (the Move/Copy tree), by name. */
  folderNodes(rootId: string, limit = 5000): Array<{ id: string; parentId: string; name: string }> {
    return this.db.all(
      `with recursive t(id, parent_id, name, depth) as (
        select id, parent_id, name, 0 from items where parent_id = $root and kind = 'folder'
        union all
        select i.id, i.parent_id, i.name, t.depth + 1 from items i join t on i.parent_id = t.id
        where i.kind = 'folder' and t.depth < 64
      ) select id, parent_id as parentId, name from t order by name collate nocase limit $limit`,
      { $root: rootId, $limit: limit },
    );
  }

  /** Up to `per` rows after `from` (or from the start), folders then files. */
  #forward(parentId: string, q: ListQuery, from: Cursor | undefined): Item[] {
    const out = from?.kind === "file" ? [] : this.#read(parentId, q, "folder", from, true, q.per);
    if (out.length < q.per) {
      out.push(
        ...this.#read(
          parentId,
          q,
          "file",
          from?.kind === "file" ? from : undefined,
          true,
          q.per - out.length,
        ),
      );
    }
    return out;
  }

  /** Up to `per` rows before `to`, files then folders read backwards, returned in listing order. */
  #backward(parentId: string, q: ListQuery, to: Cursor): Item[] {
    const out = to.kind === "folder" ? [] : this.#read(parentId, q, "file", to, false, q.per);
    if (out.length < q.per) {
      out.push(
        ...this.#read(
          parentId,
          q,
          "folder",
          to.kind === "folder" ? to : undefined,
          false,
          q.per - out.length,
        ),
      );
    }
    return out.reverse();
  }

  #read(
    parentId: string,
    q: ListQuery,
    kind: Kind,
    from: Cursor | undefined,
    forward: boolean,
    limit: number,
  ) {
    const { sort, dir } = orderFor(kind, q);
    const sql = pageSql(sort, (dir === "asc") === forward, q.q !== "", from !== undefined);
    const args: Record<string, string | number | null> = { $parent: parentId, $kind: kind, $limit: limit };
    if (q.q) args.$like = likePattern(q.q);
    if (from) {
      args.$name = from.name;
      if (sort !== "name") args.$value = from.value;
    }
    return this.db.all<Row>(sql, args).map(toItem);
  }

  /** The row at position `at` of the whole listing (folders first), as a cursor. */
  #rowAt(parentId: string, q: ListQuery, at: number, folders: number): Cursor | undefined {
    const kind: Kind = at < folders ? "folder" : "file";
    const { sort, dir } = orderFor(kind, q);
    const args: Record<string, string | number> = {
      $parent: parentId,
      $kind: kind,
      $at: kind === "folder" ? at : at - folders,
    };
    if (q.q) args.$like = likePattern(q.q);
    const row = this.db.get<{ kind: Kind; value: string | number | null; name: string }>(
      positionSql(sort, dir === "asc", q.q !== ""),
      args,
    );
    return row && { kind: row.kind, value: row.value, name: row.name };
  }
}
