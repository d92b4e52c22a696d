/**
 * The Search plugin: the results page (`/search`, htmx: results replace themselves as you type,
 * the URL follows the query), and the index's state in Settings (live while it works). Results are
 * checked against the viewer: a friend or link guest finds only what they may read.
 */
import { Hono } from "hono";
import { raw } from "hono/html";
import type { Core } from "../core/mod.ts";
import type { Plugin, ShellEnv } from "../plugins/mod.ts";
import { formatBytes, formatTime } from "../web/format.ts";
import { Icon } from "../web/icons.tsx";
import { isFragmentRequest, render } from "../web/render.tsx";
import type { IndexerProgress, SearchHit } from "./mod.ts";
import { suggestRoute } from "./suggest.tsx";
import { viewerScope } from "./scope.ts";

const TYPES: Array<{ id: string; label: string; prefixes: string[] }> = [
  { id: "", label: "Everything", prefixes: [] },
  { id: "documents", label: "Documents", prefixes: ["application/pdf", "application/vnd.", "text/"] },
  { id: "images", label: "Photos and images", prefixes: ["image/"] },
  { id: "audio", label: "Music and audio", prefixes: ["audio/"] },
  { id: "video", label: "Video", prefixes: ["video/"] },
  { id: "folders", label: "Folders", prefixes: ["folder"] },
];

export interface SearchPluginOptions {
  /**
   * A route that answers the same words from elsewhere (friends: `/search/friends`), asked by the
   * results once they are shown, so it never delays them.
   */
  alsoFrom?: string;
}

export function searchPlugin(opts: SearchPluginOptions = {}): Plugin {
  return {
    id: "search",
    // No tab: the search box sits in every page's header (web/layout.tsx).
    app: (core) => searchApp(core, opts),
    settings: {
      id: "search",
      title: "Search index",
      render: async (core) => <IndexState progress={await core.search.progress()} />,
    },
  };
}

function searchApp(core: Core, opts: SearchPluginOptions) {
  const app = new Hono<ShellEnv>();
  app.route("/", suggestRoute(core));
  app.get("/search", async (c) => {
    const q = (c.req.query("q") ?? "").slice(0, 500);
    const type = TYPES.find((t) => t.id === c.req.query("type")) ?? TYPES[0]!;
    const sort = c.req.query("sort") === "date" ? "date" : "relevance";
    const result = q.trim()
      ? await core.search.search({ q, types: type.prefixes, sort, limit: 50, ...viewerScope(core, c) })
      : undefined;
    const results = (
      <Results
        q={q}
        hits={result?.hits}
        guarded={result?.guarded ?? false}
        alsoFrom={c.var.viewer.kind === "owner" ? opts.alsoFrom : undefined}
      />
    );
    if (c.req.header("HX-Request") === "true") {
      // The address follows the words (replaced, not pushed: one history entry per search).
      const params = new URLSearchParams({ q });
      if (type.id) params.set("type", type.id);
      if (sort !== "relevance") params.set("sort", sort);
      c.header("HX-Replace-Url", `/search?${params}`);
    }
    if (isFragmentRequest(c)) {
      c.header("Vary", "HX-Request, HX-Request-Type");
      c.header("Cache-Control", "no-store");
      return c.html(results);
    }
    return render(c, c.var.shell, {
      title: q ? `“${q}” — Search` : "Search",
      body: (
        <section class="search-page" aria-labelledby="search-title">
          <style>{raw(SEARCH_CSS)}</style>
          <h1 id="search-title">Search</h1>
          <form
            role="search"
            action="/search"
            method="get"
            hx-get="/search"
            hx-trigger="input delay:250ms, change, submit"
            hx-target="#search-results"
            hx-swap="outerHTML"
          >
            <label class="visually-hidden" for="search-q">Search your files</label>
            <input
              id="search-q"
              type="search"
              name="q"
              value={q}
              placeholder="Search names, text, photos’ camera, music tags…"
              autocomplete="off"
              autofocus
            />
            <label>
              <span class="visually-hidden">Kind</span>
              <select name="type">
                {TYPES.map((t) => (
                  <option key={t.id} value={t.id} selected={t.id === type.id}>{t.label}</option>
                ))}
              </select>
            </label>
            <label>
              <span class="visually-hidden">Order</span>
              <select name="sort">
                <option value="relevance" selected={sort === "relevance"}>Best match</option>
                <option value="date" selected={sort === "date"}>Newest</option>
              </select>
            </label>
            <button type="submit">Search</button>
          </form>
          {results}
        </section>
      ),
    });
  });
  app.get("/search/index-state", async (c) => {
    c.header("Cache-Control", "no-store");
    return c.html(<IndexState progress={await core.search.progress()} />);
  });
  return app;
}

