/**
 * The classic DNS front on Bun: UDP and TCP on one address and port, both answered by the same
 * `Responder` as DoH. UDP answers that do not fit the client's size carry TC (see resolver.ts);
 * TCP carries length-prefixed messages (RFC 1035 §4.2.2, RFC 7766), pipelined, with an idle
 * timeout, a cap on connections and on buffered input and output per connection.
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
  tcpIdleTimeoutMs?: number;
  maxTcpConnections?: number;
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

type TcpState = { buf: Uint8Array; pending: Uint8Array[]; pendingBytes: number };

export async function startDnsFront(o: DnsFrontOptions): Promise<DnsFront> {
  const stats = { udpQueries: 0, udpDropped: 0, tcpQueries: 0, tcpConnections: 0 };
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
          if (stats.tcpConnections >= (o.maxTcpConnections ?? 1_000)) {
            s.end();
            return;
          }
          stats.tcpConnections++;
          s.data = { buf: new Uint8Array(0), pending: [], pendingBytes: 0 };
          s.timeout(Math.ceil((o.tcpIdleTimeoutMs ?? 10_000) / 1000));
        },
        data(s, chunk) {
          const st = s.data;
          if (!st) return;
          s.timeout(Math.ceil((o.tcpIdleTimeoutMs ?? 10_000) / 1000));
          let buf = concat(st.buf, chunk);
          while (buf.length >= 2) {
            const len = (buf[0] << 8) | buf[1];
            if (buf.length < 2 + len) break;
            const msg = buf.subarray(2, 2 + len);
            buf = buf.subarray(2 + len);
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
        timeout(s) {
          s.end();
        },
        close(s) {
          if (s.data) stats.tcpConnections--;
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
