/**
 * The browser port: plain TCP. The relay reads the ClientHello only far enough to learn its
 * server name, opens a stream in that user's tunnel, replays the bytes it read, and splices the
 * two without decrypting anything. Unknown names get a TLS alert; malformed or slow hellos a
 * clean close.
 */
import type { Socket, TCPSocketListener } from "bun";
import { encodeSourceHeader } from "../../shared/tunnel/source_header.ts";
import { splice, type SpliceEvents } from "../../shared/mux/mod.ts";
import { AlertDescription, ClientHelloParser, tlsAlert } from "../../shared/tls/mod.ts";
import type { Logger } from "../../shared/log/mod.ts";
import { contain } from "../../shared/net/contain.ts";
import { listenOrExplain } from "../../platform/main.ts";
import type { RelayConfig } from "./config.ts";
import type { RateLimiter } from "./rate_limit.ts";
import type { Tunnel, TunnelRegistry } from "./registry.ts";
import { SourceCounter } from "./source_counter.ts";
import type { Tap } from "./tap.ts";

type State =
  | { kind: "hello"; parser: ClientHelloParser; timer: ReturnType<typeof setTimeout> }
  | { kind: "piped"; pipe: SpliceEvents; share: SourceCounter }
  | { kind: "closed" };

/** `source`: set once the connection counts toward its address's cap. */
type Data = { state: State; source?: string };
type Sock = Socket<Data>;

export interface BrowserPortDeps {
  cfg: RelayConfig;
  registry: TunnelRegistry;
  rateLimiter: RateLimiter;
  counters: { connections: number; bytes: number; refused: number };
  /** Open connections per source address, over all browser ports (cap `maxConnectionsPerSource`). */
  perSource: SourceCounter;
  /** Each tunnel's streams per source address (cap: `maxStreamShareFromOneSource` of its streams). */
  shares: WeakMap<Tunnel, SourceCounter>;
  /** Names an operator suspended: refused with `access_denied` rather than `unrecognized_name`. */
  suspended?: ReadonlySet<string>;
  tap?: Tap;
  log: Logger;
}

export function listenBrowserPort(
  address: string,
  deps: BrowserPortDeps,
): TCPSocketListener<Data> {
  const { cfg, log, counters } = deps;
  const guard = <A extends unknown[]>(fn: (socket: Sock, ...rest: A) => void) =>
    contain(log, "browser port", fn);
  return listenOrExplain("browsers", `${address}:${cfg.browserPort}`, () =>
    Bun.listen<Data>({
      hostname: address,
      port: cfg.browserPort,
      // A browser that sends its request and then FIN still gets its answer: the FIN travels
      // as a yamux FIN and the user server sees end of input (Bun would otherwise close both ends).
      allowHalfOpen: true,
      socket: {
        open: guard((socket) => {
          socket.data = { state: { kind: "closed" } };
          if (counters.connections >= cfg.maxBrowserConnections) {
            counters.refused++;
            log.warn("browser connection refused: relay at its connection limit", {
              limit: cfg.maxBrowserConnections,
            });
            return void socket.end(tlsAlert(AlertDescription.internal_error));
          }
          if (!deps.rateLimiter.take(socket.remoteAddress)) {
            counters.refused++;
            return void socket.end();
          }
          if (!deps.perSource.tryAdd(socket.remoteAddress)) {
            counters.refused++;
            log.debug("browser connection refused: its address is at its connection cap", {
              remote: socket.remoteAddress,
              limit: cfg.maxConnectionsPerSource,
            });
            return void socket.end(tlsAlert(AlertDescription.internal_error));
          }
          socket.data.source = socket.remoteAddress;
          counters.connections++;
          // Accept → first byte, then first byte → complete ClientHello: each phase has its deadline.
          const timer = helloDeadline(socket, cfg.firstByteTimeoutMs, log);
          socket.data.state = { kind: "hello", parser: new ClientHelloParser(), timer };
        }),
        data: guard((socket, chunk) => {
          const st = socket.data.state;
          if (st.kind === "piped") {
            counters.bytes += chunk.length;
            deps.tap?.up(chunk);
            return st.pipe.data(chunk);
          }
          if (st.kind !== "hello") return;
          if (st.parser.buffered.length === 0) {
            clearTimeout(st.timer);
            st.timer = helloDeadline(socket, cfg.helloTimeoutMs, log);
          }
          onHelloBytes(deps, socket, st, chunk);
        }),
        drain: guard((socket) => {
          const st = socket.data.state;
          if (st.kind === "piped") st.pipe.drain();
        }),
        end: guard((socket) => {
          const st = socket.data.state;
          if (st.kind === "piped") st.pipe.end();
          else close(socket);
        }),
        close: guard((socket, err) => {
          const st = socket.data.state;
          if (st.kind === "hello") clearTimeout(st.timer);
          if (st.kind !== "closed") counters.connections--;
          socket.data.state = { kind: "closed" };
          const source = socket.data.source;
          socket.data.source = undefined;
          if (source !== undefined) deps.perSource.remove(source);
          if (st.kind === "piped") {
            if (source !== undefined) st.share.remove(source);
            st.pipe.close(err);
          }
        }),
        error: guard((_socket, err) => {
          log.debug("browser socket error", { err });
        }),
      },
    }));
}

