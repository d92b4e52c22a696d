/**
 * One page of a folder, sorted and filtered by the database: folders first, then files, each
 * read through an index on (parent, kind, sort key), so a folder of 10,000+ items costs one
 * page of rows, not the whole folder. `parseListQuery` turns untrusted query strings into a
 * valid listing request (unknown values fall back to the defaults; it never throws).
 */
import { and, asc, desc, eq, type SQL, sql } from "drizzle-orm";
import { items } from "../../shared/db/userserver/schema.ts";
import type { UserDb } from "../database/mod.ts";
import type { Item } from "../store/mod.ts";

export const SORTS = ["name", "size", "mtime", "type"] as const;
export type SortKey = typeof SORTS[number];
export const PAGE_SIZES = [50, 100, 200, 500] as const;
/** One screenful or two: the page renders in a few ms, and the count says how many there are. */
export const DEFAULT_PER = 100;
export const MAX_FILTER = 200;

export interface ListQuery {
  sort: SortKey;
  dir: "asc" | "desc";
  /** Case-insensitive substring of the name ("" = everything). */
  q: string;
  /** 1-based. */
  page: number;
  per: number;
  view: "list" | "icons";
}

export interface ListPage {
  items: Item[];
  folders: number;
  files: number;
  total: number;
  page: number;
  pages: number;
  query: ListQuery;
}

export function parseListQuery(input: Record<string, string | undefined>): ListQuery {
  const sort = (SORTS as readonly string[]).includes(input.sort ?? "") ? input.sort as SortKey : "name";
  const dir = input.dir === "desc" ? "desc" : input.dir === "asc" ? "asc" : sort === "name" ? "asc" : "desc";
  // deno-lint-ignore no-control-regex
  const q = (input.q ?? "").replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, MAX_FILTER);
  const pageNum = Number(input.page);
  const page = Number.isSafeInteger(pageNum) && pageNum >= 1 && pageNum <= 1e7 ? pageNum : 1;
  const perNum = Number(input.per);
  const per = (PAGE_SIZES as readonly number[]).includes(perNum) ? perNum : DEFAULT_PER;
  const view = input.view === "icons" ? "icons" : "list";
  return { sort, dir, q, page, per, view };
}

/** The query string for a listing (defaults left out), for links that keep the current view. */
export function listQueryString(q: ListQuery, change: Partial<ListQuery> = {}): string {
  const v = { ...q, ...change };
  const p = new URLSearchParams();
  if (v.sort !== "name") p.set("sort", v.sort);
  if (v.dir !== (v.sort === "name" ? "asc" : "desc")) p.set("dir", v.dir);
  if (v.q) p.set("q", v.q);
  if (v.page !== 1) p.set("page", String(v.page));
  if (v.per !== DEFAULT_PER) p.set("per", String(v.per));
  if (v.view !== "list") p.set("view", v.view);
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** `LIKE` pattern for a substring, with `%`, `_` and `\` escaped. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}

export async function listFolder(db: UserDb, parentId: string, query: ListQuery): Promise<ListPage> {
  const filter = query.q ? sql`${items.name} like ${likePattern(query.q)} escape '\\'` : undefined;
  const counts = await db.orm.select({ kind: items.kind, n: sql<number>`count(*)` }).from(items)
    .where(and(eq(items.parentId, parentId), filter)).groupBy(items.kind).all();
  const folders = Number(counts.find((c) => c.kind === "folder")?.n ?? 0);
  const files = Number(counts.find((c) => c.kind === "file")?.n ?? 0);
  const total = folders + files;
  const pages = Math.max(1, Math.ceil(total / query.per));
  const page = Math.min(query.page, pages);
  const offset = (page - 1) * query.per;
  const out: Item[] = [];
  const slice = async (kind: "folder" | "file", off: number, limit: number) => {
    if (limit <= 0) return;
    const rows = await db.orm.select().from(items)
      .where(and(eq(items.parentId, parentId), eq(items.kind, kind), filter))
      .orderBy(...(kind === "file" ? orderOf(query.sort, query.dir) : folderOrder(query)))
      .limit(limit).offset(off).all();
    out.push(...rows);
  };
  if (offset < folders) await slice("folder", offset, Math.min(query.per, folders - offset));
  const fileOffset = Math.max(0, offset - folders);
  await slice("file", fileOffset, query.per - out.length);
  return { items: out, folders, files, total, page, pages, query: { ...query, page } };
}

/** Folders have no size or type of their own to sort by: they keep name order then. */
function folderOrder(q: ListQuery): SQL[] {
  return q.sort === "name" || q.sort === "mtime" ? orderOf(q.sort, q.dir) : orderOf("name", "asc");
}

function orderOf(sort: SortKey, dir: "asc" | "desc"): SQL[] {
  const d = dir === "asc" ? asc : desc;
  const byName = sql`${items.name} collate nocase ${sql.raw(dir)}`;
  switch (sort) {
    case "name":
      return [byName, d(items.name)];
    case "size":
      return [d(items.size), byName, d(items.name)];
    case "mtime":
      return [d(items.mtime), byName, d(items.name)];
    case "type":
      return [d(items.type), byName, d(items.name)];
  }
}
