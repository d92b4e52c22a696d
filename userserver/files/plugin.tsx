/**
 * The file manager: the Browse tab, through the plugin interface (it replaces the plain Browse
 * plugin). Routes: folders and previews under `/browse`, bytes under `/files/:id` (ranges,
 * thumbnails), actions (`/files/trash|move|copy|favorite`, `/browse/:id/mkdir|rename|edit|upload`),
 * streamed folder zips, resumable tus uploads at `/upload/tus`, and the trash, recent and
 * favorites pages. Every action asks `requireAccess` first.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import { HTTPException } from "hono/http-exception";
import { sql } from "drizzle-orm";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { Core } from "../core/mod.ts";
import type { Access } from "../permissions/mod.ts";
import { type ItemType, type Plugin, requireAccess, type ShellApp, type ShellEnv } from "../plugins/mod.ts";
import {
  type Item,
  ItemConflictError,
  ItemNameError,
  mediaTypeOf,
  ROOT_ID,
  splitItemPath,
} from "../store/mod.ts";
import { render } from "../web/render.tsx";
import { listFolder, listQueryString, parseListQuery } from "./listing.ts";
import { FileOpError, FileOps, TRASH_ID } from "./ops.ts";
import { parseRange } from "./range.ts";
import { canThumbnail, Thumbnailer } from "./thumbs.ts";
import { parseUploadMetadata, UPLOAD_PATH, UploadMetadataError, Uploads } from "./uploads.ts";
import {
  Assets,
  EditPage,
  folderHref,
  FolderPage,
  FolderPicker,
  ItemsPage,
  Listing,
  type PreviewKind,
  PreviewPage,
  TrashPage,
} from "./views.tsx";
import { type ZipEntry, zipStream } from "./zip.ts";

/** Text files up to this size are shown with line numbers and can be edited. */
export const MAX_TEXT_PREVIEW = 2 * 1024 * 1024;
const MAX_FORM_UPLOAD = 1024 ** 3;
const TEXT_TYPES = new Set([
  "application/json",
  "application/javascript",
  "application/xml",
  "application/x-yaml",
  "application/yaml",
  "application/toml",
  "application/x-sh",
  "application/sql",
  "image/svg+xml",
]);
const CODE_EXT =
  /\.(ts|tsx|js|jsx|mjs|cjs|json|md|markdown|txt|csv|tsv|log|ini|conf|cfg|toml|ya?ml|xml|html?|css|scss|sh|bash|zsh|py|rb|go|rs|java|kt|c|h|cc|cpp|hpp|cs|swift|php|pl|lua|sql|env|gitignore|dockerfile|makefile)$/i;

export interface FilesPluginOptions {
  dataDir: string;
  /** The item types every plugin registered (icons, previews, thumbnails). */
  typeOf(item: Item): ItemType;
  /** Thumbnails generated at once (each with one libvips thread). */
  thumbConcurrency?: number;
}

export function previewKind(item: Item): PreviewKind {
  const t = item.type;
  if (CODE_EXT.test(item.name) || t.startsWith("text/") || TEXT_TYPES.has(t)) return "text";
  if (t.startsWith("image/")) return "image";
  if (t === "application/pdf") return "pdf";
  if (t.startsWith("video/")) return "video";
  if (t.startsWith("audio/")) return "audio";
  return "none";
}

/** Errors a user can fix: shown as a sentence, never logged as a server failure. */
function userMessage(e: unknown): string | undefined {
  if (
    e instanceof ItemNameError || e instanceof ItemConflictError || e instanceof FileOpError ||
    e instanceof UploadMetadataError
  ) return e.message;
  return undefined;
}

/** A same-origin path to go back to (never an absolute URL: no open redirect). */
function safeBack(v: unknown, fallback: string): string {
  const s = typeof v === "string" ? v : "";
  return /^\/(?![/\\])[^\s]*$/.test(s) ? s : fallback;
}

function withParam(url: string, key: string, value: string): string {
  return `${url}${url.includes("?") ? "&" : "?"}${key}=${encodeURIComponent(value)}`;
}

