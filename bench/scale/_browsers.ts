/**
 * Simulated browsers for bench/scale/scale.ts: S concurrent keep-alive HTTPS streams spread over
 * the simulated servers' names. Each stream behaves as a browser tab polling a page: it resolves
 * its name through our DNS front (cached for the answer's TTL, as a stub resolver would), connects
 * to the first answered relay that accepts (then the next, as browsers walk A records), does TLS
 * with SNI = the name (verified against the dev CA: the bytes reach the simulated server, never
 * the relay), and sends `GET /` every `intervalMs` (jittered) on that connection, reconnecting
 * when it is closed. A request counts as failed when no whole 200 answer arrives within 10 s, or
 * when no relay accepts the connection.
 *
 * Prints a JSON line per second: {"at","ok","failed","open","p50","p99","why":{…}}.
 *   bun bench/scale/_browsers.ts '<json options>'
 */
import { readFileSync } from "node:fs";
import type { Socket } from "bun";
import { dnsQuery } from "../../edge/dns/client.ts";

const o = JSON.parse(process.argv[2] ?? "{}") as {
  names: string[];
  dns: { host: string; port: number };
  /** Browser port per relay address (each simulated relay listens on its own loopback address). */
  ports: Record<string, number>;
  caFile: string;
  streams: number;
  intervalMs: number;
  rampMs: number;
};
const caPem = readFileSync(o.caFile, "utf8");
const REQUEST_TIMEOUT_MS = 10_000;

// ------------------------------------------------------------------ figures, per second

let ok = 0;
let failed = 0;
let open = 0;
let latencies: number[] = [];
const why = new Map<string, number>();
const t0 = performance.now();
function fail(reason: string): void {
  failed++;
  why.set(reason, (why.get(reason) ?? 0) + 1);
}
setInterval(() => {
  const s = latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    s.length ? Math.round(s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] * 10) / 10 : null;
  console.log(JSON.stringify({
    at: Math.round(performance.now() - t0),
    ok,
    failed,
    open,
    p50: pct(0.5),
    p99: pct(0.99),
    why: Object.fromEntries(why),
  }));
  ok = 0;
  failed = 0;
  latencies = [];
  why.clear();
}, 1000);

// ------------------------------------------------------------------ DNS, cached per TTL

const cache = new Map<string, { addresses: string[]; until: number }>();
/** Lookups in flight: streams of one name share one query, as behind one stub resolver. */
const asking = new Map<string, Promise<string[]>>();
function resolve(name: string): Promise<string[]> {
  const hit = cache.get(name);
  if (hit && hit.until > Date.now()) return Promise.resolve(hit.addresses);
  let q = asking.get(name);
  if (!q) {
    q = lookUp(name).finally(() => asking.delete(name));
    asking.set(name, q);
  }
  return q;
}
async function lookUp(name: string): Promise<string[]> {
  const answer = await dnsQuery(name, "A", { ...o.dns, timeoutMs: 3_000 });
  const a = (answer.answers ?? []).filter((r) => r.type === "A");
  const addresses = a.map((r) => String(r.data));
  const ttl = Math.min(...a.map((r) => r.ttl ?? 0), 30);
  cache.set(name, { addresses, until: Date.now() + ttl * 1000 });
  return addresses;
}

// ------------------------------------------------------------------ one keep-alive connection

interface Conn {
  socket: Socket<undefined>;
  closed: boolean;
  /** The answer being read: resolves true on a whole 200, false on anything else. */
  waiting?: (answered: boolean) => void;
  buf: string;
}

function connect(name: string, ip: string): Promise<Conn> {
  const port = o.ports[ip];
  if (!port) return Promise.reject(new Error(`no port for ${ip}`));
  return new Promise((resolveConn, reject) => {
    let handshaken = false;
    const conn: Conn = { socket: undefined as never, closed: false, buf: "" };
    const end = (answered: boolean) => {
      const w = conn.waiting;
      conn.waiting = undefined;
      w?.(answered);
    };
    Bun.connect<undefined>({
      hostname: ip,
      port,
      tls: { serverName: name, ca: caPem },
      socket: {
        handshake(_s, success, err) {
          if (!success) return reject(new Error(`TLS: ${err?.message ?? "failed"}`));
          handshaken = true;
          open++;
          resolveConn(conn);
        },
        data(_s, chunk) {
          conn.buf += chunk.toString("latin1");
          const head = conn.buf.indexOf("\r\n\r\n");
          if (head < 0) return;
          const length = /content-length:\s*(\d+)/i.exec(conn.buf.slice(0, head));
          if (!length) return;
          if (conn.buf.length < head + 4 + Number(length[1])) return;
          const status = conn.buf.startsWith("HTTP/1.1 200");
          conn.buf = conn.buf.slice(head + 4 + Number(length[1]));
          end(status);
        },
        close() {
          if (!handshaken) reject(new Error("closed before TLS"));
          else if (!conn.closed) open--;
          conn.closed = true;
          end(false);
        },
        error(_s, err) {
          if (!handshaken) reject(err);
        },
        connectError(_s, err) {
          reject(err);
        },
      },
    }).then((s) => (conn.socket = s), reject);
  });
}

async function connectAny(name: string): Promise<Conn> {
  let addresses = await resolve(name);
  let lastError: unknown;
  for (let attempt = 0; attempt < 2; attempt++) {
    for (const ip of addresses) {
      try {
        return await connect(name, ip);
      } catch (e) {
        lastError = e;
      }
    }
    // Every answered relay refused: ask DNS again (the answer may have moved), then give up.
    cache.delete(name);
    addresses = await resolve(name);
  }
  throw new Error(
    addresses.length ? `no relay accepted: ${(lastError as Error)?.message}` : "DNS answered no address",
  );
}

function request(conn: Conn, name: string): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const timer = setTimeout(() => {
      conn.waiting = undefined;
      conn.socket.end();
      resolveAnswer(false);
    }, REQUEST_TIMEOUT_MS);
    conn.waiting = (answered) => {
      clearTimeout(timer);
      resolveAnswer(answered);
    };
    conn.socket.write(`GET / HTTP/1.1\r\nhost: ${name}\r\nuser-agent: hearth-scale\r\n\r\n`);
  });
}

async function stream(name: string): Promise<void> {
  let conn: Conn | undefined;
  for (;;) {
    await Bun.sleep(o.intervalMs * (0.5 + Math.random()));
    const start = performance.now();
    try {
      if (!conn || conn.closed) conn = await connectAny(name);
    } catch (e) {
      fail(`connect: ${(e as Error).message.slice(0, 60)}`);
      continue;
    }
    if (await request(conn, name)) {
      ok++;
      latencies.push(performance.now() - start);
    } else {
      // A connection that died under the request: a browser retries a GET once on a new one.
      conn.socket.end();
      conn = undefined;
      try {
        conn = await connectAny(name);
        if (await request(conn, name)) {
          ok++;
          latencies.push(performance.now() - start);
          continue;
        }
        fail("no answer after a retry");
      } catch (e) {
        fail(`reconnect: ${(e as Error).message.slice(0, 60)}`);
      }
    }
  }
}

for (let i = 0; i < o.streams; i++) {
  const name = o.names[i % o.names.length];
  setTimeout(() => void stream(name), o.rampMs * (i / o.streams));
}
process.on("SIGTERM", () => process.exit(0));
