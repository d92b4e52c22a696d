/**
 * The file manager: the Browse tab, a plugin. It builds its parts once (file operations,
 * thumbnails, tus uploads) and mounts its route modules: folders and previews under `/browse`
 * (`routes_browse`), bytes under `/files/:id` (`routes_bytes`), actions (`routes_actions`), the
 * trash, recent and favorites pages (`routes_trash`) and resumable uploads (`routes_tus`). Every
 * route asks the access check first; the shell's door has already decided who is asking.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import type { Core } from "../core/mod.ts";
import type { ItemType, Plugin, ShellApp, ShellEnv } from "../plugins/mod.ts";
import { type Item, mediaTypeOf } from "../store/mod.ts";
import type { FilesDeps } from "./_deps.ts";
import { FileOps } from "./ops.ts";
import { FolderQueries } from "./queries.ts";
import { actionRoutes } from "./routes_actions.tsx";
import { browseRoutes } from "./routes_browse.tsx";
import { bytesRoutes } from "./routes_bytes.ts";
import { trashRoutes } from "./routes_trash.tsx";
import { tusRoutes } from "./routes_tus.ts";
import { canThumbnail, Thumbnailer } from "./thumbs.ts";
import { Uploads } from "./uploads.ts";

export interface FilesPluginOptions {
  dataDir: string;
  /** The item types every plugin registered (icons, previews, thumbnails). */
  typeOf(item: Item): ItemType;
  /** Thumbnails generated at once (each with one libvips thread). */
  thumbConcurrency?: number;
  /** Days after it began that an unfinished upload is removed (default 7). */
  uploadExpiryDays?: number;
  /** More sections on a file's page (comments), after its preview. */
  itemSections?(c: Context<ShellEnv>, item: Item): Promise<Child> | Child;
}

/** The Browse plugin and the parts other plugins reuse (share links show the same thumbnails). */
export interface Files {
  plugin: Plugin;
  thumbs: Thumbnailer;
}

export function filesPlugin(core: Core, opts: FilesPluginOptions): Plugin {
  return createFiles(core, opts).plugin;
}

export function createFiles(core: Core, opts: FilesPluginOptions): Files {
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
    expiryDays: opts.uploadExpiryDays,
    store: core.store,
    log: core.log.child({ module: "uploads" }),
    finish: (u) => {
      const run = finishing.then(async () => {
        // A folder upload's file goes into its folders (made as needed) under the target.
        let parentId = u.parentId;
        for (const part of u.folders) parentId = (await core.store.createFolder(parentId, part)).id;
        const existing = await core.store.items.childByName(parentId, u.name);
        // Replace: the file there goes to the trash (restorable) and the upload takes its name.
        if (existing?.kind === "file" && u.onClash === "replace") await ops.trash([existing.id]);
        const name = existing?.kind === "file" && u.onClash === "replace"
          ? u.name
          : await ops.freeName(parentId, u.name, "");
        // The finished upload is moved into the store (same filesystem), not copied.
        const r = await core.store.adoptFile(parentId, name, u.path, {
          mtime: u.mtime,
          type: mediaTypeOf(name),
          known: u.known,
        });
        // The item is stored; "recent" is a nicety whose failure must not fail the upload.
        await ops.touchRecent(r.item.id).catch((e) =>
          core.log.warn("cannot mark an upload recent", { error: String(e) })
        );
        return { item: r.item, deduped: r.deduped };
      });
      finishing = run.catch(() => {});
      return run;
    },
  });

  const plugin: Plugin = {
    id: "browse",
    nav: [{ label: "Browse", path: "/browse", order: 10 }],
    places: [
      { label: "Home", path: "/browse", icon: "home", order: 10 },
      { label: "Recent", path: "/recent", icon: "clock", order: 20 },
      { label: "Favorites", path: "/favorites", icon: "star", order: 30 },
      { label: "Trash", path: "/trash", icon: "trash", order: 90 },
    ],
    // A paired device acts for the owner; every item route still asks the access check.
    // A file-drop link's visitors upload into its folder (the access check keeps them there).
    viewers: { "/": ["device"], "/upload/tus": ["device", "linkGuest"], "/upload/tus-status": ["device"] },
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
      uploads.stop();
    },
    app: (ctx) =>
      filesApp({
        core: ctx,
        ops,
        queries: new FolderQueries(ctx.reader),
        thumbs,
        uploads,
        editDir,
        typeOf: opts.typeOf,
        itemSections: opts.itemSections,
      }),
  };
  return { plugin, thumbs };
}

function filesApp(deps: FilesDeps): ShellApp {
  const app = new Hono<ShellEnv>();
  for (const routes of [browseRoutes, bytesRoutes, actionRoutes, trashRoutes, tusRoutes]) {
    app.route("/", routes(deps));
  }
  return app;
}
