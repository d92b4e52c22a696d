/**
 * A link's visitor's routes, all under `/s/<token>`: the linked item (folder listing, file
 * preview, file drop), items below a linked folder (`/i/<id>`), original bytes (`/files/<id>`),
 * thumbnails, preview renditions (`/render/<id>`), zips of a folder or a selection, and the
 * password form. Every item route asks the one access check with the link guest's viewer, so
 * nothing outside the linked item is reachable. A preview-only link never sends an original byte:
 * `/files/…` and the zips refuse, and only renditions and thumbnails are served.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { Child } from "hono/jsx";
import type { HtmlEscapedString } from "hono/utils/html";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Core } from "../core/mod.ts";
import { type Granted, type Viewer } from "../permissions/mod.ts";
import type { ShellApp, ShellEnv } from "../plugins/mod.ts";
import type { Item } from "../store/mod.ts";
import {
  canThumbnail,
  fileResponse,
  FolderQueries,
  MAX_TEXT_PREVIEW,
  parseListQuery,
  previewKind,
  type Thumbnailer,
  type VisitorBytes,
  zipHeaders,
  zipStream,
  zipTree,
} from "../files/mod.ts";
import { clientAddress } from "../web/client_address.ts";
import { guestViewer, openLink, type StoredLink, type UnlockCookies } from "./door.ts";
import { DropView, FileView, FolderView, GonePage, RefusedPage, UnlockPage } from "./guest_views.tsx";
import { renditionKind, type Renditions } from "./renditions.ts";
import { type Links, passwordMatches } from "./store.ts";
import type { PasswordThrottle } from "./throttle.ts";

export interface GuestDeps {
  core: Core;
  links: Links;
  cookies: UnlockCookies;
  throttle: PasswordThrottle;
  thumbs: Thumbnailer;
  renditions: Renditions;
  itemAlive(id: string): boolean;
  comments?: GuestComments;
  visitorBytes?: VisitorBytes;
  now?: () => number;
}

type C = Context<ShellEnv>;

/** What the comments plugin lends the visitor's pages: the thread, and posting to it. */
export interface GuestComments {
  thread(c: C, viewer: Viewer, item: Item, post: string, back: string): Promise<Child>;
  post(c: C, viewer: Viewer, item: Item): Promise<Response>;
}

const html = (
  c: C,
  body: HtmlEscapedString | Promise<HtmlEscapedString>,
  status: ContentfulStatusCode = 200,
) => {
  c.header("cache-control", "no-store");
  c.header("referrer-policy", "no-referrer");
  return c.html(body, status);
};

