/**
 * Share links, a plugin: any number of links per file or folder, for visitors who have no Hearth
 * of their own. The door recognises a link guest by the link's URL (or a file drop's header) and,
 * for a password link, by the unlock cookie; guests enter only `/s/…` (and a file drop's tus
 * uploads); the owner manages links on each item's Share page, "Shared by link" and `/api/links`.
 * Visits, downloads and uploads are counted here from the link signals.
 */
import { Hono } from "hono";
import type { Core } from "../core/mod.ts";
import type { Plugin, ShellEnv } from "../plugins/mod.ts";
import { type Thumbnailer, TRASH_ID, type VisitorBytes } from "../files/mod.ts";
import { guestViewer, openLink, UnlockCookies } from "./door.ts";
import { type GuestComments, guestRoutes } from "./guest_routes.tsx";
import { ownerRoutes } from "./owner_routes.tsx";
import { Renditions } from "./renditions.ts";
import { Links } from "./store.ts";
import { PasswordThrottle } from "./throttle.ts";

export interface LinksPluginOptions {
  dataDir: string;
  publicOrigin: string;
  /** The file manager's thumbnails (one queue for both). */
  thumbs: Thumbnailer;
  /** Comments on a guest's item page when the link allows them (the comments plugin). */
  comments?: GuestComments;
  /** More on an item's Share page (friends and groups: userserver/friends). */
  shareSection?: (itemId: string) => Promise<unknown>;
  /** What a guest is sent for a file (Photos: without positions); the blob by default. */
  visitorBytes?: VisitorBytes;
  now?: () => number;
}

export function linksPlugin(core: Core, opts: LinksPluginOptions): Plugin {
  const now = opts.now ?? Date.now;
  const links = new Links(core.db, core.reader, now);
  const cookies = UnlockCookies.open(core.db, core.reader);
  const throttle = new PasswordThrottle();
  const renditions = new Renditions(opts.dataDir, core.log.child({ module: "renditions" }));
  /** An item is alive while it exists and is not in the trash. */
  const itemAlive = (id: string) => {
    const chain = core.permissions.ancestry(id);
    return chain.length > 0 && chain[0]!.id !== TRASH_ID;
  };
  return {
    id: "links",
    places: [{ label: "Shared by link", path: "/links", icon: "share", order: 40 }],
    // Visitors (with or without the password yet) enter only the link's own pages.
    viewers: { "/s/": ["linkGuest", "anonymous", "device", "friend"] },
    recognise(c) {
      if (!c.req.path.startsWith("/s/") && !c.req.header("hearth-link")) return undefined;
      const opened = openLink(c, links, cookies, itemAlive, now());
      return opened?.unlocked ? guestViewer(opened.link) : undefined;
    },
    subscribe(signals) {
      return [signals.on("link.uploaded", (e) => links.count(e.linkId, "uploads"))];
    },
    app: (ctx) => {
      const app = new Hono<ShellEnv>();
      app.route(
        "/",
        guestRoutes({
          visitorBytes: opts.visitorBytes,
          core: ctx,
          links,
          cookies,
          throttle,
          thumbs: opts.thumbs,
          renditions,
          itemAlive,
          comments: opts.comments,
          now,
        }),
      );
      app.route(
        "/",
        ownerRoutes({
          core: ctx,
          links,
          publicOrigin: opts.publicOrigin,
          itemAlive,
          now,
          shareSection: opts.shareSection,
        }),
      );
      return app;
    },
  };
}
