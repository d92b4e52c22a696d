/** Resumable uploads (tus) at `/upload/tus`: each one checked for write access to its folder. */
import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { requireAccess, type ShellApp, type ShellEnv } from "../plugins/mod.ts";
import type { FilesDeps } from "./_deps.ts";
import { inTrash, requireItem, userMessage } from "./_http.tsx";
import { parseUploadMetadata, UPLOAD_PATH } from "./uploads.ts";
import { folderParts } from "./upload_paths.ts";
import { z } from "zod";
import { jsonBody } from "../../shared/web/json_body.ts";

export function tusRoutes({ core: ctx, uploads }: FilesDeps): ShellApp {
  const app = new Hono<ShellEnv>();
  const tus = async (c: Context<ShellEnv>) => {
    const method = c.req.method;
    if (method === "POST") {
      let meta: Record<string, string>;
      try {
        meta = parseUploadMetadata(c.req.header("upload-metadata"));
      } catch (e) {
        return c.text(userMessage(e) ?? "Bad Upload-Metadata", 400);
      }
      const parent = requireAccess(ctx, c, meta.parent ?? "", "write");
      if (parent.item.kind !== "folder" || inTrash(parent)) {
        return c.text("Uploads go into a folder", 400);
      }
      // A file-drop visitor sees nothing of the folder, so never replaces what is in it.
      if (c.get("viewer").kind !== "owner" && meta.onClash === "replace") {
        return c.text("Only the owner can replace files", 403);
      }
    } else if (c.req.param("id")) {
      const meta = await uploads.metadata(c.req.param("id")!);
      if (meta?.parent) requireItem(ctx, c, meta.parent, "write");
    }
    const res = await uploads.handle(c.req.raw);
    const viewer = c.get("viewer");
    if (viewer.kind === "linkGuest" && (method === "POST" || method === "PATCH") && res.ok) {
      // A visitor's file dropped through a link: counted and shown in activity once it is stored.
      const id = c.req.param("id") ?? res.headers.get("location")?.split("/").at(-1);
      const done = id ? uploads.finished(id) : undefined;
      if (done && !reported.has(id!)) {
        reported.add(id!);
        if (reported.size > 10_000) reported.delete(reported.values().next().value!);
        void ctx.signals.emit("link.uploaded", {
          linkId: viewer.linkId,
          label: viewer.label,
          itemId: viewer.rootId,
          name: done.item.name,
          fileId: done.item.id,
        });
      }
    }
    return res;
  };
  /** Uploads already reported as dropped through a link (a retried last PATCH is answered twice). */
  const reported = new Set<string>();
  app.all(UPLOAD_PATH, tus);
  app.all(`${UPLOAD_PATH}/:id`, tus);
  // Unfinished uploads into a folder: resumed by choosing the same file again, or discarded
  // with a tus DELETE of their URL.
  app.get("/upload/unfinished/:parent", async (c) => {
    const parent = requireItem(ctx, c, c.req.param("parent"), "write");
    c.header("cache-control", "no-store");
    return c.json({ uploads: await uploads.unfinished(parent.id) });
  });
  // Before a batch is sent: which of its files already exist where they would go (by name).
  app.post(
    "/upload/clashes",
    jsonBody(z.object({ parent: z.string(), paths: z.array(z.string().max(4096)).max(10_000) }).strict()),
    async (c) => {
      const { parent, paths } = c.req.valid("json");
      const folder = requireItem(ctx, c, parent, "write");
      const clashes: string[] = [];
      for (const path of paths) {
        const parts = path.split("/");
        let at: string | undefined = folder.id;
        for (const part of parts.slice(0, -1)) at = at && (await ctx.store.items.childByName(at, part))?.id;
        const there = at ? await ctx.store.items.childByName(at, parts.at(-1)!) : undefined;
        if (there?.kind === "file") clashes.push(path);
      }
      return c.json({ clashes });
    },
  );
  // A folder upload's empty folders (the files' folders are made as they finish).
  app.post(
    "/upload/folders",
    jsonBody(z.object({ parent: z.string(), path: z.string().max(4096) }).strict()),
    async (c) => {
      const { parent, path } = c.req.valid("json");
      let at = requireItem(ctx, c, parent, "write").id;
      try {
        for (const part of folderParts(path)) at = (await ctx.store.createFolder(at, part)).id;
      } catch (e) {
        return c.json({ error: userMessage(e) ?? "Cannot make that folder" }, 400);
      }
      return c.json({ id: at }, 201);
    },
  );
  app.get("/upload/tus-status/:id", (c) => {
    const done = uploads.finished(c.req.param("id"));
    if (!done) throw new HTTPException(404, { message: "Unknown upload" });
    return c.json({
      id: done.item.id,
      name: done.item.name,
      hash: done.item.blobHash,
      size: done.item.size,
    });
  });
  return app;
}
