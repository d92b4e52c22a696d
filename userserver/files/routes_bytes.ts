/** Bytes: downloads and inline previews with ranges, thumbnails, folders as streamed zips. */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { requireAccess, type ShellApp, type ShellEnv } from "../plugins/mod.ts";
import { ROOT_ID } from "../store/mod.ts";
import type { FilesDeps } from "./_deps.ts";
import { inTrash, isOwner, requireItem } from "./_http.tsx";
import { fileResponse } from "./file_response.ts";
import { canThumbnail } from "./thumbs.ts";
import { zipStream } from "./zip.ts";
import { zipHeaders, zipTree } from "./zip_tree.ts";

export function bytesRoutes({ core: ctx, ops, thumbs, typeOf }: FilesDeps): ShellApp {
  const app = new Hono<ShellEnv>();
  app.get("/files/:id", (c) => {
    const item = requireItem(ctx, c, c.req.param("id"), "read");
    if (item.kind !== "file" || !item.blobHash) throw new HTTPException(404, { message: "Not a file" });
    const download = c.req.query("download") === "1";
    if (download) void ops.touchRecent(item.id);
    return fileResponse(item, {
      download,
      blobPath: ctx.store.blobs.pathOf(item.blobHash),
      ifNoneMatch: c.req.header("if-none-match"),
      range: c.req.header("range"),
      ifRange: c.req.header("if-range"),
    });
  });

  app.get("/files/:id/thumb", async (c) => {
    const item = requireItem(ctx, c, c.req.param("id"), "read");
    const made = typeOf(item).thumbnail;
    if (item.kind !== "file" || !item.blobHash || !(made || canThumbnail(item.type))) {
      throw new HTTPException(404, { message: "No thumbnail" });
    }
    const blob = ctx.store.blobs.pathOf(item.blobHash);
    const bytes = made
      ? await made(item, blob)
      : await thumbs.get(item.blobHash, blob, "visible").then((p) => p && Bun.file(p));
    if (!bytes) throw new HTTPException(404, { message: "No thumbnail" });
    return new Response(bytes, {
      headers: {
        "content-type": "image/webp",
        // Keyed by content (the URL carries the hash), so it never goes stale.
        "cache-control": "private, max-age=31536000, immutable",
        "x-content-type-options": "nosniff",
      },
    });
  });

  app.get("/browse/:id/zip", (c) => {
    const granted = requireAccess(ctx, c, c.req.param("id"), "read");
    const folder = granted.item;
    if (folder.kind !== "folder" || inTrash(granted)) {
      throw new HTTPException(404, { message: "Not a folder" });
    }
    const viewer = c.get("viewer");
    const owner = isOwner(c);
    const name = folder.id === ROOT_ID ? "Home" : folder.name;
    const entries = (async function* () {
      const children = await ctx.store.items.children(folder.id);
      yield* zipTree(
        ctx.store,
        children,
        `${name}/`,
        (item) => owner || ctx.permissions.can(viewer, item.id, "read"),
      );
    })();
    return new Response(zipStream(entries), { headers: zipHeaders(name) });
  });
  return app;
}
