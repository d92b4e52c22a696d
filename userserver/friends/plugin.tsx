/**
 * Friends, a plugin (ARCHITECTURE.md §5.2): servers that trust each other by a handshake between
 * themselves (request → CAPTCHA → accept / reject / subscribe), share items with friends and
 * groups by the ACLs, and show what friends share here ("Shared with me"). Server-to-server
 * requests are signed (RFC 9421) and recognised at the door: a server whose relation lets it read
 * what is shared with it becomes a `friend` viewer; one that is not a friend yet reaches only the
 * handshake's routes. Calls to friends are time-boxed and made by the share task, off every page.
 */
import { Hono } from "hono";
import type { Core } from "../core/mod.ts";
import type { CloudAccess } from "../connector/cloud.ts";
import type { Plugin, ShellEnv } from "../plugins/mod.ts";
import type { Thumbnailer, VisitorBytes } from "../files/mod.ts";
import type { AclEntry } from "../permissions/mod.ts";
import { Captchas } from "./captcha.ts";
import { PeerClient } from "./client.ts";
import { Copier } from "./copier.ts";
import { PeerDirectory } from "./directory.ts";
import { PEER_API, PeerDoor } from "./door.ts";
import { friendPages } from "./friend_pages.tsx";
import { Groups } from "./groups.ts";
import { Handshake } from "./handshake.ts";
import { ownerRoutes } from "./routes.tsx";
import { peerApi } from "./peer_api.ts";
import { PeerUploads } from "./peer_uploads.ts";
import { mayReadMine, Relations } from "./relations.ts";
import { ShareTask } from "./share_task.ts";
import { friendSearchRoute, peerSearchRoute } from "./search.tsx";
import { ShareWithFriends } from "./views.tsx";
import { albumOwnerRoutes, albumPeerRoutes, type AlbumsForFriends } from "./shared_albums.tsx";

export interface FriendsOptions {
  /** Signed access to the cloud tier (RegCloud names other servers' keys and relays); absent before registration. */
  cloud?: CloudAccess;
  thumbs: Thumbnailer;
  /** What a friend is sent for a file (Photos: without positions); the blob by default. */
  visitorBytes?: VisitorBytes;
  /** Albums the owner shares with friends (Photos), carried by the peer API and shown in Shared with me. */
  albums?: AlbumsForFriends;
  now?: () => number;
}

export interface Friends {
  plugin: Plugin;
  /** The Share page's section for an item (the links plugin shows it). */
  shareSection(itemId: string): Promise<unknown>;
}

export function createFriends(core: Core, opts: FriendsOptions): Friends {
  const now = opts.now ?? Date.now;
  const bytesFor: VisitorBytes = opts.visitorBytes ??
    ((item) => Promise.resolve({ blobPath: core.store.blobs.pathOf(item.blobHash!) }));
  const config = core.config.current;
  const log = core.log.child({ module: "friends" });
  const relations = new Relations(core.db, now);
  const groups = new Groups(core.db, now);
  const directory = new PeerDirectory(opts.cloud, now);
  const caPem = opts.cloud?.caPem;
  const client = opts.cloud
    ? new PeerClient({
      self: config.name,
      zone: config.zone,
      privateKey: opts.cloud.serverKey,
      directory,
      caPem,
    })
    : undefined;
  const captchas = new Captchas(
    now,
    config.captchaAnswersInLog
      ? (from, id, answer) =>
        log.warn("captcha issued (captchaAnswersInLog: tests only)", { from, id, answer })
      : undefined,
  );
  const door = new PeerDoor({
    self: config.name,
    zone: config.zone,
    relations,
    directory,
    now,
    onRefused: (why, from) => log.info("signed request refused", { from, why }),
  });
  const task = client
    ? new ShareTask({
      db: core.db,
      relations,
      client,
      log,
      intervalMs: config.friendCheckSeconds * 1000,
      now,
    })
    : undefined;
  const handshake = client
    ? new Handshake({ self: config.name, relations, client, notifications: core.notifications })
    : undefined;
  const copier = client ? new Copier(core, client) : undefined;
  const uploads = new PeerUploads(core, now);

  const shareSection = async (itemId: string) => {
    const own = await core.permissions.entriesOf(itemId);
    const effective: { entries: AclEntry[] } = own.length
      ? { entries: own }
      : await core.permissions.effective(itemId);
    const all = await relations.list();
    return (
      <ShareWithFriends
        itemId={itemId}
        entries={effective.entries}
        inherited={own.length === 0}
        friends={all.filter(mayReadMine).map((r) => r.name)}
        groups={(await groups.list()).map((g) => g.name)}
      />
    );
  };

  const plugin: Plugin = {
    id: "friends",
    nav: [{ label: "Friends", path: "/friends", order: 25 }],
    places: [{ label: "Shared with me", path: "/shared", icon: "share", order: 50 }],
    viewers: {
      // The handshake: any server that signed its request (checked in each route).
      [`${PEER_API}/`]: ["anonymous", "friend"],
      // What is shared: friends only.
      [`${PEER_API}/shared`]: ["friend"],
      [`${PEER_API}/items/`]: ["friend"],
      [`${PEER_API}/uploads/`]: ["friend"],
      [`${PEER_API}/search`]: ["friend"],
      [`${PEER_API}/albums`]: ["friend"],
      // A friend in a browser (signed in with their own account): what is shared with them.
      // ("/f/", not "/f": a prefix, and "/friends" is the owner's alone.)
      "/f/": ["friend"],
    },
    async recognise(c, _core, signedIn) {
      // A friend in a browser: signed in with their own account, which owns a server I share with.
      if (signedIn && !c.req.path.startsWith(`${PEER_API}/`)) {
        for (const server of signedIn.servers) {
          if (mayReadMine(await relations.get(server))) return { kind: "friend", name: server };
        }
        return undefined;
      }
      const from = await door.recognise(c);
      if (!from) return undefined;
      // Only a relation that lets it read what I share makes it a friend viewer.
      return mayReadMine(await relations.get(from)) ? { kind: "friend", name: from } : undefined;
    },
    app: (ctx) => {
      const app = new Hono<ShellEnv>();
      app.route(
        "/",
        peerApi({ core: ctx, relations, captchas, directory, thumbs: opts.thumbs, uploads, bytesFor }),
      );
      app.route("/", friendPages(ctx, bytesFor));
      app.route("/", peerSearchRoute(ctx));
      if (opts.albums) app.route("/", albumPeerRoutes(opts.albums));
      if (handshake && task && client && copier) {
        // Before the owner's routes: `/shared/:friend/albums` is not an item of theirs.
        if (opts.albums) app.route("/", albumOwnerRoutes({ relations, client, render: opts.albums.render }));
        app.route("/", ownerRoutes({ core: ctx, relations, groups, handshake, task, client, copier }));
        app.route("/", friendSearchRoute({ relations, client, task }));
      }
      return app;
    },
    activityKinds: [{ id: "friends", label: "Friends", icon: "share" }],
    start: () => task?.start(),
    stop: () => task?.stop(),
  };
  return { plugin, shareSection };
}
