/**
 * The tunnel port: TLS with the relay's own certificate. ALPN `hearth-tunnel/1` → the hello
 * exchange (verified by RegCloud), then yamux with the relay as the server side; anything else
 * → HTTP/1.1 `/healthz`. See PROTOCOL.md.
 */
import type { Socket, TCPSocketListener } from "bun";
import { concatBytes } from "../../shared/bytes.ts";
import { type AttachedSession, attachSocket } from "../../shared/mux/mod.ts";
import {
  decodeMessage,
  encodeMessage,
  hasIssuedShape,
  MAX_HELLO_MESSAGE,
  parseHello,
  type TunnelErrorCode,
  TunnelProtocolError,
  type TunnelReply,
} from "../../shared/tunnel/hello.ts";
import { alpnWire, HTTP_ALPN, TUNNEL_ALPN } from "../../shared/tunnel/alpn.ts";
import type { Logger } from "../../shared/log/mod.ts";
import type { AttachThrottle } from "./attach_throttle.ts";
import type { SourceCounter } from "./source_counter.ts";
import { contain } from "../../shared/net/contain.ts";
import { listenOrExplain } from "../../platform/main.ts";
import type { RelayConfig } from "./config.ts";
import type { CloudClient } from "./cloud_client.ts";
import type { EventReporter } from "./event_reporter.ts";
import { HttpHealthConnection } from "./http_health.ts";
import type { Tunnel, TunnelRegistry } from "./registry.ts";

type State =
  | { kind: "new" }
  | { kind: "http"; http: HttpHealthConnection }
  | { kind: "hello"; buf: Uint8Array; timer: ReturnType<typeof setTimeout> }
  | { kind: "verifying"; early: Uint8Array[] }
  | { kind: "tunnel"; mux: AttachedSession; tunnel: Tunnel }
  | { kind: "closed" };

/**
 * `source`: set once the connection counts toward its address's cap. `phase`: the deadline of the
 * phase before the hello's own (accept → TLS handshake, then the HTTP request head).
 */
type Data = { state: State; source?: string; phase?: ReturnType<typeof setTimeout> };
type Sock = Socket<Data>;

export interface TunnelPortDeps {
  cfg: RelayConfig;
  tls: { key: string; cert: string };
  cloud: CloudClient;
  registry: TunnelRegistry;
  events: EventReporter;
  health: () => unknown;
  /** Failed hellos per source address (see attach_throttle.ts). */
  attachThrottle: AttachThrottle;
  /** Open connections per source address (cap `maxTunnelPortConnectionsPerSource`). */
  perSource: SourceCounter;
  log: Logger;
}

