/** The trash (restore, delete for good, empty), and the recent and favorites pages. */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { requireAccess, type ShellApp, type ShellEnv } from "../plugins/mod.ts";
import { ROOT_ID } from "../store/mod.ts";
import type { FilesDeps } from "./_deps.ts";
import { act, inTrash, page, redirectWith, requireItem, takeNotice } from "./_http.tsx";
import { TRASH_ID } from "./ops.ts";
import { ItemsPage, TrashPage } from "./views.tsx";

export function trashRoutes({ core: ctx, ops }: FilesDeps): ShellApp {
  const app = new Hono<ShellEnv>();
  app.get("/trash", async (c) => {
    requireItem(ctx, c, TRASH_ID, "read");
    return page(
      c,
      "Trash",
      <TrashPage entries={await ops.trashed()} {...takeNotice(c)} />,
    );
  });
  app.post("/trash/:id/restore", (c) => {
    const item = requireItem(ctx, c, c.req.param("id"), "write");
    return act(c, "/trash", async () => {
      const back = await ops.restore(item.id);
      return `Restored “${back.name}”`;
    });
  });
  app.post("/trash/:id/delete", async (c) => {
    const granted = requireAccess(ctx, c, c.req.param("id"), "write");
    const item = granted.item;
    if (!inTrash(granted)) {
      throw new HTTPException(400, { message: "Only items in the trash can be deleted for good" });
    }
    await ops.emptyTrash([item.id]);
    return redirectWith(c, "/trash", { ok: "Deleted for good" });
  });
  app.post("/trash/empty", async (c) => {
    requireItem(ctx, c, TRASH_ID, "write");
    const n = await ops.emptyTrash();
    return redirectWith(c, "/trash", { ok: `Deleted ${n} ${n === 1 ? "item" : "items"} for good` });
  });
  app.get("/recent", async (c) => {
    requireItem(ctx, c, ROOT_ID, "read");
    const list = await ops.recent();
    const at = new Map(list.map((i) => [i.id, i.at]));
    return page(
      c,
      "Recent",
      <ItemsPage
        title="Recent"
        current="/recent"
        list={list}
        empty="Files you open, upload or edit show up here."
        when={(i) => at.get(i.id) ?? i.mtime}
      />,
    );
  });
  app.get("/favorites", async (c) => {
    requireItem(ctx, c, ROOT_ID, "read");
    return page(
      c,
      "Favorites",
      <ItemsPage
        title="Favorites"
        current="/favorites"
        list={await ops.favorites()}
        empty="Star files and folders to find them here."
      />,
    );
  });
  return app;
}
