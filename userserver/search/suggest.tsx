/**
 * The header's search-as-you-type: `/search/suggest?q=` answers the header box's list of the best
 * few matches (suggest_list.tsx), as the viewer may see them.
 */
import { Hono } from "hono";
import type { Core } from "../core/mod.ts";
import type { ShellEnv } from "../plugins/mod.ts";
import { SUGGESTIONS, SuggestList } from "./suggest_list.tsx";
import { viewerScope } from "./scope.ts";

export function suggestRoute(core: Core): Hono<ShellEnv> {
  const app = new Hono<ShellEnv>();
  app.get("/search/suggest", async (c) => {
    const q = (c.req.query("q") ?? "").slice(0, 500);
    c.header("Cache-Control", "no-store");
    c.header("Vary", "HX-Request");
    if (!q.trim()) return c.html(<SuggestList />);
    const { hits } = await core.search.search({ q, limit: SUGGESTIONS, ...viewerScope(core, c) });
    return c.html(<SuggestList q={q} hits={hits} />);
  });
  return app;
}
