/**
 * The boot module: builds the user server from its modules and starts them in order — config,
 * database, signals, store, permissions, notifications, plugins, web (the two listeners),
 * connector — and stops them in reverse.
 */
import { readFileSync, rmSync } from "node:fs";
import type { Hono } from "hono";
import { listenOrExplain } from "../../platform/main.ts";
import { ensureServerKey, loadRegistration } from "../../platform/secrets.ts";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { Logger } from "../../shared/log/mod.ts";
import { ConfigStore, localOrigin, publicOrigin, type UserServerConfig } from "../config/mod.ts";
import { Connector } from "../connector/connector.ts";
import { openUserDb, type UserDb } from "../database/mod.ts";
import { Signals } from "../signals/mod.ts";
import { Store } from "../store/mod.ts";
import { Permissions } from "../permissions/mod.ts";
import { Notifications } from "../notifications/mod.ts";
import { accessCheck, type PluginContext, PluginHost } from "../plugins/mod.ts";
import { filesPlugin } from "../files/plugin.tsx";
import { MAX_UPLOAD_BYTES } from "../files/uploads.ts";
import { addPlugin } from "../add/plugin.tsx";
import { Importer } from "../add/jobs.ts";
import { settingsRoutes } from "../settings/routes.tsx";
import { notificationRoutes } from "../notifications/routes.tsx";
import { createLocalApp, type FirstRunSetup } from "../web/local_app.tsx";
import { setupRegistration } from "../registration/setup.ts";
import { createRelayedApp, type ShellCore } from "../web/relayed_app.tsx";
import type { ShellInfo } from "../web/render.tsx";
import { type ShellAuth, testOwnerAuth } from "../web/auth.ts";
import { serveOptions } from "../web/serve_options.ts";
import { Lifecycle } from "./lifecycle.ts";

export interface BootOptions {
  config: UserServerConfig;
  log: Logger;
  /** TLS key + certificate for both listeners; omit with `listen: false`. */
  tls?: { key: string; cert: string };
  /** The owner check (the OIDC module's). Default: none, unless the config sets `testOwnerToken`. */
  auth?: ShellAuth;
  /** Tests of the apps alone: no listeners, no connector. */
  listen?: boolean;
}

export interface UserServer {
  core: ShellCore;
  db: UserDb;
  importer: Importer;
  localApp: Hono;
  relayedApp: Hono<any>;
  /** The one-time first-run token while setup is pending. */
  setupToken: string | undefined;
  localPort?: number;
  stop(): Promise<void>;
}

