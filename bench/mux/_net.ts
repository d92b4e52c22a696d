/** Shared bench plumbing: mux sessions over real loopback TCP, and a delaying TCP proxy. */
import { attachSocket, type Session, type SessionOptions } from "../../shared/mux/mod.ts";

export type MuxOpts = Omit<SessionOptions, "write" | "close" | "client">;

export interface MuxPair {
  client: Session;
  server: Session;
  stop(): void;
}

/** Client and server sessions over loopback TCP (optionally via `connectPort`, e.g. a proxy). */
export async function muxPair(
  { client = {}, server = {}, via }: {
    client?: MuxOpts;
    server?: MuxOpts;
    via?: (port: number) => Promise<number>;
  } = {},
): Promise<MuxPair> {
  const serverReady = Promise.withResolvers<Session>();
  let sm: ReturnType<typeof attachSocket>;
  const listener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(s) {
        s.setNoDelay(true);
        sm = attachSocket(s, { keepaliveInterval: 0, ...server, client: false });
        serverReady.resolve(sm.session);
      },
      data: (_s, d) => sm.data(d),
      drain: () => sm.drain(),
      close: () => sm.close(),
    },
  });
  const port = via ? await via(listener.port) : listener.port;
  // Assigned after connect; the handlers above only run once it is.
  // deno-lint-ignore prefer-const
  let cm: ReturnType<typeof attachSocket>;
  const sock = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data: (_s, d) => cm.data(d),
      drain: () => cm.drain(),
      close: () => cm.close(),
    },
  });
  sock.setNoDelay(true);
  cm = attachSocket(sock, { keepaliveInterval: 0, ...client, client: true });
  const srv = await serverReady.promise;
  return {
    client: cm.session,
    server: srv,
    stop() {
      cm.session.close();
      srv.close();
      listener.stop(true);
    },
  };
}

/** A TCP proxy to `target` that holds every chunk `delayMs` in each direction (no rate cap). */
export function delayProxy(target: number, delayMs: number): { port: number; stop(): void } {
  type Sock = import("bun").Socket<Side>;
  interface Side {
    peer?: Sock;
    queue: { at: number; data: Uint8Array }[];
    timer?: ReturnType<typeof setTimeout>;
    pendingClose?: boolean;
  }
  const pump = (from: Side) => {
    const to = from.peer;
    if (!to) return;
    const now = performance.now();
    while (from.queue.length > 0 && from.queue[0].at <= now) {
      const head = from.queue[0];
      const n = to.write(head.data);
      if (n < head.data.length) {
        head.data = head.data.subarray(Math.max(n, 0));
        return; // resumes on drain
      }
      from.queue.shift();
    }
    if (from.queue.length > 0 && !from.timer) {
      from.timer = setTimeout(() => {
        from.timer = undefined;
        pump(from);
      }, Math.max(0, from.queue[0].at - performance.now()));
    }
  };
  const enqueue = (from: Side, d: Uint8Array) => {
    from.queue.push({ at: performance.now() + delayMs, data: d });
    if (!from.timer) {
      from.timer = setTimeout(() => {
        from.timer = undefined;
        pump(from);
      }, delayMs);
    }
  };
  const conns: Sock[] = [];
  const listener = Bun.listen<Side>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      async open(inbound) {
        inbound.data = { queue: [] };
        conns.push(inbound);
        const outbound = await Bun.connect<Side>({
          hostname: "127.0.0.1",
          port: target,
          data: { queue: [], peer: inbound },
          socket: {
            data: (s, d) => enqueue(s.data, d),
            drain: () => pump(inbound.data),
            close: () => void inbound.end(),
          },
        });
        conns.push(outbound);
        inbound.data.peer = outbound;
        // Bytes from inbound wait in inbound.data.queue and go to outbound, and vice versa.
        pump(inbound.data);
      },
      data: (s, d) => enqueue(s.data, d),
      drain: (s) => {
        // inbound can take more: continue the outbound → inbound queue
        const out = s.data.peer;
        if (out) pump(out.data);
      },
      close: (s) => void s.data.peer?.end(),
    },
  });
  return {
    port: listener.port,
    stop() {
      for (const c of conns) c.end();
      listener.stop(true);
    },
  };
}

export const fmtRate = (bytes: number, ms: number) => `${(bytes / ms / 1e3).toFixed(1)} MB/s`;

/** Sends `total` bytes on a stream with push()/onDrain (no promise per chunk), then FIN. */
export function pumpStream(
  s: import("../../shared/mux/mod.ts").Stream,
  total: number,
  chunk: Uint8Array,
): Promise<void> {
  return new Promise((resolve) => {
    let left = total;
    const go = () => {
      while (left > 0) {
        const n = Math.min(chunk.length, left);
        left -= n;
        if (!s.push(n === chunk.length ? chunk : chunk.subarray(0, n))) return;
      }
      s.onDrain(undefined);
      s.closeWrite();
      resolve();
    };
    s.onDrain(go);
    go();
  });
}

/** Counts what arrives on a stream; resolves with the time the FIN arrived. */
export function sinkStream(
  s: import("../../shared/mux/mod.ts").Stream,
): Promise<{ bytes: number; end: number }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    s.onData({
      data: (c) => (bytes += c.length),
      end: () => resolve({ bytes, end: performance.now() }),
      error: reject,
    });
  });
}