export function listenTunnelPort(deps: TunnelPortDeps): TCPSocketListener<Data> {
  const { cfg, tls, log } = deps;
  const guard = <A extends unknown[]>(fn: (socket: Sock, ...rest: A) => void) =>
    contain(log, "tunnel port", fn);
  return listenOrExplain(
    "tunnels",
    `${cfg.tunnelAddress}:${cfg.tunnelPort}`,
    () =>
      Bun.listen<Data>({
        hostname: cfg.tunnelAddress,
        port: cfg.tunnelPort,
        // With ACME, a renewed certificate is served by a second listener on this port (relay.ts
        // reloadTls); only then, so two relays configured on one port still fail to start.
        // (bun-types lists `reusePort` for Bun.serve only; Bun.listen honours it too.)
        ...(cfg.acme ? { reusePort: true } : {}),
        tls: { key: tls.key, cert: tls.cert, ALPNProtocols: alpnWire([TUNNEL_ALPN, HTTP_ALPN]) },
        socket: {
          open: guard((socket) => {
            socket.data = { state: { kind: "new" } };
            if (deps.perSource.total >= cfg.maxTunnelPortConnections) {
              log.warn("tunnel-port connection refused: at the connection limit", {
                limit: cfg.maxTunnelPortConnections,
              });
              return void socket.terminate();
            }
            if (!deps.perSource.tryAdd(socket.remoteAddress)) {
              log.debug("tunnel-port connection refused: its address is at its connection cap", {
                remote: socket.remoteAddress,
                limit: cfg.maxTunnelPortConnectionsPerSource,
              });
              return void socket.terminate();
            }
            socket.data.source = socket.remoteAddress;
            socket.data.phase = phaseDeadline(socket, "new", cfg.handshakeTimeoutMs, log);
          }),
          handshake: guard((socket, success) => {
            clearTimeout(socket.data.phase);
            if (!success) return void socket.end();
            if (socket.alpnProtocol === TUNNEL_ALPN) {
              const wait = deps.attachThrottle.bannedFor(socket.remoteAddress);
              if (wait > 0) {
                socket.data.state = { kind: "closed" };
                reply(socket, { ok: false, code: "throttled", message: retryMessage(wait) });
                return void socket.end();
              }
              const timer = setTimeout(() => {
                if (socket.data.state.kind === "hello") {
                  refuse(socket, "bad_hello", "Tunnel hello not received in time");
                }
              }, cfg.helloTimeoutMs);
              socket.data.state = { kind: "hello", buf: new Uint8Array(0), timer };
              return;
            }
            socket.data.phase = phaseDeadline(socket, "http", cfg.helloTimeoutMs, log);
            socket.data.state = {
              kind: "http",
              http: new HttpHealthConnection(
                (path) =>
                  path === "/healthz"
                    ? { status: 200, body: deps.health() }
                    : { status: 404, body: { error: `No route for ${path}` } },
                (text) => socket.write(text),
                () => socket.end(),
              ),
            };
          }),
          data: guard((socket, chunk) => {
            const st = socket.data.state;
            switch (st.kind) {
              case "tunnel":
                return st.mux.data(chunk);
              case "http":
                return st.http.onData(chunk);
              case "hello":
                return onHelloBytes(deps, socket, st, chunk);
              case "verifying":
                // A client may pipeline its first yamux frames; keep them (bounded) for the session.
                if (st.early.reduce((n, c) => n + c.length, 0) + chunk.length > 1024 * 1024) {
                  return refuse(socket, "bad_hello", "Too many bytes before the tunnel reply");
                }
                st.early.push(chunk);
                return;
              default:
                return;
            }
          }),
          drain: guard((socket) => {
            const st = socket.data.state;
            if (st.kind === "tunnel") st.mux.drain();
          }),
          close: guard((socket, err) => {
            const st = socket.data.state;
            socket.data.state = { kind: "closed" };
            clearTimeout(socket.data.phase);
            if (socket.data.source !== undefined) deps.perSource.remove(socket.data.source);
            socket.data.source = undefined;
            if (st.kind === "hello") clearTimeout(st.timer);
            if (st.kind === "tunnel") {
              st.mux.close(err);
              if (deps.registry.remove(st.tunnel)) {
                log.info("tunnel down", { server: st.tunnel.serverName, remote: st.tunnel.remoteAddress });
                deps.events.report({
                  kind: "tunnel_down",
                  serverId: st.tunnel.serverId,
                  remoteAddress: st.tunnel.remoteAddress,
                  at: Date.now(),
                });
              }
            }
          }),
          error: guard((_socket, err) => {
            log.debug("tunnel socket error", { err });
          }),
        },
      }),
  );
}

/** Closes the socket if it is still in `phase` after `ms`. */
function phaseDeadline(socket: Sock, phase: "new" | "http", ms: number, log: Logger) {
  return setTimeout(() => {
    if (socket.data.state.kind !== phase) return;
    log.debug("tunnel-port connection timed out", { remote: socket.remoteAddress, phase });
    socket.data.state = { kind: "closed" };
    socket.terminate();
  }, ms);
}

function retryMessage(waitMs: number): string {
  return `Too many failed hellos from this address; retry in ${Math.ceil(waitMs / 1000)} s`;
}

function reply(socket: Sock, r: TunnelReply): void {
  socket.write(encodeMessage(r));
}

function refuse(socket: Sock, code: TunnelErrorCode, message: string): void {
  const st = socket.data.state;
  if (st.kind === "hello") clearTimeout(st.timer);
  socket.data.state = { kind: "closed" };
  reply(socket, { ok: false, code, message });
  socket.end();
}

