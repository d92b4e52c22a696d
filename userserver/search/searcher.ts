/**
 * The searcher: FTS5 with bm25 ranking (name > path > fields, comments > body), prefix and phrase queries,
 * highlighted snippets, filters, and typo-tolerant name matches from a trigram index. Two bounds
 * keep every query cheap whatever the corpus: a query matching more than `guardMatches` documents
 * is not ranked (bm25 would score every match: 1.5 s for a word in 77% of a million documents) but
 * answered newest-first (FTS5 walks its matches in descending rowid and stops at the page: no
 * sort, no score), and the trigram fallback reads a bounded candidate
 * set, newest first, of names holding nearly all of a word's trigrams. Results are re-checked against the tree (not in the trash) and the caller's visibility. The
 * comments column is read only when the request says so (the owner's searches).
 */
import type { InValue } from "@libsql/client";
import type { UserDb } from "../database/mod.ts";
import { parseQuery, type QueryTerm, trigramSimilarity, typoMatch } from "./query.ts";

export interface SearchRequest {
  q: string;
  limit?: number;
  sort?: "relevance" | "date";
  /** Media-type prefixes (`image/`, `application/pdf`) or `folder`. */
  types?: string[];
  /** Modified within [from, to] (ms since the epoch). */
  from?: number;
  to?: number;
  minSize?: number;
  maxSize?: number;
  /** Only items below this folder. */
  folderId?: string;
  /**
   * Match the text of comments too. Only for the owner: a comment is theirs or a link visitor's
   * words to them, so anyone else's search never reads that column (not even for a snippet).
   */
  comments?: boolean;
  /** Which of these items may the viewer see (the platform's access check); default: all. */
  visible?: (itemIds: string[]) => Promise<Set<string>>;
}

export interface SearchHit {
  itemId: string;
  name: string;
  /** Folder names from the root to the item's folder, `/`-joined ("" for the root). */
  path: string;
  kind: "file" | "folder";
  type: string;
  size: number;
  mtime: number;
  /** HTML: the text around the match, escaped, matches in `<mark>`. */
  snippet: string;
  /** How it was found: the words, or a name within a typo of them. */
  match: "text" | "name-typo";
}

export interface SearchResult {
  hits: SearchHit[];
  /** The query matched too many documents to rank: the newest matches are shown. */
  guarded: boolean;
}

/** An FTS5 column filter: every column but `comments`. */
const NOT_COMMENTS = "{name path body fields}";

/** Names read to find those within a typo (newest first), before their similarity is measured. */
const TYPO_CANDIDATES = 200;

const OPEN = "\uE000";
const CLOSE = "\uE001";

export interface SearcherOptions {
  /** Above this many matches a query is answered newest-first instead of ranked. */
  guardMatches?: number;
}

export class Searcher {
  readonly #guard: number;

  constructor(private readonly db: UserDb, options: SearcherOptions = {}) {
    this.#guard = options.guardMatches ?? 10_000;
  }

  async search(req: SearchRequest): Promise<SearchResult> {
    const limit = Math.min(Math.max(req.limit ?? 20, 1), 200);
    const parsed = parseQuery(req.q);
    if (!parsed.match) return { hits: [], guarded: false };
    const match = req.comments ? parsed.match : `${NOT_COMMENTS} : (${parsed.match})`;
    const guarded = await this.#countAtLeast(match, this.#guard + 1) > this.#guard;
    const { where, args } = filters(req);
    const order = guarded || req.sort === "date"
      ? (guarded ? "f.rowid DESC" : "i.mtime DESC, f.rowid DESC")
      : "f.rank";
    // Order and page first, without snippets: SQLite would build a snippet for every match before
    // sorting them (4 s for a word in half of 200,000 names). Snippets follow for the page only.
    const rows = await this.db.client.execute({
      sql: `SELECT f.rowid AS doc, d.item_id, i.name, i.kind, i.type, i.size, i.mtime
            FROM search_fts f JOIN search_docs d ON d.doc_id = f.rowid JOIN items i ON i.id = d.item_id
            WHERE search_fts MATCH ? ${where}
            ORDER BY ${order} LIMIT ?`,
      args: [match, ...args, limit * 2],
    });
    const docs = rows.rows.map((r) => Number(r.doc));
    const snippets = new Map<number, string>();
    if (docs.length > 0) {
      const snips = await this.db.client.execute({
        // The rowid range keeps FTS5 to the page's part of the matches (a common word's page is its
        // newest rows): with the list alone it walked all of them (40 ms for a word in 190,000 names).
        sql: `SELECT rowid, snippet(search_fts, -1, '${OPEN}', '${CLOSE}', '…', 14) AS snip FROM search_fts
              WHERE search_fts MATCH ? AND rowid >= ? AND rowid <= ?
                AND +rowid IN (${docs.map(() => "?").join(",")})`,
        args: [match, Math.min(...docs), Math.max(...docs), ...docs],
      });
      for (const r of snips.rows) snippets.set(Number(r.rowid), String(r.snip ?? ""));
    }
    const found: Candidate[] = rows.rows.map((r) => ({
      itemId: String(r.item_id),
      name: String(r.name),
      kind: r.kind === "folder" ? "folder" : "file",
      type: String(r.type),
      size: Number(r.size),
      mtime: Number(r.mtime),
      snippet: highlight(snippets.get(Number(r.doc)) ?? ""),
      match: "text",
    }));
    if (found.length < limit) found.push(...await this.#typos(parsed.terms, req, found, limit));
    const hits = await this.#place(found, req);
    return { hits: hits.slice(0, limit), guarded };
  }

  /** min(n, number of documents matching `match`), reading at most n of them. */
  async #countAtLeast(match: string, n: number): Promise<number> {
    const r = await this.db.client.execute({
      sql: `SELECT count(*) AS n FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH ? LIMIT ?)`,
      args: [match, n],
    });
    return Number(r.rows[0]!.n);
  }

