/**
 * The boot module: `createCore` (config, database, signals, store, permissions, notifications),
 * then `createWeb` (plugins, the shell, both listeners), then the lifecycle starts what runs —
 * notifications, plugins, listeners, connector — in that order and stops it in reverse.
 */
import type { CloudAccess } from "../connector/cloud.ts";
import { readFileSync } from "node:fs";
import type { Hono } from "hono";
import { ensureServerKey, loadRegistration } from "../../platform/secrets.ts";
import type { Logger } from "../../shared/log/mod.ts";
import type { UserServerConfig } from "../config/mod.ts";
import { Connector, type SourcedTarget } from "../connector/mod.ts";
import { type Core, createCore } from "../core/mod.ts";
import type { UserDb } from "../database/mod.ts";
import { Importer } from "../add/mod.ts";
import type { Plugin } from "../plugins/mod.ts";
import { createWeb, type Listening, type ShellAuth, type Web } from "../web/mod.ts";
import { Lifecycle } from "./lifecycle.ts";

export { BootError, Lifecycle, type Module } from "./lifecycle.ts";

export interface RunOptions {
  /** TLS key + certificate for both listeners; omit with `listen: false`. */
  tls?: { key: string; cert: string };
  /** Tests of the apps alone: no listeners, no connector. */
  listen?: boolean;
  /** More plugins after the built-in ones. */
  plugins?: Plugin[];
}

export interface BootOptions extends RunOptions {
  config: UserServerConfig;
  log: Logger;
  /** The owner check (the OIDC module's). Default: none, unless the config sets `testOwnerToken`. */
  auth?: ShellAuth;
}

export interface UserServer {
  core: Core;
  web: Web;
  db: UserDb;
  importer: Importer;
  localApp: Hono;
  relayedApp: Hono<any>;
  /** The one-time first-run token while setup is pending. */
  readonly setupToken: string | undefined;
  readonly localPort: number | undefined;
  /** Serves a renewed certificate on every listener without a restart (ACME). */
  reloadTls(tls: { key: string; cert: string }): void;
  stop(): Promise<void>;
}

/** Builds the core and runs the server on it (tests, benchmarks; `main.ts` builds sign-in in between). */
export async function startUserServer({ config, log, auth, ...run }: BootOptions): Promise<UserServer> {
  return await runUserServer(await createCore(config, log), auth, run);
}

/** Builds the web layer on `core` and starts it; on failure everything started is stopped and the database closed. */
export async function runUserServer(
  core: Core,
  auth: ShellAuth | undefined,
  { tls, listen = true, plugins }: RunOptions = {},
): Promise<UserServer> {
  const { log } = core;
  const config = core.config.current;
  const life = new Lifecycle(log);
  let listening: Listening | undefined;
  let built;
  try {
    const importer = new Importer({
      db: core.db,
      store: core.store,
      signals: core.signals,
      log: log.child({ module: "add" }),
      roots: () => core.config.current.importRoots,
      pauseMs: () => core.config.current.importPauseMs,
    });
    const cloud = await cloudAccessOf(config);
    if (!cloud) log.warn("not registered yet: no tunnels (run the first-run setup or `npm run dev`)");
    const connector = listen && cloud
      ? createConnector(config, cloud, log, { port: () => listening?.relayedPort, sources: core.sources })
      : undefined;
    const web = createWeb(core, auth, {
      importer,
      plugins,
      tunnels: () => connector?.status() ?? [],
      refusal: () => connector?.refusal(),
      cloud,
    });
    built = { importer, connector, web };
  } catch (e) {
    core.reader.close();
    core.db.close();
    throw e;
  }
  const { importer, connector, web } = built;

  // Added first, so it closes last, after everything that reads it has stopped.
  life.add({
    name: "database",
    start: () => {},
    stop: () => {
      core.reader.close();
      core.db.close();
    },
  });
  life.add({
    name: "notifications",
    start: () => core.notifications.start(),
    stop: () => core.notifications.stop(),
  });
  life.add({ name: "search", start: () => core.search.start(), stop: () => core.search.stop() });
  life.add({ name: "plugins", start: () => web.plugins.start(core), stop: () => web.plugins.stop() });
  if (listen) {
    life.add({
      name: "web",
      start: () => void (listening = web.listen(tls)),
      stop: () => listening?.stop(),
    });
  }
  if (connector) {
    life.add({
      name: "connector",
      start: () => connector.start(),
      stop: () => connector.stop(),
    });
  }
  await life.start();
  return {
    core,
    web,
    db: core.db,
    importer,
    localApp: web.localApp,
    relayedApp: web.relayedApp,
    get setupToken() {
      return web.setupToken();
    },
    get localPort() {
      return listening?.localPort;
    },
    reloadTls: (next) => listening?.reloadTls(next),
    stop: () => life.stop(),
  };
}

/** Signed access to the cloud tier, once registered (the server key and id); before that none. */
async function cloudAccessOf(config: UserServerConfig): Promise<CloudAccess | undefined> {
  const registration = loadRegistration(config.dataDir);
  if (!registration) return undefined;
  const { keys } = await ensureServerKey(config.dataDir);
  return {
    cloudUrl: config.cloudUrl,
    caPem: config.caFile ? readFileSync(config.caFile, "utf8") : undefined,
    serverId: registration.serverId,
    serverKey: keys.privateKey,
  };
}

/** The ETConnector: the tunnels to the relays. */
function createConnector(
  config: UserServerConfig,
  cloud: CloudAccess,
  log: Logger,
  sourced: SourcedTarget,
): Connector {
  return new Connector({
    cloud,
    totpSecret: loadRegistration(config.dataDir)!.totpSecret,
    relayedSocket: config.relayedSocket,
    sourced,
    want: config.tunnels,
    log,
  });
}