export function filesPlugin(core: Core, opts: FilesPluginOptions): Plugin {
  const ops = new FileOps(core.db, core.store, core.signals);
  const thumbs = new Thumbnailer(
    opts.dataDir,
    core.log.child({ module: "thumbs" }),
    opts.thumbConcurrency ?? 2,
  );
  const editDir = join(opts.dataDir, "uploads", "edits");
  /** Upload finishes one at a time, so two uploads of one name get two names. */
  let finishing: Promise<unknown> = Promise.resolve();
  const uploads = new Uploads({
    dataDir: opts.dataDir,
    store: core.store,
    log: core.log.child({ module: "uploads" }),
    finish: (u) => {
      const run = finishing.then(async () => {
        const name = await ops.freeName(u.parentId, u.name, "");
        // The finished upload is moved into the store (same filesystem), not copied.
        const r = await core.store.adoptFile(u.parentId, name, u.path, {
          mtime: u.mtime,
          type: mediaTypeOf(name),
        });
        await ops.touchRecent(r.item.id);
        return { item: r.item, deduped: r.deduped };
      });
      finishing = run.catch(() => {});
      return run;
    },
  });

  return {
    id: "browse",
    nav: [{ label: "Browse", path: "/browse", order: 10 }],
    // A paired device acts for the owner; every item route still asks the access check.
    viewers: { "/": ["device"] },
    async start() {
      await ops.start();
      mkdirSync(editDir, { recursive: true, mode: 0o700 });
      await uploads.start();
    },
    subscribe(signals, ctx) {
      // Background thumbnails for new images (low priority: anything on screen goes first).
      return [
        signals.on("item.created", () => ops.forgetUsage()),
        signals.on("item.deleted", () => ops.forgetUsage()),
        signals.on("item.created", async (p) => {
          if (p.kind !== "file") return;
          const item = await ctx.store.items.get(p.id);
          if (item?.blobHash && canThumbnail(item.type)) {
            thumbs.prefetch(item.blobHash, ctx.store.blobs.pathOf(item.blobHash));
          }
        }),
      ];
    },
    stop() {
      thumbs.stop();
    },
    app: (ctx) => filesApp(ctx, { ops, thumbs, uploads, editDir, typeOf: opts.typeOf }),
  };
}

interface FilesParts {
  ops: FileOps;
  thumbs: Thumbnailer;
  uploads: Uploads;
  editDir: string;
  typeOf(item: Item): ItemType;
}