function onHelloBytes(
  deps: TunnelPortDeps,
  socket: Sock,
  st: Extract<State, { kind: "hello" }>,
  chunk: Uint8Array,
) {
  const buf = (st.buf = concatBytes(st.buf, chunk));
  let msg: { value: unknown; used: number } | undefined;
  let hello;
  try {
    msg = decodeMessage(buf);
    if (!msg) {
      if (buf.length > MAX_HELLO_MESSAGE + 4) refuse(socket, "bad_hello", "Tunnel hello is too large");
      return;
    }
    hello = parseHello(msg.value);
  } catch (e) {
    deps.attachThrottle.fail(socket.remoteAddress);
    return refuse(
      socket,
      "bad_hello",
      e instanceof TunnelProtocolError ? e.message : "Tunnel hello is malformed",
    );
  }
  if (!hasIssuedShape(hello)) {
    // Checked here, not by RegCloud: junk costs the cloud nothing and counts against its source.
    deps.attachThrottle.fail(socket.remoteAddress);
    return refuse(socket, "attach_refused", "Tunnel hello carries no server id or nonce RegCloud issued");
  }
  clearTimeout(st.timer);
  const early = msg.used < buf.length ? [buf.subarray(msg.used)] : [];
  const verifying: State = { kind: "verifying", early };
  socket.data.state = verifying;
  void attach(deps, socket, hello, verifying);
}

async function attach(
  deps: TunnelPortDeps,
  socket: Sock,
  hello: { serverId: string; nonce: string; totp: string; sourceHeader?: boolean },
  verifying: Extract<State, { kind: "verifying" }>,
): Promise<void> {
  const { cfg, registry, log } = deps;
  const remoteAddress = socket.remoteAddress;
  if (registry.size >= cfg.maxTunnels) {
    return refuse(
      socket,
      "relay_full",
      `Relay ${cfg.id} holds ${registry.size} tunnels (limit ${cfg.maxTunnels})`,
    );
  }
  let answer;
  try {
    answer = await deps.cloud.verifyAttach({
      serverId: hello.serverId,
      nonce: hello.nonce,
      totp: hello.totp,
      source: remoteAddress,
    });
  } catch (err) {
    log.warn("attach verification failed: RegCloud unreachable", { err });
    if (socket.data.state === verifying) {
      refuse(socket, "unavailable", "RegCloud could not verify the attach");
    }
    return;
  }
  if (!answer.ok) deps.attachThrottle.fail(remoteAddress);
  else deps.attachThrottle.clear(remoteAddress);
  if (socket.data.state !== verifying) return; // the tunnel socket closed meanwhile
  if (!answer.ok) {
    log.warn("attach refused", {
      serverId: hello.serverId,
      code: answer.code,
      error: answer.error,
      remote: remoteAddress,
    });
    // An operator's stop keeps its code, so the connector can tell its owner why (PROTOCOL.md §10).
    const code = answer.code === "server_suspended" || answer.code === "server_deregistered"
      ? answer.code
      : answer.status === 429
      ? "throttled"
      : "attach_refused";
    return refuse(socket, code, answer.error);
  }
  const limits = {
    maxStreams: cfg.maxStreamsPerTunnel,
    maxStreamWindow: 16 * 1024 * 1024,
    keepaliveIntervalMs: cfg.keepaliveIntervalMs,
  };
  const sourceHeader = hello.sourceHeader === true;
  reply(socket, {
    ok: true,
    relayId: cfg.id,
    serverName: answer.serverName,
    limits,
    ...(sourceHeader ? { sourceHeader } : {}),
  });
  const mux = attachSocket(socket, {
    client: false,
    maxStreams: cfg.maxStreamsPerTunnel,
    keepaliveInterval: cfg.keepaliveIntervalMs,
    logger: log,
  });
  const tunnel: Tunnel = {
    serverId: answer.serverId,
    serverName: answer.serverName,
    session: mux.session,
    remoteAddress,
    upAt: Date.now(),
    sourceHeader,
  };
  socket.data.state = { kind: "tunnel", mux, tunnel };
  // Two tunnels of one server at this relay (a second instance, or a re-attach racing a half-dead
  // tunnel): the newest wins (PROTOCOL.md §8). The older ones get GoAway, finish their open streams
  // and close — at the latest after the drain timeout.
  const older = registry.of(tunnel.serverName);
  registry.add(tunnel);
  log.info("tunnel up", { server: tunnel.serverName, remote: remoteAddress, tunnels: registry.size });
  for (const o of older) {
    log.warn("a newer tunnel of this server replaces an older one: draining the older", {
      server: o.serverName,
      older: o.remoteAddress,
      newer: remoteAddress,
    });
    const timeout = new Promise((r) => setTimeout(r, deps.cfg.drainTimeoutMs));
    void Promise.race([o.session.goAway(), timeout]).then(() => o.session.close());
  }
  deps.events.report({ kind: "tunnel_up", serverId: tunnel.serverId, remoteAddress, at: tunnel.upAt });
  for (const chunk of verifying.early) mux.data(chunk);
}
