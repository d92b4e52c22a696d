/**
 * A small DNS client on Bun (UDP or TCP) for health checks, tests and benchmarks; the wire format
 * is `@dnsquery/dns-packet`'s. Not used on the answering path.
 */
import * as dnsPacket from "@dnsquery/dns-packet";
import type { Packet } from "@dnsquery/dns-packet";

export class DnsClientError extends Error {
  override name = "DnsClientError";
}

export interface DnsQueryOptions {
  host: string;
  port: number;
  transport?: "udp" | "tcp";
  timeoutMs?: number;
}

/** Sends `query` (wire format) and resolves with the raw answer. */
export async function exchange(
  query: Uint8Array,
  { host, port, transport = "udp", timeoutMs = 2_000 }: DnsQueryOptions,
): Promise<Uint8Array> {
  let cleanup = () => {};
  const timeout = new Promise<never>((_, reject) => {
    const t = setTimeout(
      () =>
        reject(new DnsClientError(`No DNS answer from ${host}:${port} over ${transport} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    cleanup = () => clearTimeout(t);
  });
  try {
    if (transport === "udp") {
      let resolve!: (b: Uint8Array) => void;
      let reject!: (e: Error) => void;
      const got = new Promise<Uint8Array>((res, rej) => ((resolve = res), (reject = rej)));
      const sock = await Bun.udpSocket({
        connect: { hostname: host, port },
        // A connected UDP socket learns of "port unreachable" as an error: nobody listens yet.
        socket: {
          data: (_s, buf) => resolve(new Uint8Array(buf)),
          error: (_s, e) => reject(e ?? new DnsClientError(`${host}:${port} refused UDP`)),
        },
      });
      try {
        sock.send(query);
        return await Promise.race([got, timeout]);
      } finally {
        sock.close();
      }
    }
    let chunks = new Uint8Array(0);
    let resolve!: (b: Uint8Array) => void;
    let reject!: (e: Error) => void;
    const got = new Promise<Uint8Array>((res, rej) => ((resolve = res), (reject = rej)));
    const sock = await Bun.connect({
      hostname: host,
      port,
      socket: {
        data(_s, buf) {
          const next = new Uint8Array(chunks.length + buf.length);
          next.set(chunks);
          next.set(buf, chunks.length);
          chunks = next;
          if (chunks.length >= 2 && chunks.length >= 2 + ((chunks[0] << 8) | chunks[1])) {
            resolve(chunks.slice(2, 2 + ((chunks[0] << 8) | chunks[1])));
          }
        },
        close: () => reject(new DnsClientError(`${host}:${port} closed the TCP connection`)),
        error: (_s, e) => reject(e),
      },
    });
    try {
      const framed = new Uint8Array(query.length + 2);
      framed[0] = query.length >> 8;
      framed[1] = query.length & 0xff;
      framed.set(query, 2);
      sock.write(framed);
      return await Promise.race([got, timeout]);
    } finally {
      sock.end();
    }
  } finally {
    cleanup();
  }
}

/** Asks one question and decodes the answer. */
export async function dnsQuery(name: string, type: string, o: DnsQueryOptions): Promise<Packet> {
  const query = dnsPacket.encode({
    type: "query",
    id: Math.floor(Math.random() * 65536),
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as "A" }],
  });
  return dnsPacket.decode(await exchange(query, o));
}

/** Waits until a DNS front answers the zone's SOA with NOERROR (it has its first snapshot). */
export async function waitDnsReady(
  zone: string,
  { host, port, timeoutMs = 30_000, isAlive = () => true }: {
    host: string;
    port: number;
    timeoutMs?: number;
    isAlive?: () => boolean;
  },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (!isAlive()) throw new DnsClientError(`exited before ${host}:${port} answered`);
    try {
      const p = await dnsQuery(zone, "SOA", { host, port, timeoutMs: 1_000 });
      if (p.rcode === "NOERROR") return;
      last = `rcode ${p.rcode}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await Bun.sleep(100);
  }
  throw new DnsClientError(
    `DNS at ${host}:${port} did not answer for ${zone} within ${timeoutMs} ms (${last})`,
  );
}
