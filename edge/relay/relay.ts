/**
 * The relay: a browser port (plain TCP, routed by the ClientHello's SNI without decrypting)
 * and a TLS tunnel port (user servers attach here; `/healthz` answers over HTTP/1.1). It keeps
 * no database connection: attaches are verified by RegCloud, to which it also reports its load
 * every 2 s and every tunnel_up / tunnel_down.
 */
import type { Logger } from "../../shared/log/mod.ts";
import type { RelayConfig } from "./config.ts";
import { listenBrowserPort } from "./browser_port.ts";
import { CloudClient } from "./cloud_client.ts";
import { EventReporter } from "./event_reporter.ts";
import { RateLimiter } from "./rate_limit.ts";
import { type Tunnel, TunnelRegistry } from "./registry.ts";
import { SourceCounter } from "./source_counter.ts";
import { fileTap } from "./tap.ts";
import { listenTunnelPort } from "./tunnel_port.ts";
import { AttachThrottle } from "./attach_throttle.ts";
import { dropTunnels, UsageMeter } from "./operator_push.ts";
import pkg from "../../package.json" with { type: "json" };

export interface RelayDeps {
  tls: { key: string; cert: string };
  credential: string;
  cloudCaPem?: string;
  log: Logger;
}

export interface RunningRelay {
  browserPorts: number[];
  tunnelPort: number;
  registry: TunnelRegistry;
  /** Serves a renewed certificate on the tunnel port; tunnels already up stay as they are. */
  reloadTls(tls: { key: string; cert: string }): void;
  stop(): Promise<void>;
}

export function startRelay(cfg: RelayConfig, { tls, credential, cloudCaPem, log }: RelayDeps): RunningRelay {
  const startedAt = Date.now();
  const cloud = new CloudClient({ cloudUrl: cfg.cloudUrl, credential, caPem: cloudCaPem, log });
  const registry = new TunnelRegistry();
  const events = new EventReporter((e) => cloud.tunnelEvent(e), log);
  const counters = { connections: 0, bytes: 0, refused: 0 };
  const rateLimiter = new RateLimiter(cfg.connectionsPerSecondPerIp, cfg.connectionsPerSecondPerIp * 2);
  const perSource = new SourceCounter(cfg.maxConnectionsPerSource);
  const shares = new WeakMap<Tunnel, SourceCounter>();
  const tap = fileTap(cfg.debugTapFile);
  if (tap) log.warn("debug tap is ON: relayed bytes are written to disk", { file: cfg.debugTapFile });

  const tunnelPortSources = new SourceCounter(cfg.maxTunnelPortConnectionsPerSource);
  // A relay close to either connection limit cannot be counted on to accept the next browser: it
  // says so in its heartbeat, RegCloud stops offering it and DNS stops answering with it.
  const acceptsConnections = () =>
    counters.connections < cfg.maxBrowserConnections * 0.9 &&
    tunnelPortSources.total < cfg.maxTunnelPortConnections * 0.9;
  const health = () => ({
    ok: acceptsConnections(),
    service: "relay",
    id: cfg.id,
    uptimeMs: Date.now() - startedAt,
    tunnels: registry.size,
    streams: registry.streams(),
    browserConnections: counters.connections,
  });
  const tunnelDeps = {
    cfg,
    tls,
    cloud,
    registry,
    events,
    health,
    attachThrottle: new AttachThrottle(),
    perSource: tunnelPortSources,
    log,
  };
  // Names an operator suspended, as of the last heartbeat answer (PROTOCOL.md §10).
  const suspended = new Set<string>();
  let tunnelListener = listenTunnelPort(tunnelDeps);
  const browserListeners = cfg.browserAddresses.map((address) =>
    listenBrowserPort(address, {
      cfg,
      registry,
      rateLimiter,
      counters,
      perSource,
      shares,
      suspended,
      tap,
      log,
    })
  );

  // Heartbeats with load; the first right away so RegCloud hands this relay out promptly.
  const meter = new UsageMeter(registry);
  // One at a time: a slow cloud must not get an older tunnel set after a newer one (bench/scale).
  let beating = false;
  let lastBytes = 0;
  let lastAt = Date.now();
  const beat = async () => {
    if (beating) return;
    beating = true;
    const now = Date.now();
    const bytesPerSecond = ((counters.bytes - lastBytes) * 1000) / Math.max(1, now - lastAt);
    lastBytes = counters.bytes;
    lastAt = now;
    try {
      const healthy = acceptsConnections();
      if (!healthy) log.warn("relay reports itself unhealthy: near its connection limits", health());
      // The full tunnel set every time: RegCloud reconciles, so a restarted cloud tier (or one that
      // swept this relay while it missed heartbeats) lists the tunnels again after one heartbeat.
      const tunnelSet = registry.all().map((t) => ({
        serverId: t.serverId,
        remoteAddress: t.remoteAddress,
        upAt: t.upAt,
      }));
      const answer = await cloud.heartbeat({
        tunnels: registry.size,
        streams: registry.streams(),
        bytesPerSecond,
        healthy,
        tunnelSet,
        version: pkg.version,
        startedAt,
        usage: meter.take(),
      });
      meter.acknowledge();
      dropTunnels(registry, answer.drop, log);
      suspended.clear();
      for (const name of answer.suspended) suspended.add(name);
    } catch (err) {
      log.warn("heartbeat failed", { err });
    } finally {
      beating = false;
    }
  };
  void beat();
  const heartbeat = setInterval(beat, cfg.heartbeatIntervalMs);

  log.info("relay listening", {
    browsers: cfg.browserAddresses.map((a, i) => `${a}:${browserListeners[i].port}`),
    tunnels: `${cfg.tunnelAddress}:${tunnelListener.port}`,
    name: cfg.hostName,
  });

  return {
    browserPorts: browserListeners.map((l) => l.port),
    tunnelPort: tunnelListener.port,
    registry,
    reloadTls(next) {
      // The new listener first (same port, reusePort), then the old one stops accepting.
      const fresh = listenTunnelPort({ ...tunnelDeps, tls: next });
      tunnelListener.stop(false);
      tunnelListener = fresh;
      log.info("tunnel port now serves the renewed certificate");
    },
    async stop() {
      log.info("relay stopping: no new connections, draining tunnels", { tunnels: registry.size });
      clearInterval(heartbeat);
      for (const l of browserListeners) l.stop(false);
      tunnelListener.stop(false);
      // GoAway: servers open nothing new here and reconnect elsewhere; streams in flight finish.
      const drained = Promise.all(registry.all().map((t) => t.session.goAway().catch(() => {})));
      await Promise.race([drained, new Promise((r) => setTimeout(r, cfg.drainTimeoutMs))]);
      for (const t of registry.all()) void t.session.close();
      for (const l of browserListeners) l.stop(true);
      tunnelListener.stop(true);
      await events.flush();
      log.info("relay stopped");
    },
  };
}
