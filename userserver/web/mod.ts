/**
 * The web layer: `createWeb(core, auth)` builds the plugins on the core, the shell (the relayed
 * app, behind its door), the local app (health and first-run setup only) and both listeners. It
 * builds; `listen()` and its stop are what the lifecycle starts and stops.
 */
import { renameSync, rmSync } from "node:fs";
import { listenOrExplain } from "../../platform/main.ts";
import { randomToken } from "../../shared/crypto/mod.ts";
import { TLS12_AEAD_CIPHERS } from "../../shared/tls/ciphers.ts";
import { localOrigin, publicOrigin } from "../config/mod.ts";
import type { Core } from "../core/mod.ts";
import { addPlugin, type Importer } from "../add/mod.ts";
import { createFiles, MAX_UPLOAD_BYTES } from "../files/mod.ts";
import { linksPlugin } from "../links/mod.ts";
import { createComments } from "../comments/mod.ts";
import { createActivity } from "../activity/mod.ts";
import { itemSections } from "./item_sections.tsx";
import { notificationsPlugin } from "../notifications/mod.ts";
import { type Plugin, Plugins } from "../plugins/mod.ts";
import { createFriends, friendPrincipals } from "../friends/mod.ts";
import { createPhotos } from "../photos/mod.ts";
import { devicesPlugin } from "../devices/plugin.tsx";
import { cameraPlugin } from "../camera/plugin.tsx";
import { collectionPlugin } from "../collection/plugin.tsx";
import { setupRegistration } from "../registration/mod.ts";
import { settingsPlugin } from "../settings/mod.ts";
import { searchPlugin } from "../search/plugin.tsx";
import { createDav } from "../dav/mod.ts";
import { issuerFor } from "../auth/mod.ts";
import { checkImportRoots, type Item } from "../store/mod.ts";
import { type ShellAuth, testOwnerAuth } from "./auth.ts";
import { createLocalApp } from "./local_app.tsx";
import { createRelayedApp } from "./relayed_app.tsx";
import { getCookie } from "hono/cookie";
import {
  LOCAL_COOKIE,
  localAuth,
  localProbe,
  localRoutes,
  LocalSessions,
  localSessionsPlugin,
  onlineRoutes,
  openWithDefault,
  PeerVerdicts,
  refusePeer,
} from "../local/mod.ts";
import type { CloudAccess } from "../connector/cloud.ts";
import { Hono } from "hono";
import { serveOptions } from "./serve_options.ts";

export { createLocalApp, type FirstRunSetup, type LocalAppOptions } from "./local_app.tsx";
export { createRelayedApp, type RelayedAppOptions, type ShellCore } from "./relayed_app.tsx";
export { type ShellAuth, type SignedInViewer, TEST_OWNER_COOKIE, testOwnerAuth } from "./auth.ts";
export { isFragmentRequest, render, type ShellInfo } from "./render.tsx";

export interface WebOptions {
  /** Add's import jobs (the Add plugin runs them). */
  importer: Importer;
  /** The connector's tunnels, for health and Settings (relay ids only). */
  tunnels?: () => { relayId: string; upAt: number }[];
  /** Why relays refuse this server, when the cloud's operator stopped it (the connector's `refusal`). */
  refusal?: () => { message: string; at: number } | undefined;
  /** More plugins, after the built-in ones (Browse, Add, Notifications, Settings). */
  plugins?: Plugin[];
  /** Signed requests to the cloud tier, once registered (the local sign-in's IdCloud challenge). */
  cloud?: CloudAccess;
}

/** The open listeners; `reloadTls` swaps in a renewed certificate without a restart. */
export interface Listening {
  localPort: number;
  readonly relayedPort: number;
  reloadTls(tls: { key: string; cert: string }): void;
  stop(): void;
}

export interface Web {
  plugins: Plugins;
  relayedApp: Hono<any>;
  localApp: Hono;
  /** The one-time first-run token while setup is pending. */
  setupToken(): string | undefined;
  /**
   * Opens the listeners (TLS from the data directory): local, relayed (Unix socket) and the
   * relayed app on a loopback TCP port for streams that carry the browser's address.
   */
  listen(
    tls: { key: string; cert: string } | undefined,
  ): Listening;
}