export function guestRoutes(d: GuestDeps): ShellApp {
  const app = new Hono<ShellEnv>();
  const now = d.now ?? Date.now;
  const queries = new FolderQueries(d.core.reader);

  /** The open link this request names and the viewer to check items with, or a page to answer. */
  const enter = (c: C): { link: StoredLink; viewer: Viewer; base: string } | Response | Promise<Response> => {
    const opened = openLink(c, d.links, d.cookies, d.itemAlive, now());
    if (!opened) return html(c, <GonePage />, 404);
    const { link, unlocked } = opened;
    const base = `/s/${link.token}`;
    const who = c.get("viewer");
    // The owner sees what visitors see (without being counted); anyone else needs the password first.
    if (who.kind !== "owner" && !unlocked) {
      return html(c, <UnlockPage base={base} label={link.label} />, 401);
    }
    return { link, viewer: guestViewer(link), base };
  };

  /** Counts a visit once per browser and link per hour (a cookie says it was counted). */
  const countVisit = (c: C, link: StoredLink) => {
    if (c.get("viewer").kind === "owner") return;
    const name = `hearth-seen-${link.id}`;
    if (getCookie(c, name, "host")) return;
    setCookie(c, name, "1", {
      path: "/",
      secure: true,
      httpOnly: true,
      sameSite: "Lax",
      maxAge: 3600,
      prefix: "host",
    });
    void d.links.count(link.id, "views");
    void d.core.signals.emit("link.visited", { linkId: link.id, label: link.label, itemId: link.itemId });
  };

  const granted = (viewer: Viewer, id: string): Granted | undefined =>
    d.core.permissions.check(viewer, id, "read");

  const showItem = async (c: C, id: string | undefined) => {
    const entered = enter(c);
    if (entered instanceof Response || entered instanceof Promise) return entered;
    const { link, viewer, base } = entered;
    const g = granted(viewer, id ?? link.itemId);
    if (!g) return html(c, <GonePage />, 404);
    countVisit(c, link);
    const { item, ancestry } = g;
    if (link.fileDrop) {
      // A file drop shows nothing of what is in the folder.
      if (item.id !== link.itemId) return html(c, <GonePage />, 404);
      return html(c, <DropView link={link} base={base} folder={item} />);
    }
    const canDownload = !link.previewOnly && !link.hideDownload;
    if (item.kind === "folder") {
      const listing = queries.list(item.id, parseListQuery(c.req.query()));
      return html(
        c,
        <FolderView
          link={link}
          base={base}
          chain={ancestry}
          listing={listing}
          canDownload={canDownload}
          canThumb={(i) => canThumbnail(i.type)}
        />,
      );
    }
    const kind = previewKind(item);
    const rendition = link.previewOnly && renditionKind(item.type) !== undefined;
    let show: "image" | "video" | "audio" | "pdf" | "text" | "none" = kind;
    if (link.previewOnly && kind === "audio") show = "none";
    if (link.previewOnly && (kind === "image" || kind === "video" || kind === "pdf") && !rendition) {
      show = "none";
    }
    let text: string | undefined;
    if (show === "text" && item.blobHash) {
      const bytes = await Bun.file(d.core.store.blobs.pathOf(item.blobHash)).slice(0, MAX_TEXT_PREVIEW)
        .text();
      text = bytes;
    }
    const pdfPages = show === "pdf" && rendition && item.blobHash
      ? await d.renditions.pdfPages(d.core.store.blobs.pathOf(item.blobHash))
      : 0;
    const here = item.id === link.itemId ? base : `${base}/i/${item.id}`;
    const comments = d.comments && link.allowComments
      ? await d.comments.thread(c, viewer, item, `${base}/comments/${item.id}`, here)
      : undefined;
    return html(
      c,
      <FileView
        link={link}
        base={base}
        chain={ancestry}
        item={item}
        show={show}
        rendition={rendition}
        pdfPages={pdfPages}
        text={text}
        canDownload={canDownload}
        comments={comments}
      />,
    );
  };

  app.get("/s/:token", (c) => showItem(c, undefined));
  app.get("/s/:token/i/:id", (c) => showItem(c, c.req.param("id")));

  app.post("/s/:token/comments/:id", (c) => {
    const entered = enter(c);
    if (entered instanceof Response || entered instanceof Promise) return entered;
    const g = granted(entered.viewer, c.req.param("id"));
    if (!g || !d.comments || !entered.link.allowComments || entered.link.fileDrop) {
      return html(c, <GonePage />, 404);
    }
    return d.comments.post(c, entered.viewer, g.item);
  });

  app.post("/s/:token/unlock", async (c) => {
    const opened = openLink(c, d.links, d.cookies, d.itemAlive, now());
    if (!opened) return html(c, <GonePage />, 404);
    const { link } = opened;
    const base = `/s/${link.token}`;
    if (!link.passwordHash) return c.redirect(base, 303);
    const address = clientAddress(c, d.core.sources);
    const t = now();
    const waitUntil = d.throttle.blockedUntil(address, link.id, t);
    if (waitUntil !== undefined) {
      c.header("retry-after", String(Math.ceil((waitUntil - t) / 1000)));
      return html(c, <UnlockPage base={base} label={link.label} retryAt={waitUntil} />, 429);
    }
    const form = await c.req.parseBody();
    const password = typeof form.password === "string" ? form.password.slice(0, 1024) : "";
    if (password && await passwordMatches(password, link.passwordHash)) {
      d.cookies.set(c, link, t);
      return c.redirect(base, 303);
    }
    void d.links.count(link.id, "failedPasswords");
    const blocked = d.throttle.fail(address, link.id, t);
    if (blocked !== undefined) {
      c.header("retry-after", String(Math.ceil((blocked - t) / 1000)));
      return html(c, <UnlockPage base={base} label={link.label} retryAt={blocked} />, 429);
    }
    return html(
      c,
      <UnlockPage
        base={base}
        label={link.label}
        error="That password is wrong."
        left={d.throttle.left(address, link.id, t)}
      />,
      401,
    );
  });

  /** Original bytes: never for preview-only links; downloads count against the limit. */
  app.get("/s/:token/files/:id", async (c) => {
    const entered = enter(c);
    if (entered instanceof Response || entered instanceof Promise) return entered;
    const { link, viewer } = entered;
    const g = granted(viewer, c.req.param("id"));
    if (!g || g.item.kind !== "file" || !g.item.blobHash || link.fileDrop) return html(c, <GonePage />, 404);
    if (link.previewOnly) {
      return html(
        c,
        <RefusedPage
          title="Preview only"
          message="This link shows previews only; the original file is not shared."
        />,
        403,
      );
    }
    const download = c.req.query("download") === "1";
    if (download && link.hideDownload) {
      return html(
        c,
        <RefusedPage title="Viewing only" message="This link lets you view the file, not download it." />,
        403,
      );
    }
    const owner = c.get("viewer").kind === "owner";
    if (download && !owner) {
      if (!(await d.links.takeDownload(link.id))) return limitReached(c);
      void d.core.signals.emit("link.downloaded", {
        linkId: link.id,
        label: link.label,
        itemId: link.itemId,
        name: g.item.name,
      });
    } else if (!owner && link.downloadLimit !== null && link.downloads >= link.downloadLimit) {
      return limitReached(c);
    }
    return fileResponse(g.item, {
      download,
      ...(owner || !d.visitorBytes
        ? { blobPath: d.core.store.blobs.pathOf(g.item.blobHash) }
        : await d.visitorBytes(g.item)),
      ifNoneMatch: c.req.header("if-none-match"),
      range: c.req.header("range"),
      ifRange: c.req.header("if-range"),
    });
  });

  const limitReached = (c: C) =>
    html(
      c,
      <RefusedPage
        title="Download limit reached"
        message="This link has been downloaded as many times as its owner allowed."
      />,
      403,
    );

  app.get("/s/:token/thumb/:id", async (c) => {
    const entered = enter(c);
    if (entered instanceof Response || entered instanceof Promise) return entered;
    const g = granted(entered.viewer, c.req.param("id"));
    if (!g || entered.link.fileDrop || !g.item.blobHash || !canThumbnail(g.item.type)) {
      return c.text("No thumbnail", 404);
    }
    const path = await d.thumbs.get(g.item.blobHash, d.core.store.blobs.pathOf(g.item.blobHash), "visible");
    if (!path) return c.text("No thumbnail", 404);
    return new Response(Bun.file(path), {
      headers: {
        "content-type": "image/webp",
        "cache-control": "private, max-age=3600",
        "x-content-type-options": "nosniff",
      },
    });
  });

  app.get("/s/:token/render/:id", async (c) => {
    const entered = enter(c);
    if (entered instanceof Response || entered instanceof Promise) return entered;
    const g = granted(entered.viewer, c.req.param("id"));
    const kind = g?.item.blobHash ? renditionKind(g.item.type) : undefined;
    if (!g || !kind || entered.link.fileDrop) return c.text("No preview", 404);
    const page = Math.max(1, Math.min(Number(c.req.query("page")) || 1, 200));
    const source = d.core.store.blobs.pathOf(g.item.blobHash!);
    let r;
    if (kind === "video") {
      // The first visitor watches while the rendition is made (no ranges until it is whole).
      const v = await d.renditions.video(g.item.blobHash!, source);
      if (v && "live" in v) {
        return new Response(v.live, {
          headers: {
            "content-type": "video/mp4",
            "content-disposition": "inline",
            "cache-control": "no-store",
            "accept-ranges": "none",
            "x-content-type-options": "nosniff",
          },
        });
      }
      r = v?.done;
    } else {
      r = await d.renditions.get(kind, g.item.blobHash!, source, page);
    }
    if (!r) return c.text("No preview", 404);
    const size = Bun.file(r.path).size;
    const res = fileResponse(g.item, {
      download: false,
      blobPath: r.path,
      type: r.type,
      size,
      etag: `"r-${g.item.blobHash}-${page}"`,
      ifNoneMatch: c.req.header("if-none-match"),
      range: c.req.header("range"),
      ifRange: c.req.header("if-range"),
    });
    res.headers.set("content-disposition", "inline");
    return res;
  });

  /** A zip of a folder under the link, or (POST) of the ticked items. */
  const zip = async (c: C, ids: string[] | undefined) => {
    const entered = enter(c);
    if (entered instanceof Response || entered instanceof Promise) return entered;
    const { link, viewer } = entered;
    if (link.previewOnly || link.hideDownload || link.fileDrop) {
      return html(
        c,
        <RefusedPage title="Preview only" message="This link does not let you download files." />,
        403,
      );
    }
    const roots: Item[] = [];
    for (const id of ids ?? [c.req.param("id") ?? link.itemId]) {
      const g = granted(viewer, id);
      if (g) roots.push(g.item);
    }
    if (roots.length === 0) return html(c, <GonePage />, 404);
    const owner = c.get("viewer").kind === "owner";
    const name = ids ? `${link.label}` : roots[0]!.name;
    if (!owner) {
      if (!(await d.links.takeDownload(link.id))) return limitReached(c);
      void d.core.signals.emit("link.downloaded", {
        linkId: link.id,
        label: link.label,
        itemId: link.itemId,
        name: `${name}.zip`,
      });
    }
    // A guest's zip holds what a guest gets of each file (photos without their positions).
    const bytes = owner ? undefined : d.visitorBytes;
    const entries = roots.length === 1 && roots[0]!.kind === "folder" && !ids
      ? (async function* () {
        yield* zipTree(
          d.core.store,
          await d.core.store.items.children(roots[0]!.id),
          `${name}/`,
          () => true,
          bytes,
        );
      })()
      : zipTree(d.core.store, roots, "", () => true, bytes);
    return new Response(zipStream(entries), { headers: zipHeaders(name) });
  };
  app.get("/s/:token/zip/:id", (c) => zip(c, undefined));
  app.post("/s/:token/zip", async (c) => {
    if (!openLink(c, d.links, d.cookies, d.itemAlive, now())) return html(c, <GonePage />, 404);
    const form = await c.req.parseBody({ all: true });
    const v = form.ids;
    const ids = (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String).slice(0, 10_000);
    if (ids.length === 0) {
      return html(
        c,
        <RefusedPage title="Nothing selected" message="Tick the items to download first." />,
        400,
      );
    }
    return zip(c, ids);
  });
  return app;
}