  /**
   * Names within a typo of the query: every word of 4 or more letters must be close (trigram
   * similarity ≥ 0.4) to a word of the name. Candidates come from the trigram index: the newest
   * names holding nearly all of each word's trigrams (`typoMatch`), a bounded read with no ranking.
   */
  async #typos(
    terms: QueryTerm[],
    req: SearchRequest,
    already: Candidate[],
    limit: number,
  ): Promise<Candidate[]> {
    const words = terms.filter((t) => !t.negated && t.words.length === 1 && [...t.words[0]!].length >= 4)
      .map((t) => t.words[0]!);
    if (words.length === 0 || words.length > 3) return [];
    const { where, args } = filters(req);
    const rows = await this.db.client.execute({
      sql: `SELECT d.item_id, i.name, i.kind, i.type, i.size, i.mtime
            FROM search_names n JOIN search_docs d ON d.doc_id = n.rowid JOIN items i ON i.id = d.item_id
            WHERE search_names MATCH ? ${where} ORDER BY n.rowid DESC LIMIT ${TYPO_CANDIDATES}`,
      args: [typoMatch(words), ...args],
    });
    const seen = new Set(already.map((c) => c.itemId));
    const out: Candidate[] = [];
    for (const r of rows.rows) {
      const itemId = String(r.item_id);
      if (seen.has(itemId)) continue;
      const name = String(r.name);
      const nameWords = name.toLowerCase().match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
      const closeness = words.map((w) => Math.max(0, ...nameWords.map((n) => trigramSimilarity(w, n))));
      if (Math.min(...closeness) < 0.4) continue;
      out.push({
        itemId,
        name,
        kind: r.kind === "folder" ? "folder" : "file",
        type: String(r.type),
        size: Number(r.size),
        mtime: Number(r.mtime),
        snippet: "",
        match: "name-typo",
        similarity: closeness.reduce((a, b) => a + b, 0) / closeness.length,
      });
    }
    return out.sort((a, b) => (b.similarity ?? 0) - (a.similarity ?? 0)).slice(0, limit);
  }

  /** Drops what is in the trash or not visible, and fills in each hit's folder path. */
  async #place(found: Candidate[], req: SearchRequest): Promise<SearchHit[]> {
    if (found.length === 0) return [];
    const ids = found.map((c) => c.itemId);
    const chains = await this.db.client.execute({
      sql: `WITH RECURSIVE up(start, id, parent, name, depth) AS (
              SELECT id, id, parent_id, name, 0 FROM items WHERE id IN (${ids.map(() => "?").join(",")})
              UNION ALL
              SELECT up.start, p.id, p.parent_id, p.name, up.depth + 1 FROM up JOIN items p ON p.id = up.parent
              WHERE up.depth < 4096)
            SELECT start, id, name, depth FROM up ORDER BY start, depth DESC`,
      args: ids,
    });
    const byStart = new Map<string, Array<{ id: string; name: string }>>();
    for (const r of chains.rows) {
      const start = String(r.start);
      const list = byStart.get(start) ?? [];
      list.push({ id: String(r.id), name: String(r.name) });
      byStart.set(start, list);
    }
    const placed = found.filter((c) => byStart.get(c.itemId)?.[0]?.id === "root");
    const visible = req.visible ? await req.visible(placed.map((c) => c.itemId)) : undefined;
    return placed.filter((c) => !visible || visible.has(c.itemId)).map(({ similarity: _, ...c }) => ({
      ...c,
      path: byStart.get(c.itemId)!.slice(1, -1).map((a) => a.name).join("/"),
    }));
  }
}

type Candidate = Omit<SearchHit, "path"> & { similarity?: number };

function filters(req: SearchRequest): { where: string; args: InValue[] } {
  const parts: string[] = [];
  const args: InValue[] = [];
  if (req.types?.length) {
    parts.push(
      `(${
        req.types.map(() => "(i.type LIKE ? ESCAPE '\\' OR (? = 'folder' AND i.kind = 'folder'))").join(
          " OR ",
        )
      })`,
    );
    for (const t of req.types) args.push(`${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, t);
  }
  if (req.from !== undefined) parts.push("i.mtime >= ?"), args.push(req.from);
  if (req.to !== undefined) parts.push("i.mtime <= ?"), args.push(req.to);
  if (req.minSize !== undefined) parts.push("i.size >= ?"), args.push(req.minSize);
  if (req.maxSize !== undefined) parts.push("i.size <= ?"), args.push(req.maxSize);
  if (req.folderId) {
    parts.push(`i.id IN (WITH RECURSIVE below(id) AS (SELECT ? UNION ALL
      SELECT c.id FROM items c JOIN below b ON c.parent_id = b.id) SELECT id FROM below)`);
    args.push(req.folderId);
  }
  return { where: parts.map((p) => `AND ${p}`).join(" "), args };
}

/** Escapes the snippet as HTML, then turns the match markers into `<mark>`. */
export function highlight(snippet: string): string {
  return snippet.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
    .replaceAll(OPEN, "<mark>").replaceAll(CLOSE, "</mark>");
}