export function createWeb(core: Core, auth: ShellAuth | undefined, opts: WebOptions): Web {
  const { log } = core;
  const config = core.config.current;
  const tunnels = opts.tunnels ?? (() => []);
  const chosenAuth = auth ??
    (config.testOwnerToken ? testOwnerAuth(config.testOwnerToken, config.name) : undefined);
  if (!auth && config.testOwnerToken) {
    log.warn(
      "testOwnerToken is set: a browser with the test cookie is the owner (tests only, never in production)",
    );
  }
  if (!chosenAuth) log.warn("no sign-in configured: the relayed listener shows no user data");

  const dav = createDav(core);
  // Browsers on this computer, proven by `userserver open` or IdCloud's challenge (userserver/local).
  const localSessions = new LocalSessions();
  const comments = createComments(core);
  const activity = createActivity(core);
  // The file manager is the Browse tab.
  const files = createFiles(core, {
    dataDir: config.dataDir,
    uploadExpiryDays: config.uploadExpiryDays,
    typeOf: (item) => plugins.typeOf(item),
    itemSections: itemSections(comments, activity),
  });
  // Friends: other Hearth servers this one trusts, and what they share (userserver/friends).
  // Photos: the timeline, albums and shared albums (userserver/photos); what visitors get of a photo.
  const photos = createPhotos(core, { dataDir: config.dataDir, friendChoices: friendPrincipals(core.db) });
  const visitorBytes = (item: Item) => photos.visitorCopies.of(item);
  const friends = createFriends(core, {
    cloud: opts.cloud,
    thumbs: files.thumbs,
    visitorBytes,
    albums: photos.forFriends,
  });
  const plugins: Plugins = new Plugins([
    files.plugin,
    linksPlugin(core, {
      dataDir: config.dataDir,
      publicOrigin: publicOrigin(config),
      thumbs: files.thumbs,
      comments: { thread: comments.thread, post: comments.post },
      shareSection: friends.shareSection,
      visitorBytes,
    }),
    friends.plugin,
    photos.plugin,
    comments.plugin,
    activity.plugin,
    searchPlugin({ alsoFrom: "/search/friends" }),
    addPlugin(opts.importer),
    notificationsPlugin,
    dav.plugin,
    localSessionsPlugin(localSessions),
    devicesPlugin(core, { publicOrigin: publicOrigin(config) }),
    cameraPlugin(core),
    collectionPlugin(core),
    settingsPlugin(
      {
        publicOrigin: publicOrigin(config),
        localOrigin: localOrigin(config),
        tunnels,
        refusal: opts.refusal,
      },
      () => plugins.settingsSections(),
    ),
    ...(opts.plugins ?? []),
  ]);
  // "Open on this computer": relayed pages probe the local listener (userserver/local/here.ts).
  const here = localProbe(localOrigin(config), publicOrigin(config));
  const relayedApp = createRelayedApp({
    name: config.name,
    enableByteStream: config.enableByteStream,
    origins: [publicOrigin(config), localOrigin(config)],
    auth: chosenAuth,
    core: { core, plugins },
    idOrigin: issuerFor({ zone: config.zone, cloudUrl: config.cloudUrl }),
    localProbe: here.probe,
    log,
  });

  const peerVerdicts = new PeerVerdicts();
  // The same shell on the local listener, with a local session as the owner's proof.
  const localShell = createRelayedApp({
    name: config.name,
    enableByteStream: false,
    origins: [localOrigin(config)],
    auth: localAuth(localSessions, config.name),
    core: { core, plugins },
    idOrigin: issuerFor({ zone: config.zone, cloudUrl: config.cloudUrl }),
    listener: "local",
    log,
  });
  const openWith = async (itemId: string) => {
    const item = await core.store.items.get(itemId);
    if (!item || item.kind !== "file" || !item.blobHash) return "No such file";
    openWithDefault(config.dataDir, core.store.blobs.pathOf(item.blobHash), item.name);
    log.info("opened a file with the default application", { item: item.id });
    return undefined;
  };

  let setupToken = core.config.current.setupDone ? undefined : randomToken(24);
  const localHostNames = [`local.${config.name}.${config.zone}`, config.localAddress];
  const localApp = createLocalApp({
    name: config.name,
    publicOrigin: publicOrigin(config),
    tunnels,
    refusal: opts.refusal,
    log,
    dav: (c) => dav.serveDirect(c),
    signIn: new Hono()
      .route(
        "/",
        localRoutes({ name: config.name, dataDir: config.dataDir, sessions: localSessions, openWith }),
      )
      .route("/", here.routes)
      .route(
        "/",
        onlineRoutes({
          cloud: opts.cloud,
          idOrigin: issuerFor({ zone: config.zone, cloudUrl: config.cloudUrl }),
          localOrigin: localOrigin(config),
          sessions: localSessions,
        }),
      ),
    signedIn: (c) => localSessions.get(getCookie(c, LOCAL_COOKIE)) !== undefined,
    shell: localShell,
    setup: {
      token: () => setupToken,
      complete: ({ importRoots }) => {
        // Never `/`, a whole home directory or a data directory (the message says why).
        core.config.update({ importRoots: checkImportRoots(core.store.paths, importRoots), setupDone: true });
        setupToken = undefined;
        log.info("first-run setup completed");
      },
      registration: setupRegistration(config, { log }),
    },
    hosts: localHostNames.flatMap((
      h,
    ) => [`${h}:${config.localPort}`, ...(config.localPort === 443 ? [h] : [])]),
  });

  return {
    plugins,
    relayedApp,
    localApp,
    setupToken: () => setupToken,
    listen(keys) {
      // TLS 1.2 offers only ECDHE + AEAD suites on both listeners (TLS 1.3 is unchanged).
      const tlsOf = (k: typeof keys) => k ? { ...k, ciphers: TLS12_AEAD_CIPHERS } : undefined;
      const serveLocal = (k: typeof keys) =>
        listenOrExplain(
          "the local listener",
          `${config.localAddress}:${config.localPort}`,
          () =>
            Bun.serve({
              ...serveOptions(log),
              hostname: config.localAddress,
              port: config.localPort,
              // With ACME, a renewed certificate is served by a second listener on the same port
              // (reloadTls); only then, so two servers configured on one port still fail to start.
              reusePort: config.acme !== undefined,
              tls: tlsOf(k),
              // The full UI is here too: a tus PATCH may carry a whole large file.
              maxRequestBodySize: MAX_UPLOAD_BYTES,
              // Before any route: the peer is on loopback and, on Linux, is the server's own OS user.
              fetch: (req, server) => {
                const peer = server.requestIP(req);
                const path = new URL(req.url).pathname;
                const why = refusePeer(peer && { ip: peer.address, port: peer.port }, {
                  us: { ip: config.localAddress, port: server.port ?? config.localPort },
                  uid: process.getuid?.(),
                  verdicts: peerVerdicts,
                  fresh: path === "/local/open" || path === "/local/return",
                });
                if (why) return new Response(why, { status: 403, headers: { "content-type": "text/plain" } });
                return localApp.fetch(req, server);
              },
            }),
        );
      // Bodies are streamed, never buffered whole: a tus PATCH may carry a whole large file.
      const serveRelayed = (k: typeof keys, unix: string) =>
        listenOrExplain(
          "the relayed listener",
          unix,
          () =>
            Bun.serve({
              ...serveOptions(log),
              unix,
              tls: tlsOf(k),
              fetch: relayedApp.fetch,
              maxRequestBodySize: MAX_UPLOAD_BYTES,
            }),
        );
      // The connector connects here for streams with a source header: the peer port of each
      // connection names the browser's address in `sources` (web/client_address.ts).
      const serveRelayedTcp = (k: typeof keys) =>
        listenOrExplain(
          "the relayed loopback listener",
          "127.0.0.1:0",
          () =>
            Bun.serve({
              ...serveOptions(log),
              hostname: "127.0.0.1",
              port: 0,
              tls: tlsOf(k),
              fetch: relayedApp.fetch,
              maxRequestBodySize: MAX_UPLOAD_BYTES,
            }),
        );
      let local = serveLocal(keys);
      // A stale socket file from a crash would make listen fail; nothing else may own this path.
      rmSync(config.relayedSocket, { force: true });
      let relayed = serveRelayed(keys, config.relayedSocket);
      let relayedTcp = serveRelayedTcp(keys);
      // Relayed listeners replaced by reloadTls: stopping one would unlink the socket path its
      // successor now holds, so they stay open (unreachable) until the server stops.
      const retired: Array<{ stop(closeActive?: boolean): void }> = [];
      const localPort = local.port ?? config.localPort;
      return {
        localPort,
        get relayedPort() {
          return relayedTcp.port!;
        },
        reloadTls(next) {
          // New listeners first, then the old ones stop accepting; connections in flight finish.
          const nextLocal = serveLocal(next);
          local.stop(false);
          local = nextLocal;
          const staged = `${config.relayedSocket}.next`;
          rmSync(staged, { force: true });
          const nextRelayed = serveRelayed(next, staged);
          renameSync(staged, config.relayedSocket);
          retired.push(relayed);
          relayed = nextRelayed;
          const nextTcp = serveRelayedTcp(next);
          relayedTcp.stop(false);
          relayedTcp = nextTcp;
          log.info("listeners now serve the renewed certificate");
        },
        stop() {
          local.stop(true);
          for (const r of retired) r.stop(true);
          relayed.stop(true);
          relayedTcp.stop(true);
          rmSync(config.relayedSocket, { force: true });
        },
      };
    },
  };
}