function filesApp(ctx: Core, { ops, thumbs, uploads, editDir, typeOf }: FilesParts): ShellApp {
  const app = new Hono<ShellEnv>();
  const page = (c: Context<ShellEnv>, title: string, body: Child) =>
    render(c, c.var.shell, {
      title,
      body: (
        <>
          <Assets />
          {body}
        </>
      ),
    });

  const isOwner = (c: Context<ShellEnv>) => c.get("viewer").kind === "owner";
  const requireItem = async (c: Context<ShellEnv>, id: string, access: Access) =>
    (await requireAccess(ctx, c, id, access)).item;

  const folderData = async (c: Context<ShellEnv>, folder: Item) => {
    const query = parseListQuery(c.req.query());
    const listing = await listFolder(ctx.db, folder.id, query);
    if (!isOwner(c)) {
      const visible = [];
      for (const item of listing.items) {
        if (await ctx.permissions.can(c.get("viewer"), item.id, "read")) visible.push(item);
      }
      listing.items = visible;
    }
    const ids = listing.items.map((i) => i.id);
    const [chain, sizes, favorites, usage] = await Promise.all([
      ctx.store.items.ancestry(folder.id),
      ops.folderSizes(listing.items.filter((i) => i.kind === "folder").map((i) => i.id)),
      ops.favoriteIds(ids),
      ops.usage(),
    ]);
    return {
      chain,
      listing,
      sizes,
      favorites,
      usage,
      typeOf,
      canThumb: (i: Item) => canThumbnail(i.type),
      error: c.req.query("error")?.slice(0, 500),
      ok: c.req.query("ok")?.slice(0, 500),
    };
  };

  const show = async (c: Context<ShellEnv>, id: string) => {
    const item = await requireItem(c, id, "read");
    if (await ops.isTrashed(id)) throw new HTTPException(404, { message: "This item is in the trash" });
    if (item.kind === "folder") {
      const data = await folderData(c, item);
      return page(c, item.id === ROOT_ID ? "Browse" : item.name, <FolderPage {...data} />);
    }
    const chain = await ctx.store.items.ancestry(id);
    let kind = previewKind(item);
    let text: string | undefined;
    let truncated = false;
    if (kind === "text" && item.blobHash) {
      const file = Bun.file(ctx.store.blobs.pathOf(item.blobHash));
      truncated = item.size > MAX_TEXT_PREVIEW;
      const bytes = new Uint8Array(await file.slice(0, MAX_TEXT_PREVIEW).arrayBuffer());
      try {
        text = new TextDecoder("utf-8", { fatal: !truncated }).decode(bytes);
      } catch {
        kind = item.type.startsWith("image/") ? "image" : "none";
      }
    }
    await ops.touchRecent(item.id);
    const favorite = (await ops.favoriteIds([item.id])).has(item.id);
    return page(
      c,
      item.name,
      <PreviewPage
        chain={chain}
        item={item}
        kind={kind}
        text={text}
        truncated={truncated}
        favorite={favorite}
        error={c.req.query("error")?.slice(0, 500)}
      />,
    );
  };

  app.get("/browse", (c) => show(c, ROOT_ID));
  app.get("/browse/:id", (c) => show(c, c.req.param("id")));
  app.get("/browse/:id/listing", async (c) => {
    const folder = await requireItem(c, c.req.param("id"), "read");
    if (folder.kind !== "folder" || (await ops.isTrashed(folder.id))) {
      throw new HTTPException(404, { message: "Not a folder" });
    }
    c.header("cache-control", "no-store");
    const data = await folderData(c, folder);
    // htmx (the filter form) shows the folder's own address for what is listed.
    c.header("HX-Replace-Url", folderHref(folder.id) + listQueryString(data.listing.query));
    return c.html(<Listing {...data} />);
  });

  // ----- bytes: download, inline preview with ranges, thumbnails, zip -----
  app.get("/files/:id", async (c) => {
    const item = await requireItem(c, c.req.param("id"), "read");
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
    const item = await requireItem(c, c.req.param("id"), "read");
    if (item.kind !== "file" || !item.blobHash || !canThumbnail(item.type)) {
      throw new HTTPException(404, { message: "No thumbnail" });
    }
    const path = await thumbs.get(item.blobHash, ctx.store.blobs.pathOf(item.blobHash), "visible");
    if (!path) throw new HTTPException(404, { message: "No thumbnail" });
    return new Response(Bun.file(path), {
      headers: {
        "content-type": "image/webp",
        // Keyed by content (the URL carries the hash), so it never goes stale.
        "cache-control": "private, max-age=31536000, immutable",
        "x-content-type-options": "nosniff",
      },
    });
  });

  app.get("/browse/:id/zip", async (c) => {
    const folder = await requireItem(c, c.req.param("id"), "read");
    if (folder.kind !== "folder" || (await ops.isTrashed(folder.id))) {
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

  // ----- actions -----
  /** Runs `fn`; a user error goes back to `back` with the message, anything else is a 500. */
  const act = async (c: Context<ShellEnv>, back: string, fn: () => Promise<string | void>) => {
    try {
      const ok = await fn();
      return c.redirect(ok ? withParam(back, "ok", ok) : back, 303);
    } catch (e) {
      const msg = userMessage(e);
      if (msg === undefined) throw e;
      return c.redirect(withParam(back, "error", msg), 303);
    }
  };
  const idsOf = (form: Record<string, unknown>): string[] => {
    const v = form["ids"] ?? form["ids[]"];
    const list = (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
    if (list.length === 0) throw new FileOpError("Select at least one item first");
    if (list.length > 10_000) {
      throw new FileOpError(`${list.length} items at once is too many (at most 10000)`);
    }
    return list;
  };
  const form = async (c: Context<ShellEnv>) => await c.req.parseBody({ all: true });

  app.post("/browse/:id/mkdir", async (c) => {
    const folder = await requireItem(c, c.req.param("id"), "write");
    const f = await form(c);
    const back = folder.id === ROOT_ID ? "/browse" : `/browse/${folder.id}`;
    return act(c, back, async () => {
      const made = await ops.mkdir(folder.id, String(f.name ?? ""));
      return `Folder “${made.name}” created`;
    });
  });

  app.post("/browse/:id/rename", async (c) => {
    const item = await requireItem(c, c.req.param("id"), "write");
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
      const ids = idsOf(f);
      for (const id of ids) await requireItem(c, id, "write");
      const n = await ops.trash(ids);
      return `${n} ${n === 1 ? "item" : "items"} moved to the trash`;
    });
  });

  for (const action of ["move", "copy"] as const) {
    app.post(`/files/${action}`, async (c) => {
      const f = await form(c);
      const back = safeBack(f.back, "/browse");
      const target = await requireItem(c, String(f.target ?? ""), "write");
      return act(c, back, async () => {
        const ids = idsOf(f);
        for (const id of ids) await requireItem(c, id, action === "move" ? "write" : "read");
        const done = action === "move" ? await ops.move(ids, target.id) : await ops.copy(ids, target.id);
        const where = target.id === ROOT_ID ? "Home" : target.name;
        return `${done.length} ${done.length === 1 ? "item" : "items"} ${
          action === "move" ? "moved" : "copied"
        } to ${where}`;
      });
    });
  }

  app.get("/files-ui/picker", async (c) => {
    const action = c.req.query("action") === "copy" ? "copy" : "move";
    const ids = c.req.queries("ids") ?? [];
    const back = safeBack(c.req.query("back"), "/browse");
    const rows = await ctx.db.orm.all<{ id: string; path: string }>(sql`
        with recursive t(id, path, depth) as (
          select id, '', 0 from items where id = ${ROOT_ID}
          union all
          select i.id, t.path || '/' || i.name, t.depth + 1 from items i join t on i.parent_id = t.id
          where i.kind = 'folder' and t.depth < 64
        ) select id, path from t order by path collate nocase limit 2000`);
    const excluded = new Set(ids);
    const folders = rows.filter((r) => !excluded.has(r.id)).map((r) => ({
      id: r.id,
      path: `Home${r.path}`,
    }));
    return c.html(<FolderPicker folders={folders} action={action} ids={ids} back={back} />);
  });

  app.post("/files/favorite", async (c) => {
    const f = await form(c);
    const back = safeBack(f.back, "/favorites");
    return act(c, back, async () => {
      const ids = idsOf(f);
      const on = String(f.on ?? "1") !== "0";
      for (const id of ids) {
        await requireItem(c, id, "read");
        await ops.setFavorite(id, on);
      }
      return on ? `Starred ${ids.length}` : "Star removed";
    });
  });

  app.post("/browse/:id/upload", async (c) => {
    const folder = await requireItem(c, c.req.param("id"), "write");
    if (folder.kind !== "folder") throw new HTTPException(400, { message: "Uploads go into a folder" });
    const back = folder.id === ROOT_ID ? "/browse" : `/browse/${folder.id}`;
    // The no-JavaScript fallback buffers the form; large files go through tus (the Upload button).
    if (Number(c.req.header("content-length") ?? 0) > MAX_FORM_UPLOAD) {
      return c.redirect(
        withParam(back, "error", "Files over 1 GB need JavaScript (resumable upload)"),
        303,
      );
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

  app.get("/browse/:id/edit", async (c) => {
    const item = await requireItem(c, c.req.param("id"), "write");
    if (
      item.kind !== "file" || !item.blobHash || previewKind(item) !== "text" ||
      item.size > MAX_TEXT_PREVIEW
    ) {
      throw new HTTPException(400, { message: "Only text files up to 2 MB can be edited here" });
    }
    const text = await Bun.file(ctx.store.blobs.pathOf(item.blobHash)).text();
    return page(
      c,
      `Edit ${item.name}`,
      <EditPage
        chain={await ctx.store.items.ancestry(item.id)}
        item={item}
        text={text}
        error={c.req.query("error")}
      />,
    );
  });

  app.post("/browse/:id/edit", async (c) => {
    const item = await requireItem(c, c.req.param("id"), "write");
    if (item.kind !== "file" || previewKind(item) !== "text") {
      throw new HTTPException(400, { message: "Only text files can be edited here" });
    }
    const f = await form(c);
    const content = String(f.content ?? "");
    if (String(f.base ?? "") !== item.blobHash) {
      return c.redirect(
        withParam(
          `/browse/${item.id}/edit`,
          "error",
          "This file changed since you opened it: your edit was not saved. Copy your text, reload, and apply it again",
        ),
        303,
      );
    }
    const bytes = new TextEncoder().encode(content);
    if (bytes.length > MAX_TEXT_PREVIEW) {
      throw new HTTPException(413, { message: "Text is larger than 2 MB" });
    }
    const tmp = join(editDir, `${randomToken(12)}.part`);
    try {
      writeFileSync(tmp, bytes);
      await ctx.store.importFile(item.parentId!, item.name, tmp, { mtime: Date.now(), type: item.type });
    } finally {
      rmSync(tmp, { force: true });
    }
    await ops.touchRecent(item.id);
    return c.redirect(`/browse/${item.id}`, 303);
  });

  // ----- trash, recent, favorites -----
  app.get("/trash", async (c) => {
    await requireItem(c, TRASH_ID, "read");
    return page(
      c,
      "Trash",
      <TrashPage entries={await ops.trashed()} error={c.req.query("error")} ok={c.req.query("ok")} />,
    );
  });
  app.post("/trash/:id/restore", async (c) => {
    const item = await requireItem(c, c.req.param("id"), "write");
    return act(c, "/trash", async () => {
      const back = await ops.restore(item.id);
      return `Restored “${back.name}”`;
    });
  });
  app.post("/trash/:id/delete", async (c) => {
    const item = await requireItem(c, c.req.param("id"), "write");
    if (!(await ops.isTrashed(item.id))) {
      throw new HTTPException(400, { message: "Only items in the trash can be deleted for good" });
    }
    await ops.emptyTrash([item.id]);
    return c.redirect(withParam("/trash", "ok", "Deleted for good"), 303);
  });
  app.post("/trash/empty", async (c) => {
    await requireItem(c, TRASH_ID, "write");
    const n = await ops.emptyTrash();
    return c.redirect(
      withParam("/trash", "ok", `Deleted ${n} ${n === 1 ? "item" : "items"} for good`),
      303,
    );
  });
  app.get("/recent", async (c) => {
    await requireItem(c, ROOT_ID, "read");
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
    await requireItem(c, ROOT_ID, "read");
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

  // ----- tus: resumable uploads -----
  const tus = async (c: Context<ShellEnv>) => {
    const method = c.req.method;
    if (method === "POST") {
      let meta: Record<string, string>;
      try {
        meta = parseUploadMetadata(c.req.header("upload-metadata"));
      } catch (e) {
        return c.text(userMessage(e) ?? "Bad Upload-Metadata", 400);
      }
      const parent = await requireItem(c, meta.parent ?? "", "write");
      if (parent.kind !== "folder" || (await ops.isTrashed(parent.id))) {
        return c.text("Uploads go into a folder", 400);
      }
    } else if (c.req.param("id")) {
      const meta = await uploads.metadata(c.req.param("id")!);
      if (meta?.parent) await requireItem(c, meta.parent, "write");
    }
    return await uploads.handle(c.req.raw);
  };
  app.all(UPLOAD_PATH, tus);
  app.all(`${UPLOAD_PATH}/:id`, tus);
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
