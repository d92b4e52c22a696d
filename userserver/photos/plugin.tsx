/**
 * Photos, a plugin: a timeline of every photo and video the owner has (newest first, by day and
 * month, from when each was taken), albums (hand-picked, and one per folder with photos), a
 * viewer, and albums shared by link in the album's skin — without where the photos were taken
 * unless the owner chooses to show it. The catalogue follows the files through signals; the
 * pipeline makes thumbnails and previews a few at a time (see indexer.ts).
 */
import { type Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import { HTTPException } from "hono/http-exception";
import { join } from "node:path";
import type { Core } from "../core/mod.ts";
import type { Plugin, ShellContext, ShellEnv } from "../plugins/mod.ts";
import { form, idsOf, redirectWith, takeNotice } from "../files/_http.tsx";
import { fileResponse } from "../files/mod.ts";
import { render } from "../web/render.tsx";
import { type Album, Albums, type Skin, SKINS } from "./albums.ts";
import { Catalog, WINDOW_MAX } from "./catalog.ts";
import { PhotoIndexer } from "./indexer.ts";
import { hasPdftoppm, pdfFirstPage, photoKindOf } from "./media.ts";
import { pipelinePaths, renditions } from "./pipeline.ts";
import { Renditions } from "./renditions.ts";
import { VisitorCopies } from "./visitor_copies.ts";
import { AlbumPage, AlbumsPage, SharedAlbumPage, TimelinePage } from "./views.tsx";
import type { AlbumsForFriends } from "../friends/mod.ts";

export interface Photos {
  plugin: Plugin;
  catalog: Catalog;
  indexer: PhotoIndexer;
  /** The bytes a visitor (not the owner) gets for a stored file: a photo without its position. */
  visitorCopies: VisitorCopies;
  /** Albums shared with friends, for the friends plugin to carry to their servers. */
  forFriends: AlbumsForFriends;
}

export interface PhotosOptions {
  dataDir: string;
  concurrency?: number;
  /** Who an album may be shared with: friends who may read mine (`user:<name>`) and groups (`group:<name>`). */
  friendChoices?: () => Promise<string[]>;
}

export function createPhotos(core: Core, opts: PhotosOptions): Photos {
  const log = core.log.child({ module: "photos" });
  const catalog = new Catalog(core);
  const albums = new Albums(core);
  const paths = pipelinePaths(opts.dataDir);
  const indexer = new PhotoIndexer(core, catalog, paths, log, opts.concurrency ?? 2);
  const made = new Renditions(catalog, indexer, paths);
  const visitorCopies = new VisitorCopies(core, catalog, join(opts.dataDir, "photos", "shared"));

  const plugin: Plugin = {
    id: "photos",
    nav: [{ label: "Photos", path: "/photos", order: 15 }],
    // A paired phone sees the owner's photos; a shared album's visitor sees that album only.
    viewers: {
      "/photos": ["device"],
      "/photos/s/": ["anonymous", "linkGuest", "friend", "device"],
    },
    itemTypes: hasPdftoppm()
      ? [{
        id: "pdf",
        label: "PDF document",
        icon: "file",
        matches: (item) => item.type === "application/pdf",
        // The first page, made once per content and kept with the other thumbnails.
        thumbnail: async (item, blobPath) => {
          const cached = Bun.file(paths.thumb(item.blobHash!));
          if (await cached.exists()) return new Uint8Array(await cached.arrayBuffer());
          const page = await pdfFirstPage(blobPath).catch(() => undefined);
          if (!page) return undefined;
          await renditions(paths, item.blobHash!, page).catch(() => undefined);
          return await cached.exists() ? new Uint8Array(await cached.arrayBuffer()) : undefined;
        },
      }]
      : [],
    subscribe: (signals) => [
      signals.on("item.created", async (e) => {
        if (e.kind !== "file") return;
        const item = await core.store.items.get(e.id);
        if (item && photoKindOf(item.type) && await catalog.add(item)) indexer.requeue(item.id);
      }),
      signals.on("item.updated", async (e) => {
        const item = await core.store.items.get(e.id);
        if (item && photoKindOf(item.type) && await catalog.add(item)) indexer.requeue(item.id);
      }),
      signals.on("item.moved", (e) => catalog.moved(e.id)),
      signals.on("item.deleted", async (e) => {
        await catalog.remove(e.id);
        await albums.forget(e.id);
      }),
    ],
    start: () => indexer.start(),
    stop: () => indexer.stop(),
    settings: {
      id: "photos",
      title: "Photos",
      render: () => {
        const n = catalog.counts();
        return (
          <p>
            {n.total.toLocaleString("en")} photos and videos;{" "}
            {n.pending > 0 ? `${n.pending.toLocaleString("en")} still being prepared; ` : "all prepared; "}
            {n.failed > 0 ? `${n.failed.toLocaleString("en")} could not be read.` : "none failed."}
          </p>
        );
      },
    },
    app: () => {
      const app = new Hono<ShellEnv>();
      const page = (c: ShellContext, title: string, body: Child) => render(c, c.var.shell, { title, body });

      app.get("/photos", (c) =>
        page(
          c,
          "Photos",
          <TimelinePage
            total={catalog.counts().total}
            albums={albums.manual()}
            owner={c.get("viewer").kind === "owner"}
          />,
        ));

      app.get("/photos/api/days", (c) => {
        c.header("cache-control", "no-store");
        return c.json({ days: catalog.days() });
      });

      // Windows of several days at once: `q=20261204:0:200,20261203:0:200` (day:offset:limit).
      app.get("/photos/api/windows", (c) => {
        const parts = (c.req.query("q") ?? "").split(",").slice(0, 40);
        const out: Record<string, unknown> = {};
        for (const part of parts) {
          const [day, offset, limit] = part.split(":").map(Number);
          if (!Number.isInteger(day) || !Number.isInteger(offset) || !Number.isInteger(limit)) continue;
          out[`${day}:${offset}`] = catalog.window(day!, offset!, Math.min(limit!, WINDOW_MAX));
        }
        c.header("cache-control", "no-store");
        return c.json(out);
      });

      app.get("/photos/api/photo/:id", async (c) => {
        const row = catalog.get(c.req.param("id"));
        const item = row && !row.trashed ? await core.store.items.get(row.itemId) : undefined;
        if (!row || !item) throw new HTTPException(404, { message: "Not found" });
        const album = c.req.query("album");
        return c.json({
          ...made.describe(row, item, { gps: true }),
          ...(album ? {} : catalog.neighbours(row)),
          original: `/files/${item.id}`,
          download: `/files/${item.id}?download=1`,
        });
      });

      app.get("/photos/p/:id/thumb", (c) => made.serve(c, c.req.param("id"), "thumb"));
      app.get("/photos/p/:id/preview", (c) => made.serve(c, c.req.param("id"), "preview"));

      // The owner corrects when a photo was taken (a scanned print, a camera set to the wrong year).
      app.post("/photos/p/:id/taken", async (c) => {
        const f = await form(c);
        const taken = String(f.taken ?? "");
        // datetime-local's form, read as the wall clock (like EXIF times).
        const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(taken) ? Date.parse(`${taken}:00Z`) : NaN;
        const row = catalog.get(c.req.param("id"));
        if (!row) throw new HTTPException(404, { message: "Not found" });
        if (!Number.isFinite(at)) return c.json({ error: "That is not a date and time" }, 400);
        await catalog.setTaken(row.itemId, at);
        return c.json({ ok: true, takenAt: at });
      });

      app.get(
        "/photos/albums",
        (c) => page(c, "Albums", <AlbumsPage albums={albums.list()} notices={takeNotice(c)} />),
      );

      // A new album from the timeline's selection, or the selection added to an album.
      app.post("/photos/albums", async (c) => {
        const f = await form(c);
        const ids = idsOf(f);
        const existing = String(f.album ?? "");
        if (existing) {
          const album = albums.get(existing);
          if (!album || album.folderId) throw new HTTPException(404, { message: "Not found" });
          const n = await albums.add(album.id, ids);
          return redirectWith(c, `/photos/albums/${album.id}`, { ok: `Added ${plural(n)}` });
        }
        const title = String(f.title ?? "").trim().slice(0, 200) || "New album";
        const album = await albums.create(title, ids);
        return redirectWith(c, `/photos/albums/${album.id}`, { ok: `Album made with ${plural(ids.length)}` });
      });

      app.get("/photos/albums/:id", async (c) => {
        const { album, folderId, title } = await albumAt(c.req.param("id"));
        const source = folderId ? { folderId } : album!;
        const offset = Math.max(0, Number(c.req.query("from") ?? 0) || 0);
        return page(
          c,
          title,
          <AlbumPage
            album={album}
            id={c.req.param("id")}
            title={title}
            tiles={albums.tiles(source, offset, 500)}
            total={albums.count(source)}
            offset={offset}
            manual={!folderId}
            shareUrl={album?.shareToken ? `/photos/s/${album.shareToken}` : undefined}
            friends={{
              shared: album ? albums.principals(album.id) : [],
              choices: (await opts.friendChoices?.()) ?? [],
            }}
            notices={takeNotice(c)}
          />,
        );
      });

      app.post("/photos/albums/:id/:action", async (c) => {
        const id = c.req.param("id");
        const { album: found, folderId, title } = await albumAt(id);
        const album = found ?? await albums.forFolder(folderId!, title);
        const back = `/photos/albums/${id}`;
        const f = await form(c);
        const photo = String(f.photo ?? "");
        switch (c.req.param("action")) {
          case "edit": {
            const skin = SKINS.find((s) => s.id === f.skin)?.id ?? album.skin;
            await albums.update(album.id, {
              title: String(f.title ?? album.title).trim().slice(0, 200) || album.title,
              description: String(f.description ?? "").slice(0, 4000),
              skin: skin as Skin,
            });
            return redirectWith(c, back, { ok: "Saved" });
          }
          case "cover":
            if (!albums.holds(album, photo)) throw new HTTPException(404, { message: "Not found" });
            await albums.update(album.id, { coverItemId: photo });
            return redirectWith(c, back, { ok: "Cover chosen" });
          case "remove":
            await albums.remove(album.id, f.ids === undefined ? [photo] : idsOf(f));
            return redirectWith(c, back, { ok: "Removed from the album (the photo itself stays)" });
          case "earlier":
          case "later":
            await albums.move(album.id, photo, c.req.param("action") === "earlier" ? -1 : 1);
            return redirectWith(c, `${back}#t-${photo}`);
          case "share": {
            const on = f.share === "on";
            await albums.update(album.id, { shareGps: f.gps === "on" });
            if (on !== (album.shareToken !== null) || f.renew === "1") await albums.share(album.id, on);
            return redirectWith(c, back, { ok: on ? "Shared by link" : "The link no longer works" });
          }
          case "share-friend":
          case "unshare": {
            const principal = String(f.principal ?? "");
            const on = c.req.param("action") === "share-friend";
            // Only a friend who may read mine, or one of my groups (as the Share page of a file).
            if (on && !((await opts.friendChoices?.()) ?? []).includes(principal)) {
              return redirectWith(c, back, { error: "Choose a friend or a group from the list" });
            }
            await albums.shareWith(album.id, principal, on);
            const who = principal.replace(/^user:/, "").replace(/^group:/, "group ");
            return redirectWith(c, back, { ok: on ? `Shared with ${who}` : `No longer shared with ${who}` });
          }
          case "delete":
            if (album.folderId) throw new HTTPException(404, { message: "Not found" });
            await albums.delete(album.id);
            return redirectWith(c, "/photos/albums", {
              ok: `Album “${album.title}” deleted (its photos stay)`,
            });
        }
        throw new HTTPException(404, { message: "Not found" });
      });

      // A shared album, for anyone with its link.
      app.get("/photos/s/:token", (c) => {
        const album = sharedAlbum(c.req.param("token"));
        const source = album.folderId ? { folderId: album.folderId } : album;
        const offset = Math.max(0, Number(c.req.query("from") ?? 0) || 0);
        c.header("cache-control", "no-store");
        c.header("referrer-policy", "no-referrer");
        return c.html(
          <SharedAlbumPage
            album={album}
            base={`/photos/s/${c.req.param("token")}`}
            tiles={albums.tiles(source, offset, 500)}
            total={albums.count(source)}
            offset={offset}
          />,
        );
      });
      app.get("/photos/s/:token/p/:id/:what", async (c) => {
        const album = sharedAlbum(c.req.param("token"));
        const res = await visitorPhoto(c, album, c.req.param("id"), c.req.param("what"));
        if (!res) throw new HTTPException(404, { message: "Not found" });
        return res;
      });
      return app;
    },
  };

  /** A photo of a shared album as its visitors get it (a link's or a friend's); undefined if not there. */
  async function visitorPhoto(
    c: Context,
    album: Album,
    id: string,
    what: string,
  ): Promise<Response | undefined> {
    if (!albums.holds(album, id)) return undefined;
    if (what === "thumb" || what === "preview") return await made.serve(c, id, what);
    const row = catalog.get(id);
    const item = await core.store.items.get(id);
    if (!row || !item?.blobHash) return undefined;
    if (what === "info") return c.json(made.describe(row, item, { gps: album.shareGps }));
    if (what !== "original" && what !== "download") return undefined;
    const bytes = album.shareGps
      ? { blobPath: core.store.blobs.pathOf(item.blobHash) }
      : await visitorCopies.of(item);
    return fileResponse(item, {
      ...bytes,
      download: what === "download",
      ifNoneMatch: c.req.header("if-none-match"),
      range: c.req.header("range"),
      ifRange: c.req.header("if-range"),
    });
  }

  const forFriends: AlbumsForFriends = {
    list: (friend) =>
      albums.sharedWith(friend).map((a) => ({
        id: a.id,
        title: a.title,
        count: albums.count(a.folderId ? { folderId: a.folderId } : a),
      })),
    page(friend, albumId, offset) {
      const album = albums.sharedWithFriend(friend, albumId);
      if (!album) return undefined;
      const source = album.folderId ? { folderId: album.folderId } : album;
      return {
        title: album.title,
        description: album.description,
        skin: album.skin,
        tiles: albums.tiles(source, offset, 500),
        total: albums.count(source),
        offset,
      };
    },
    async photo(c, friend, albumId, photoId, what) {
      const album = albums.sharedWithFriend(friend, albumId);
      return album ? await visitorPhoto(c, album, photoId, what) : undefined;
    },
    render: (p) => (
      <SharedAlbumPage
        album={p}
        base={p.base}
        tiles={p.tiles}
        total={p.total}
        offset={p.offset}
        back={p.back}
      />
    ),
  };

  /** A hand-picked album by id, or a folder's (`folder-<id>`) with its settings row if it has one. */
  async function albumAt(id: string): Promise<{ album?: Album; folderId?: string; title: string }> {
    if (id.startsWith("folder-")) {
      const folderId = id.slice("folder-".length);
      const folder = await core.store.items.get(folderId);
      if (!folder || folder.kind !== "folder" || await catalog.inTrash(folderId)) {
        throw new HTTPException(404, { message: "Not found" });
      }
      const album = albums.byFolder(folderId);
      return { ...(album ? { album } : {}), folderId, title: album?.title ?? folder.name };
    }
    const album = albums.get(id);
    if (!album || album.folderId) throw new HTTPException(404, { message: "Not found" });
    return { album, title: album.title };
  }

  function sharedAlbum(token: string): Album {
    const album = albums.byToken(token);
    if (!album) {
      throw new HTTPException(404, { message: "This link does not work (it may have been turned off)" });
    }
    return album;
  }

  return { plugin, catalog, indexer, visitorCopies, forFriends };
}

function plural(n: number): string {
  return n === 1 ? "1 photo" : `${n.toLocaleString("en")} photos`;
}