function helloDeadline(socket: Sock, ms: number, log: Logger): ReturnType<typeof setTimeout> {
  return setTimeout(() => {
    if (socket.data.state.kind === "hello") {
      log.debug("browser hello timed out", {
        remote: socket.remoteAddress,
        received: socket.data.state.parser.buffered.length,
      });
      close(socket);
    }
  }, ms);
}

function close(socket: Sock, alert?: number): void {
  const st = socket.data.state;
  if (st.kind === "hello") clearTimeout(st.timer);
  if (alert !== undefined) socket.end(tlsAlert(alert));
  else socket.end();
}

function onHelloBytes(
  deps: BrowserPortDeps,
  socket: Sock,
  st: Extract<State, { kind: "hello" }>,
  chunk: Uint8Array,
) {
  // The parser keeps the bytes and resumes where it stopped: a hello trickled in 1-byte records
  // costs linear work, not a re-parse per chunk.
  const hello = st.parser.push(chunk);
  if (hello.kind === "need-more") return;
  if (hello.kind === "error") {
    deps.log.debug("bad ClientHello", { remote: socket.remoteAddress, error: hello.error.message });
    return close(socket, hello.error.alert);
  }
  const user = userOf(hello.serverName, deps.cfg.zone);
  const tunnel = user ? deps.registry.pick(user) : undefined;
  if (!tunnel) {
    if (user && deps.suspended?.has(user)) {
      deps.log.debug("suspended name", { name: hello.serverName, remote: socket.remoteAddress });
      return close(socket, AlertDescription.access_denied);
    }
    deps.log.debug("no tunnel for name", { name: hello.serverName, remote: socket.remoteAddress });
    return close(socket, AlertDescription.unrecognized_name);
  }
  // Half-open or stalled handshakes from one address may hold only a share of the tunnel's streams.
  let share = deps.shares.get(tunnel);
  if (!share) {
    share = new SourceCounter(
      Math.max(1, Math.floor(deps.cfg.maxStreamsPerTunnel * deps.cfg.maxStreamShareFromOneSource)),
    );
    deps.shares.set(tunnel, share);
  }
  if (!share.tryAdd(socket.remoteAddress)) {
    deps.counters.refused++;
    deps.log.debug("browser refused: its address holds its share of the tunnel's streams", {
      server: tunnel.serverName,
      remote: socket.remoteAddress,
    });
    return close(socket, AlertDescription.internal_error);
  }
  let stream;
  try {
    stream = tunnel.session.openSync();
  } catch (err) {
    share.remove(socket.remoteAddress);
    deps.log.warn("cannot open a stream in the tunnel", { server: tunnel.serverName, err });
    return close(socket, AlertDescription.internal_error);
  }
  clearTimeout(st.timer);
  const tap = deps.tap;
  const target = tap
    ? {
      write: (b: Uint8Array) => {
        const n = socket.write(b);
        if (n > 0) tap.down(b.subarray(0, n));
        return n;
      },
      end: () => socket.end(),
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      shutdown: (half?: boolean) => socket.shutdown(half),
      terminate: () => socket.terminate(),
    }
    : socket;
  const pipe = splice(stream, target, {
    halfClose: true,
    onClose: () => socket.data.state.kind !== "closed" && socket.end(),
  });
  socket.data.state = { kind: "piped", pipe, share };
  if (tunnel.sourceHeader) {
    // The browser's address first (outside its TLS), if the connector asked for it.
    pipe.data(encodeSourceHeader(
      { address: socket.remoteAddress, port: socket.remotePort },
      { address: socket.localAddress, port: socket.localPort },
    ));
  }
  const buf = st.parser.buffered;
  deps.counters.bytes += buf.length;
  tap?.up(buf);
  pipe.data(buf); // replay the ClientHello (and anything after it) into the stream
}

/** `alice.<zone>` → `alice`; anything else (other zones, deeper names like `local.alice`) → undefined. */
export function userOf(serverName: string | null, zone: string): string | undefined {
  if (!serverName || !serverName.endsWith(`.${zone}`)) return undefined;
  const label = serverName.slice(0, -(zone.length + 1));
  return label && !label.includes(".") ? label : undefined;
}