export async function startUserServer(
  { config, log, tls, auth, listen = true }: BootOptions,
): Promise<UserServer> {
  const life = new Lifecycle(log);
  const configStore = new ConfigStore(config, log);
  let db!: UserDb;
  const signals = new Signals(log.child({ module: "signals" }));
  let store!: Store;
  let permissions!: Permissions;
  let notifications!: Notifications;
  const plugins = new PluginHost();
  let ctx!: PluginContext;
  let connector: Connector | undefined;
  const server = { setupToken: undefined as string | undefined } as UserServer;
  const shellRef: { info?: ShellInfo } = {};
  const shell = () => shellRef.info!;
  let importer!: Importer;

  life.add({ name: "config", start: () => void configStore.onChange(() => {}) });
  life.add({
    name: "database",
    start: async () => void (db = await openUserDb(config.dataDir)),
    stop: () => db.close(),
  });
  life.add({ name: "signals", start: () => {} });
  life.add({
    name: "store",
    start: async () => {
      store = new Store(config.dataDir, db, signals, log.child({ module: "store" }));
      await store.start();
    },
  });
  life.add({
    name: "permissions",
    start: () => void (permissions = new Permissions(db, store.items, config.name)),
  });
  life.add({
    name: "notifications",
    start: () => {
      notifications = new Notifications(db, signals);
      notifications.start();
    },
    stop: () => notifications.stop(),
  });
  life.add({
    name: "plugins",
    start: async () => {
      ctx = {
        db,
        config: configStore,
        signals,
        store,
        permissions,
        notifications,
        log,
        requireAccess: accessCheck(permissions, store),
        typeOf: (item) => plugins.typeOf(item),
      };
      importer = new Importer({
        db,
        store,
        signals,
        log: log.child({ module: "add" }),
        roots: () => configStore.current.importRoots,
        pauseMs: () => configStore.current.importPauseMs,
      });
      // The file manager is the Browse tab (plugin id "browse"; it replaced the plain listing).
      plugins.register(filesPlugin(shell, { dataDir: config.dataDir })).register(addPlugin(shell, importer));
      await plugins.start(ctx);
    },
    stop: () => plugins.stop(),
  });

  const stopListeners: Array<() => Promise<void> | void> = [];
  life.add({
    name: "web",
    start: () => {
      const tunnels = () => connector?.status() ?? [];
      const chosenAuth = auth ??
        (config.testOwnerToken ? testOwnerAuth(config.testOwnerToken, config.name) : undefined);
      if (!auth && config.testOwnerToken) {
        log.warn(
          "testOwnerToken is set: a browser with the test cookie is the owner (tests only, never in production)",
        );
      }
      if (!chosenAuth) log.warn("no sign-in configured: the relayed listener shows no user data");
      const core: ShellCore = {
        ctx,
        plugins,
        shellRoutes: [
          settingsRoutes(ctx, {
            publicOrigin: publicOrigin(config),
            localOrigin: localOrigin(config),
            tunnels,
          }),
          notificationRoutes(ctx),
        ],
      };
      server.core = core;
      server.relayedApp = createRelayedApp({
        name: config.name,
        enableByteStream: config.enableByteStream,
        origins: [publicOrigin(config), localOrigin(config)],
        auth: chosenAuth,
        core,
        log,
      });
      // The nav comes from the plugins; fill the shell info the plugins' pages render with.
      shellRef.info = {
        name: config.name,
        tabs: () => [...plugins.nav().map((n) => ({ label: n.label, path: n.path })), {
          label: "Settings",
          path: "/settings",
        }],
        unseen: () => notifications.unseenCount(),
      };
      const setup: FirstRunSetup = {
        token: () => server.setupToken,
        complete: ({ importRoots }) => {
          configStore.update({ importRoots, setupDone: true });
          server.setupToken = undefined;
          log.info("first-run setup completed");
        },
        registration: setupRegistration(config, { log }),
      };
      if (!configStore.current.setupDone) server.setupToken = randomToken(24);
      const localHostNames = [`local.${config.name}.${config.zone}`, config.localAddress];
      server.localApp = createLocalApp({
        name: config.name,
        publicOrigin: publicOrigin(config),
        tunnels,
        setup,
        log,
        hosts: localHostNames.flatMap((
          h,
        ) => [`${h}:${config.localPort}`, ...(config.localPort === 443 ? [h] : [])]),
      });
      if (!listen) return;
      const local = listenOrExplain(
        "the local listener",
        `${config.localAddress}:${config.localPort}`,
        () =>
          Bun.serve({
            ...serveOptions(log),
            hostname: config.localAddress,
            port: config.localPort,
            tls,
            fetch: server.localApp.fetch,
          }),
      );
      server.localPort = local.port;
      // A stale socket file from a crash would make listen fail; nothing else may own this path.
      rmSync(config.relayedSocket, { force: true });
      const relayed = listenOrExplain(
        "the relayed listener",
        config.relayedSocket,
        // Bodies are streamed, never buffered whole: a tus PATCH may carry a whole large file.
        () =>
          Bun.serve({
            ...serveOptions(log),
            unix: config.relayedSocket,
            tls,
            fetch: server.relayedApp.fetch,
            maxRequestBodySize: MAX_UPLOAD_BYTES,
          }),
      );
      stopListeners.push(
        () => local.stop(true),
        () => relayed.stop(true),
        () => rmSync(config.relayedSocket, { force: true }),
      );
    },
    stop: async () => {
      for (const s of stopListeners.splice(0)) await s();
    },
  });
  life.add({
    name: "connector",
    start: async () => {
      if (!listen) return;
      const registration = loadRegistration(config.dataDir);
      if (!registration) {
        log.warn("not registered yet: no tunnels (run the first-run setup or `npm run dev`)");
        return;
      }
      const { keys } = await ensureServerKey(config.dataDir);
      connector = new Connector({
        cloud: {
          cloudUrl: config.cloudUrl,
          caPem: config.caFile ? readFileSync(config.caFile, "utf8") : undefined,
          serverId: registration.serverId,
          serverKey: keys.privateKey,
        },
        totpSecret: registration.totpSecret,
        relayedSocket: config.relayedSocket,
        want: config.tunnels,
        log,
      });
      connector.start();
    },
    stop: async () => await connector?.stop(),
  });

  await life.start();
  server.db = db;
  server.importer = importer;
  server.stop = () => life.stop();
  return server;
}
