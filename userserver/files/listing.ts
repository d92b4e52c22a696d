/**
 * A folder listing request: sort, direction, filter, page size, view, and where the page starts.
 * `parseListQuery` turns untrusted query strings into a valid request (unknown values fall back
 * to the defaults; it never throws); `listQueryString` writes one back for links. Pages reached
 * by a link carry a cursor (`after` = the last row of the page before, `before` = the first row
 * of the page after), so the database seeks to them through an index (keyset pagination, see
 * `queries.ts`); `page` is the number shown.
 */
import { base64url } from "jose";
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
  /** The page starts after this row (a cursor from `cursorOf`). */
  after?: string;
  /** The page ends before this row. */
  before?: string;
}

/** Where a page starts or ends: a row's kind, its sort value (none when sorted by name) and its name. */
export interface Cursor {
  kind: "folder" | "file";
  value: string | number | null;
  name: string;
}

const MAX_CURSOR = 1200;

export function encodeCursor(c: Cursor): string {
  return base64url.encode(JSON.stringify([c.kind === "folder" ? 0 : 1, c.value, c.name]));
}

/** The cursor in a query string, or undefined for anything that is not one (never throws). */
export function decodeCursor(s: string | undefined): Cursor | undefined {
  if (!s || s.length > MAX_CURSOR) return undefined;
  try {
    const v: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(base64url.decode(s)));
    if (!Array.isArray(v) || v.length !== 3 || (v[0] !== 0 && v[0] !== 1) || typeof v[2] !== "string") {
      return undefined;
    }
    const value = v[1];
    if (value !== null && typeof value !== "string" && !Number.isSafeInteger(value)) return undefined;
    return { kind: v[0] === 0 ? "folder" : "file", value, name: v[2] };
  } catch {
    return undefined;
  }
}

/** The cursor of `item` in a listing sorted by `sort` (folders keep name order unless sorted by name or date). */
export function cursorOf(item: Item, sort: SortKey): string {
  const key = item.kind === "folder" && (sort === "size" || sort === "type") ? "name" : sort;
  return encodeCursor({ kind: item.kind, value: key === "name" ? null : item[key], name: item.name });
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
  const out: ListQuery = { sort, dir, q, page, per, view };
  // Only cursors that decode are kept (a damaged link falls back to the page number).
  if (decodeCursor(input.after)) out.after = input.after;
  else if (decodeCursor(input.before)) out.before = input.before;
  return out;
}

/** The query string for a listing (defaults left out), for links that keep the current view. */
export function listQueryString(q: ListQuery, change: Partial<ListQuery> = {}): string {
  const v = { ...q, ...change };
  // A link to another page (or another sort, filter, size) carries only the cursor it was given.
  if ("page" in change) [v.after, v.before] = [change.after, change.before];
  const p = new URLSearchParams();
  if (v.sort !== "name") p.set("sort", v.sort);
  if (v.dir !== (v.sort === "name" ? "asc" : "desc")) p.set("dir", v.dir);
  if (v.q) p.set("q", v.q);
  if (v.page !== 1) p.set("page", String(v.page));
  if (v.per !== DEFAULT_PER) p.set("per", String(v.per));
  if (v.view !== "list") p.set("view", v.view);
  if (v.after) p.set("after", v.after);
  else if (v.before) p.set("before", v.before);
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** `LIKE` pattern for a substring, with `%`, `_` and `\` escaped. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}
