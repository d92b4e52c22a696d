/**
 * The browser port: plain TCP. The relay reads the ClientHello only far enough to learn its
 * server name, opens a stream in that user's tunnel, replays the bytes it read, and splices the
 * two without decrypting anything. Unknown names get a TLS alert; malformed or slow hellos a
 * clean close.
 */
import type { Socket, TCPSocketListener } from "bun";
import { concatBytes } from "../../shared/bytes.ts";
import { splice, type SpliceEvents } from "../../shared/mux/mod.ts";
import { AlertDescription, parseClientHello, tlsAlert } from "../../shared/tls/mod.ts";
import type { Logger } from "../../shared/log/mod.ts";
import { contain } from "../../shared/net/contain.ts";
import { listenOrExplain } from "../../platform/main.ts";
import type { RelayConfig } from "./config.ts";
import type { RateLimiter } from "./rate_limit.ts";
import type { TunnelRegistry } from "./registry.ts";
import type { Tap } from "./tap.ts";

type State =
  | { kind: "hello"; buf: Uint8Array; timer: ReturnType<typeof setTimeout> }
  | { kind: "piped"; pipe: SpliceEvents }
  | { kind: "closed" };

type Sock = Socket<{ state: State }>;

export interface BrowserPortDeps {
  cfg: RelayConfig;
  registry: TunnelRegistry;
  rateLimiter: RateLimiter;
  counters: { connections: number; bytes: number; refused: number };
  tap?: Tap;
  log: Logger;
}

export function listenBrowserPort(
  address: string,
  deps: BrowserPortDeps,
): TCPSocketListener<{ state: State }> {
  const { cfg, log, counters } = deps;
  const guard = <A extends unknown[]>(fn: (socket: Sock, ...rest: A) => void) =>
    contain(log, "browser port", fn);
  return listenOrExplain("browsers", `${address}:${cfg.browserPort}`, () =>
    Bun.listen<{ state: State }>({
      hostname: address,
      port: cfg.browserPort,
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
          counters.connections++;
          const timer = setTimeout(() => {
            if (socket.data.state.kind === "hello") {
              log.debug("browser hello timed out", { remote: socket.remoteAddress });
              close(socket);
            }
          }, cfg.helloTimeoutMs);
          socket.data.state = { kind: "hello", buf: new Uint8Array(0), timer };
        }),
        data: guard((socket, chunk) => {
          const st = socket.data.state;
          if (st.kind === "piped") {
            counters.bytes += chunk.length;
            deps.tap?.up(chunk);
            return st.pipe.data(chunk);
          }
          if (st.kind === "hello") onHelloBytes(deps, socket, st, chunk);
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
          if (st.kind === "piped") st.pipe.close(err);
        }),
        error: guard((_socket, err) => {
          log.debug("browser socket error", { err });
        }),
      },
    }));
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
  const buf = (st.buf = concatBytes(st.buf, chunk));
  const hello = parseClientHello(buf);
  if (hello.kind === "need-more") return;
  if (hello.kind === "error") {
    deps.log.debug("bad ClientHello", { remote: socket.remoteAddress, error: hello.error.message });
    return close(socket, hello.error.alert);
  }
  const user = userOf(hello.serverName, deps.cfg.zone);
  const tunnel = user ? deps.registry.pick(user) : undefined;
  if (!tunnel) {
    deps.log.debug("no tunnel for name", { name: hello.serverName, remote: socket.remoteAddress });
    return close(socket, AlertDescription.unrecognized_name);
  }
  let stream;
  try {
    stream = tunnel.session.openSync();
  } catch (err) {
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
  socket.data.state = { kind: "piped", pipe };
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
