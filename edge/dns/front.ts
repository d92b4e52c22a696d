/**
 * The classic DNS front on Bun: UDP and TCP on one address and port, both answered by the same
 * `Responder` as DoH. UDP answers that do not fit the client's size carry TC (see resolver.ts);
 * TCP carries length-prefixed messages (RFC 1035 §4.2.2, RFC 7766), pipelined, with a cap on
 * connections (in all and per source address) and on buffered input and output per connection.
 * Time is bounded absolutely, not by an idle timer a byte can reset: a started message must be
 * complete within `tcpMessageDeadlineMs`, a new one must start within `tcpIdleTimeoutMs` of the
 * last, and no connection lives past `tcpConnectionLifetimeMs` (a byte every 4 s held one forever).
 */
import type { Logger } from "../../shared/log/mod.ts";
import type { TransportKind } from "./resolver.ts";
import { listenOrExplain } from "../../platform/main.ts";

export interface Answerer {
  respond(query: Uint8Array, transport: TransportKind): Uint8Array | null;
}

export interface DnsFrontOptions {
  hostname: string;
  port: number;
  answerer: () => Answerer;
  log: Logger;
  /** Between messages (default 10 s). */
  tcpIdleTimeoutMs?: number;
  /** From a message's first byte to its last (default 5 s). */
  tcpMessageDeadlineMs?: number;
  /** A connection's whole life (default 120 s). */
  tcpConnectionLifetimeMs?: number;
  maxTcpConnections?: number;
  /** Open TCP connections one source address may hold (default 16). */
  maxTcpPerSource?: number;
}

export interface DnsFront {
  port: number;
  stats: { udpQueries: number; udpDropped: number; tcpQueries: number; tcpConnections: number };
  stop(): void;
}

/** Input kept per TCP connection: one maximal message plus its length prefix. */
const MAX_TCP_BUFFER = 65_537;
/** Answers queued for a slow TCP reader before the connection is closed. */
const MAX_TCP_PENDING = 256 * 1024;

type TcpState = {
  buf: Uint8Array;
  pending: Uint8Array[];
  pendingBytes: number;
  source: string;
  openedAt: number;
  /** When the current partial message began, or when the last message ended / the connection opened. */
  since: number;
  timer: ReturnType<typeof setTimeout> | undefined;
};

export async function startDnsFront(o: DnsFrontOptions): Promise<DnsFront> {
  const stats = { udpQueries: 0, udpDropped: 0, tcpQueries: 0, tcpConnections: 0 };
  const idleMs = o.tcpIdleTimeoutMs ?? 10_000;
  const messageMs = o.tcpMessageDeadlineMs ?? 5_000;
  const lifetimeMs = o.tcpConnectionLifetimeMs ?? 120_000;
  const perSource = new Map<string, number>();
  /** The next moment the connection must be closed, from its state (partial message or not). */
  const arm = (s: import("bun").Socket<TcpState>) => {
    const st = s.data;
    clearTimeout(st.timer);
    const until = Math.min(st.openedAt + lifetimeMs, st.since + (st.buf.length > 0 ? messageMs : idleMs));
    st.timer = setTimeout(() => s.end(), Math.max(0, until - Date.now()));
  };
  const answer = (q: Uint8Array, t: TransportKind): Uint8Array | null => {
    try {
      return o.answerer().respond(q, t);
    } catch (err) {
      // Invariant 4: bad input gets an error or nothing, never a crash.
      o.log.warn("query failed", { err, transport: t });
      return null;
    }
  };

  const tcp = listenOrExplain("DNS over TCP", `${o.hostname}:${o.port}`, () =>
    Bun.listen<TcpState>({
      hostname: o.hostname,
      port: o.port,
      socket: {
        open(s) {
          const source = s.remoteAddress;
          const fromSource = perSource.get(source) ?? 0;
          if (
            stats.tcpConnections >= (o.maxTcpConnections ?? 1_000) || fromSource >= (o.maxTcpPerSource ?? 16)
          ) {
            s.end();
            return;
          }
          stats.tcpConnections++;
          perSource.set(source, fromSource + 1);
          const now = Date.now();
          s.data = {
            buf: new Uint8Array(0),
            pending: [],
            pendingBytes: 0,
            source,
            openedAt: now,
            since: now,
            timer: undefined,
          };
          arm(s);
        },
        data(s, chunk) {
          const st = s.data;
          if (!st) return;
          const wasPartial = st.buf.length > 0;
          let buf = concat(st.buf, chunk);
          let completed = false;
          while (buf.length >= 2) {
            const len = (buf[0] << 8) | buf[1];
            if (buf.length < 2 + len) break;
            const msg = buf.subarray(2, 2 + len);
            buf = buf.subarray(2 + len);
            completed = true;
            stats.tcpQueries++;
            const out = answer(msg, "tcp");
            if (!out) continue;
            const framed = new Uint8Array(out.length + 2);
            framed[0] = out.length >> 8;
            framed[1] = out.length & 0xff;
            framed.set(out, 2);
            send(s, framed);
            if (st.pendingBytes > MAX_TCP_PENDING) {
              s.end();
              return;
            }
          }
          if (buf.length > MAX_TCP_BUFFER) {
            s.end();
            return;
          }
          st.buf = buf.slice();
          // A message's clock starts at its first byte; only finishing messages moves it on.
          if (completed || !wasPartial) st.since = Date.now();
          arm(s);
        },
        drain(s) {
          const st = s.data;
          if (!st) return;
          while (st.pending.length) {
            const head = st.pending[0];
            const n = s.write(head);
            st.pendingBytes -= n;
            if (n < head.length) {
              st.pending[0] = head.subarray(n);
              return;
            }
            st.pending.shift();
          }
        },
        close(s) {
          const st = s.data;
          if (st) {
            stats.tcpConnections--;
            clearTimeout(st.timer);
            const n = (perSource.get(st.source) ?? 1) - 1;
            if (n <= 0) perSource.delete(st.source);
            else perSource.set(st.source, n);
          }
          s.data = undefined as unknown as TcpState;
        },
        error(s, err) {
          o.log.debug("tcp connection error", { err: err.message });
          s.end();
        },
      },
    }));

  function send(s: import("bun").Socket<TcpState>, framed: Uint8Array) {
    const st = s.data;
    if (st.pending.length) {
      st.pending.push(framed);
      st.pendingBytes += framed.length;
      return;
    }
    const n = s.write(framed);
    if (n < framed.length) {
      st.pending.push(framed.subarray(Math.max(n, 0)));
      st.pendingBytes += framed.length - Math.max(n, 0);
    }
  }

  // Answers to the datagrams of one receive batch leave together (sendmmsg via sendMany).
  let outbox: (Uint8Array | number | string)[] = [];
  let flushing = false;
  const flush = () => {
    flushing = false;
    const batch = outbox;
    outbox = [];
    if (!udp.closed) udp.sendMany(batch);
  };
  let udp: import("bun").udp.Socket<"buffer">;
  try {
    udp = await Bun.udpSocket({
      hostname: o.hostname,
      port: tcp.port,
      socket: {
        data(_sock, buf, port, address) {
          stats.udpQueries++;
          const out = answer(buf, "udp");
          if (!out) {
            stats.udpDropped++;
            return;
          }
          outbox.push(out, port, address);
          if (outbox.length >= 3 * 64) flush();
          else if (!flushing) {
            flushing = true;
            setImmediate(flush);
          }
        },
      },
    });
  } catch (cause) {
    tcp.stop(true);
    throw cause;
  }
  return {
    port: tcp.port,
    stats,
    stop() {
      udp.close();
      tcp.stop(true);
    },
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
