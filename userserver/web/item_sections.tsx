/** What other plugins add below a file's preview: its comments, then its recent activity. */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ActivityModule } from "../activity/mod.ts";
import type { CommentsModule } from "../comments/mod.ts";
import type { ShellEnv } from "../plugins/mod.ts";
import type { Item } from "../store/mod.ts";

export function itemSections(comments: CommentsModule, activity: ActivityModule) {
  return async (c: Context<ShellEnv>, item: Item): Promise<Child> => (
    <>
      {c.get("shell").listener === "local" && item.kind === "file"
        ? (
          <section class="card" aria-labelledby="local-open-title">
            <h2 id="local-open-title">On this computer</h2>
            {c.req.query("opened")
              ? <p class="notice" role="status">Opened with the default application.</p>
              : ""}
            <form method="post" action={`/local/open-with/${item.id}`} hx-boost="false">
              <button type="submit" class="secondary">Open with the default application</button>
            </form>
            <p class="muted small">A copy opens: saving in that application does not change the file here.</p>
          </section>
        )
        : ""}
      {await comments.thread(c, c.get("viewer"), item, `/comments/${item.id}`, `/browse/${item.id}`)}
      <section class="card" aria-labelledby="act-title">
        <h2 id="act-title">Activity</h2>
        {await activity.section(c, item.id)}
        <p>
          <a href={`/activity?item=${item.id}`}>All of its activity</a>
        </p>
      </section>
    </>
  );
}
