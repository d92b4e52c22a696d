/** Actions on items: new folder, rename, trash, move, copy, star, form uploads; the folder picker. */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { ShellApp, ShellEnv } from "../plugins/mod.ts";
import { ROOT_ID, splitItemPath } from "../store/mod.ts";
import type { FilesDeps } from "./_deps.ts";
import { act, form, idsOf, redirectWith, requireItem, safeBack } from "./_http.tsx";
import { FileOpError } from "./ops.ts";
import { FolderPicker } from "./views.tsx";
import { formatBytes } from "../web/format.ts";
import { zipStream } from "./zip.ts";
import { zipHeaders, zipTree } from "./zip_tree.ts";

const MAX_FORM_UPLOAD = 1024 ** 3;

export function actionRoutes({ core: ctx, ops, queries, editDir }: FilesDeps): ShellApp {
  const app = new Hono<ShellEnv>();
  /**
   * The items an action is for: the ticked rows, or — after "Select all N items" — everything the
   * folder's listing holds (`all` = the folder, `allq` = its filter), every page at once.
   */
  const selected = (c: Parameters<typeof requireItem>[1], f: Record<string, unknown>): string[] => {
    if (typeof f.all === "string" && f.all) {
      const folder = requireItem(ctx, c, f.all, "read");
      const ids = queries.allIds(folder.id, typeof f.allq === "string" ? f.allq : "");
      if (ids.length === 0) throw new FileOpError("That folder is empty");
      return ids;
    }
    return idsOf(f);
  };
  app.post("/browse/:id/mkdir", async (c) => {
    const folder = requireItem(ctx, c, c.req.param("id"), "write");
    const f = await form(c);
    const back = folder.id === ROOT_ID ? "/browse" : `/browse/${folder.id}`;
    return act(c, back, async () => {
      const made = await ops.mkdir(folder.id, String(f.name ?? ""));
      return `Folder “${made.name}” created`;
    });
  });

  app.post("/browse/:id/rename", async (c) => {
    const item = requireItem(ctx, c, c.req.param("id"), "write");
    const f = await form(c);
    const parentBack = item.parentId === ROOT_ID ? "/browse" : `/browse/${item.parentId}`;
    const back = safeBack(f.back, item.kind === "file" ? `/browse/${item.id}` : parentBack);
    return act(c, back, async () => {
      const renamed = await ops.rename(item.id, String(f.name ?? ""));
      return renamed.name === item.name ? undefined : `Renamed to “${renamed.name}”`;
    });
  });

  app.post("/files/trash", async (c) => {
    const f = await form(c);
    const back = safeBack(f.back, "/browse");
    return act(c, back, async () => {
      const ids = selected(c, f);
      for (const id of ids) requireItem(ctx, c, id, "write");
      const n = await ops.trash(ids);
      return `${n} ${n === 1 ? "item" : "items"} moved to the trash`;
    });
  });

  for (const action of ["move", "copy"] as const) {
    app.post(`/files/${action}`, async (c) => {
      const f = await form(c);
      const back = safeBack(f.back, "/browse");
      const target = requireItem(ctx, c, String(f.target ?? ""), "write");
      return act(c, back, async () => {
        const ids = selected(c, f);
        const chosen = ids.map((id) => requireItem(ctx, c, id, action === "move" ? "write" : "read"));
        const where = target.id === ROOT_ID ? "Home" : target.name;
        // Not "0 items moved": say why (from the browse helper's branch, browse15).
        if (action === "move" && chosen.length > 0 && chosen.every((i) => i.parentId === target.id)) {
          throw new FileOpError(`Already in ${where}: choose another folder`);
        }
        const done = action === "move" ? await ops.move(ids, target.id) : await ops.copy(ids, target.id);
        return `${done.length} ${done.length === 1 ? "item" : "items"} ${
          action === "move" ? "moved" : "copied"
        } to ${where}`;
      });
    });
  }

  app.get("/files-ui/picker", async (c) => {
    const action = c.req.query("action") === "copy" ? "copy" : "move";
    const all = c.req.query("all");
    const ids = all
      ? queries.allIds(requireItem(ctx, c, all, "read").id, c.req.query("allq") ?? "")
      : c.req.queries("ids") ?? [];
    const back = safeBack(c.req.query("back"), "/browse");
    // Where the items are now (not a target for a move), and the folders being moved (never a
    // target, nor anything inside them: their subtrees are left out).
    const chosen = (await Promise.all(ids.map((id) => ctx.store.items.get(id)))).filter((i) =>
      i !== undefined
    );
    const here = new Set(chosen.map((i) => i.parentId ?? ""));
    const moving = new Set(chosen.filter((i) => i.kind === "folder").map((i) => i.id));
    return c.html(
      <FolderPicker
        nodes={queries.folderNodes(ROOT_ID).filter((n) => !moving.has(n.id))}
        here={action === "move" ? here : new Set()}
        action={action}
        ids={ids}
        all={all ? { folder: all, q: c.req.query("allq") ?? "" } : undefined}
        back={back}
      />,
    );
  });

  // The ticked items (or all of a folder's) as one streamed zip, each folder with what is below it.
  app.post("/files/zip", async (c) => {
    const f = await form(c);
    let ids: string[];
    try {
      ids = selected(c, f);
    } catch (e) {
      if (e instanceof FileOpError) return redirectWith(c, safeBack(f.back, "/browse"), { error: e.message });
      throw e;
    }
    const items = ids.map((id) => requireItem(ctx, c, id, "read"));
    const from = typeof f.from === "string" && f.from ? await ctx.store.items.get(f.from) : undefined;
    const name = from && from.id !== ROOT_ID ? from.name : "Selection";
    return new Response(zipStream(zipTree(ctx.store, items, "")), { headers: zipHeaders(name) });
  });

  // The "… stored" figure, fresh (the Places bar asks again after uploads and other changes).
  app.get("/files-ui/usage", async (c) => {
    requireItem(ctx, c, ROOT_ID, "read");
    c.header("cache-control", "no-store");
    return c.text(`${formatBytes((await ops.usage()).bytes)} stored`);
  });

  app.post("/files/favorite", async (c) => {
    const f = await form(c);
    const back = safeBack(f.back, "/favorites");
    return act(c, back, async () => {
      const ids = selected(c, f);
      const on = String(f.on ?? "1") !== "0";
      for (const id of ids) {
        requireItem(ctx, c, id, "read");
        await ops.setFavorite(id, on);
      }
      return on ? `Starred ${ids.length}` : "Star removed";
    });
  });

  app.post("/browse/:id/upload", async (c) => {
    const folder = requireItem(ctx, c, c.req.param("id"), "write");
    if (folder.kind !== "folder") throw new HTTPException(400, { message: "Uploads go into a folder" });
    const back = folder.id === ROOT_ID ? "/browse" : `/browse/${folder.id}`;
    // The no-JavaScript fallback buffers the form; large files go through tus (the Upload button).
    if (Number(c.req.header("content-length") ?? 0) > MAX_FORM_UPLOAD) {
      return redirectWith(c, back, { error: "Files over 1 GB need JavaScript (resumable upload)" });
    }
    const f = await form(c);
    const files = ([] as unknown[]).concat(f.files ?? []).filter((x): x is File => x instanceof File);
    return act(c, back, async () => {
      if (files.length === 0) throw new FileOpError("Choose one or more files to upload");
      for (const file of files) {
        const tmp = join(editDir, `${randomToken(12)}.part`);
        try {
          await Bun.write(tmp, file);
          const name = await ops.freeName(folder.id, splitItemPath(file.name).at(-1)!, "");
          const r = await ctx.store.importFile(folder.id, name, tmp, {
            mtime: file.lastModified || Date.now(),
          });
          await ops.touchRecent(r.item.id);
        } finally {
          rmSync(tmp, { force: true });
        }
      }
      return `Uploaded ${files.length} ${files.length === 1 ? "file" : "files"}`;
    });
  });
  return app;
}
