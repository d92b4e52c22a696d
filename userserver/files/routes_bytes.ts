/** Bytes: downloads and inline previews with ranges, thumbnails, folders as streamed zips. */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { requireAccess, type ShellApp, type ShellEnv } from "../plugins/mod.ts";
import { ROOT_ID } from "../store/mod.ts";
import type { FilesDeps } from "./_deps.ts";
import { inTrash, isOwner, requireItem } from "./_http.tsx";
import { parseRange } from "./range.ts";
import { canThumbnail } from "./thumbs.ts";
import { type ZipEntry, zipStream } from "./zip.ts";

export function bytesRoutes({ core: ctx, ops, thumbs, typeOf }: FilesDeps): ShellApp {
  const app = new Hono<ShellEnv>();
  app.get("/files/:id", (c) => {
    const item = requireItem(ctx, c, c.req.param("id"), "read");
    if (item.kind !== "file" || !item.blobHash) throw new HTTPException(404, { message: "Not a file" });
    const etag = `"${item.blobHash}"`;
    const download = c.req.query("download") === "1";
    const headers: Record<string, string> = {
      "content-type": item.type,
      "accept-ranges": "bytes",
      etag,
      "content-disposition": `${download ? "attachment" : "inline"}; filename*=UTF-8''${
        encodeURIComponent(item.name)
      }`,
      "x-content-type-options": "nosniff",
      "cache-control": "private, max-age=0, must-revalidate",
    };
    // A PDF needs the browser's viewer, which a sandboxed document cannot run; nothing else does.
    headers["content-security-policy"] = item.type === "application/pdf"
      ? "frame-ancestors 'self'" // the file viewer frames it (shared/web/headers.ts forbids framing otherwise)
      : "sandbox";
    if (c.req.header("if-none-match") === etag) return new Response(null, { status: 304, headers });
    if (download) void ops.touchRecent(item.id);
    const file = Bun.file(ctx.store.blobs.pathOf(item.blobHash));
    const ifRange = c.req.header("if-range");
    const range = ifRange && ifRange !== etag
      ? { kind: "full" as const }
      : parseRange(c.req.header("range"), item.size);
    if (range.kind === "unsatisfiable") {
      return new Response(null, {
        status: 416,
        headers: { ...headers, "content-range": `bytes */${item.size}` },
      });
    }
    if (range.kind === "partial") {
      return new Response(file.slice(range.start, range.end + 1), {
        status: 206,
        headers: {
          ...headers,
          "content-length": String(range.end - range.start + 1),
          "content-range": `bytes ${range.start}-${range.end}/${item.size}`,
        },
      });
    }
    return new Response(file, { headers: { ...headers, "content-length": String(item.size) } });
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
    async function* entries(): AsyncGenerator<ZipEntry> {
      const walk = async function* (id: string, prefix: string): AsyncGenerator<ZipEntry> {
        for (const child of await ctx.store.items.children(id)) {
          if (!owner && !(await ctx.permissions.can(viewer, child.id, "read"))) continue;
          const path = `${prefix}${child.name}`;
          if (child.kind === "folder") {
            yield { path: `${path}/`, mtime: child.mtime, size: 0 };
            yield* walk(child.id, `${path}/`);
          } else if (child.blobHash) {
            const blob = ctx.store.blobs.pathOf(child.blobHash);
            yield { path, mtime: child.mtime, size: child.size, open: () => Bun.file(blob).stream() };
          }
        }
      };
      yield* walk(folder.id, `${name}/`);
    }
    return new Response(zipStream(entries()), {
      headers: {
        "content-type": "application/zip",
        "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(name)}.zip`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  });
  return app;
}