function Results(
  { q, hits, guarded, alsoFrom }: {
    q: string;
    hits: SearchHit[] | undefined;
    guarded: boolean;
    alsoFrom?: string;
  },
) {
  return (
    <div id="search-results" aria-live="polite">
      {hits === undefined
        ? <p class="muted">Type to search the names, text and tags of everything on this server.</p>
        : hits.length === 0
        ? (
          <p class="muted">
            {alsoFrom ? `Nothing matches “${q}” on your server.` : `Nothing matches “${q}”.`}
          </p>
        )
        : (
          <>
            <p class="muted">
              {hits.length === 50
                ? "The first 50 results"
                : `${hits.length} result${hits.length === 1 ? "" : "s"}`}
              {guarded ? " — a very common word: the newest matches are shown; add a word to narrow it" : ""}
            </p>
            <ol class="search-hits">
              {hits.map((h) => (
                <li>
                  <a href={`/browse/${encodeURIComponent(h.itemId)}`}>
                    <Icon
                      name={h.kind === "folder" ? "folder" : h.type.startsWith("image/") ? "image" : "file"}
                    />
                    <span class="hit-name">{h.name}</span>
                  </a>
                  <span class="hit-meta">
                    {h.path ? `Home/${h.path}` : "Home"}
                    {h.kind === "file" ? ` · ${formatBytes(h.size)}` : ""} · {formatTime(h.mtime)}
                    {h.match === "name-typo" ? " · similar name" : ""}
                  </span>
                  {/* Escaped by the searcher; only <mark> is markup. */}
                  {h.snippet ? <p class="hit-snippet">{raw(h.snippet)}</p> : null}
                </li>
              ))}
            </ol>
          </>
        )}
      {alsoFrom && q.trim()
        ? (
          // Asked once these results are on screen; replaced by what comes back.
          <div
            id="search-friends"
            hx-get={`${alsoFrom}?${new URLSearchParams({ q })}`}
            hx-trigger="load"
            hx-swap="outerHTML"
          >
          </div>
        )
        : ""}
    </div>
  );
}

function IndexState({ progress }: { progress: IndexerProgress }) {
  const busy = progress.queued > 0;
  return (
    <div
      id="search-index-state"
      hx-get={busy ? "/search/index-state" : undefined}
      hx-trigger={busy ? "every 2s" : undefined}
      hx-swap="outerHTML"
    >
      <p>
        {progress.indexed.toLocaleString("en")} items searchable
        {progress.failed ? `, ${progress.failed.toLocaleString("en")} could not be read` : ""}.
      </p>
      {busy
        ? (
          <p role="status">
            Indexing: {progress.queued.toLocaleString("en")} to go
            {progress.rate ? ` at ${progress.rate} files/s` : ""}
            {progress.etaSeconds !== undefined ? `, about ${eta(progress.etaSeconds)} left` : ""}.
          </p>
        )
        : <p class="muted">Up to date.</p>}
    </div>
  );
}

function eta(s: number): string {
  return s < 90 ? `${s} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

const SEARCH_CSS = `
.search-page form { display: flex; flex-wrap: wrap; gap: .5rem; margin: 1rem 0; }
.search-page input[type=search] { flex: 1 1 18rem; min-width: 0; padding: .6rem .8rem; font: inherit;
  border: 1px solid var(--border); border-radius: .6rem; background: var(--surface, transparent); color: inherit; }
.search-page select, .search-page button { padding: .5rem .7rem; font: inherit; border-radius: .6rem;
  border: 1px solid var(--border); background: transparent; color: inherit; }
.search-hits { list-style: none; padding: 0; margin: 0; }
.search-hits li { padding: .7rem .2rem; border-bottom: 1px solid var(--border); }
.search-hits a { display: inline-flex; gap: .5rem; align-items: center; font-weight: 600; text-decoration: none; color: inherit; }
.search-hits a:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.hit-meta { display: block; color: var(--muted); font-size: .85rem; margin-top: .15rem; }
.hit-snippet { margin: .3rem 0 0; font-size: .92rem; overflow-wrap: anywhere; }
.hit-snippet mark { background: color-mix(in srgb, var(--accent) 30%, transparent); color: inherit; border-radius: .2rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
