/** The trash (restore, delete for good, empty), and the recent and favorites pages. */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { requireAccess, type ShellApp, type ShellEnv } from "../plugins/mod.ts";
import { type Item, ROOT_ID } from "../store/mod.ts";
import { thumbnailable } from "./thumbs.ts";
import type { FilesDeps } from "./_deps.ts";
import { act, inTrash, page, redirectWith, requireItem, takeNotice } from "./_http.tsx";
import { TRASH_ID } from "./ops.ts";
import { ItemsPage, TrashPage } from "./views.tsx";

export function trashRoutes({ core: ctx, ops, queries, typeOf }: FilesDeps): ShellApp {
  const app = new Hono<ShellEnv>();
  /** What Recent's and Favorites' rows show beside each item, as a folder's page does. */
  const rowsFor = async (list: Item[]) => ({
    typeOf,
    sizes: await ops.folderSizes(list.filter((i) => i.kind === "folder").map((i) => i.id)),
    favorites: queries.favoriteIds(list.map((i) => i.id)),
    canThumb: thumbnailable(typeOf),
  });
  app.get("/trash", async (c) => {
    requireItem(ctx, c, TRASH_ID, "read");
    // Where each item came from: its old folder's path, unless that folder is gone (or trashed) too.
    const entries = await Promise.all((await ops.trashed()).map(async (e) => {
      const chain = await ctx.store.items.ancestry(e.originalParentId);
      const alive = chain[0]?.id === ROOT_ID; // root first; a trashed folder's chain ends at the trash
      const from = alive
        ? { id: e.originalParentId, path: chain.slice(1).map((i) => i.name).join(" / ") }
        : undefined;
      return { ...e, from };
    }));
    return page(c, "Trash", <TrashPage entries={entries} {...takeNotice(c)} />);
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
        rows={await rowsFor(list)}
        back="/recent"
        {...takeNotice(c)}
      />,
    );
  });
  app.get("/favorites", async (c) => {
    requireItem(ctx, c, ROOT_ID, "read");
    const list = await ops.favorites();
    return page(
      c,
      "Favorites",
      <ItemsPage
        title="Favorites"
        current="/favorites"
        list={list}
        empty="Star files and folders to find them here."
        rows={await rowsFor(list)}
        back="/favorites"
        {...takeNotice(c)}
      />,
    );
  });
  return app;
}
