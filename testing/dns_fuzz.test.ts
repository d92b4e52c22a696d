/**
 * The DNS front under hostile input (invariant 4): random, truncated, oversized and mutated
 * packets over UDP and TCP get FORMERR (or another well-formed answer) or are dropped; the front
 * keeps answering and its memory stays bounded.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import * as dnsPacket from "@dnsquery/dns-packet";
import { type Harness, startHarness, ZONE } from "./harness.ts";
import { dnsQuery, exchange } from "../edge/dns/client.ts";

let h: Harness;
let target: { host: string; port: number };

beforeAll(async () => {
  h = await startHarness({ relays: 0, users: [], dns: true });
  target = { host: h.dns!.host, port: h.dns!.port };
});
afterAll(async () => await h?.stop());

const rssKb = () => {
  const pid = h.processes.get("dns")!.pid;
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
};

const valid = dnsPacket.encode({
  type: "query",
  id: 7,
  questions: [{ name: `reg.${ZONE}`, type: "A" }],
  additionals: [{ type: "OPT", name: ".", udpPayloadSize: 1232 } as never],
});

const hostile = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 700 }),
  fc.integer({ min: 0, max: valid.length }).map((n) => valid.slice(0, n)),
  fc.tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
    const v = valid.slice();
    v[i] = b;
    return v;
  }),
  // A valid header claiming 65535 questions, answers, authorities and additionals.
  fc.uint8Array({ minLength: 0, maxLength: 100 }).map((tail) =>
    new Uint8Array([1, 2, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...tail])
  ),
  // Oversized: far beyond any query.
  fc.integer({ min: 4_097, max: 9_000 }).map((n) => new Uint8Array(n).fill(0x41)),
);

/** Sends `bytes`, then a probe; returns what came back for `bytes` (or null when it was dropped). */
async function sendThenProbe(bytes: Uint8Array): Promise<Uint8Array | null> {
  const got: Uint8Array[] = [];
  let done!: () => void;
  const probed = new Promise<void>((r) => (done = r));
  const sock = await Bun.udpSocket({
    connect: { hostname: target.host, port: target.port },
    socket: {
      data(_s, buf) {
        const b = new Uint8Array(buf);
        if (b[0] === 0xbe && b[1] === 0xef && b.length > 12 && (b[2] & 0x80)) done();
        else got.push(b);
      },
    },
  });
  try {
    sock.send(bytes);
    const probe = valid.slice();
    probe[0] = 0xbe;
    probe[1] = 0xef;
    sock.send(probe);
    const t = setTimeout(() => done(), 3_000);
    await probed;
    clearTimeout(t);
  } finally {
    sock.close();
  }
  return got[0] ?? null;
}

test(
  "property: hostile UDP packets get a well-formed answer (FORMERR for garbage) or none; the front keeps answering",
  async () => {
    const seen = { answered: 0, dropped: 0, formerr: 0 };
    await fc.assert(
      fc.asyncProperty(hostile, async (bytes) => {
        const out = await sendThenProbe(bytes);
        if (!out) {
          seen.dropped++;
          return true;
        }
        seen.answered++;
        const p = dnsPacket.decode(out); // every answer is well-formed
        expect(p.type).toBe("response");
        expect(p.id).toBe((bytes[0] << 8) | bytes[1]);
        if (p.rcode === "FORMERR") seen.formerr++;
        expect(out.length).toBeLessThanOrEqual(1232);
        return true;
      }),
      { numRuns: 400 },
    );
    console.log(`dns fuzz (udp): ${JSON.stringify(seen)}`);
    expect(seen.formerr).toBeGreaterThan(0);
    expect((await dnsQuery(`reg.${ZONE}`, "A", target)).answers?.[0]?.data).toBe("127.0.0.1");
  },
  120_000,
);

test("hostile TCP streams are closed or answered; the front keeps answering over TCP", async () => {
  const cases: Uint8Array[] = [
    new Uint8Array([0xff, 0xff, 1, 2, 3]), // a length prefix promising 65535 bytes, then silence
    new Uint8Array([0x00]), // half a length prefix
    new Uint8Array([0x00, 0x05, 1, 2, 3, 4, 5]), // a 5-byte "message"
    new Uint8Array(70_000).fill(0xff), // more than any message
    new Uint8Array([0x00, 0x00]), // an empty message
  ];
  for (const bytes of cases) {
    const closed = Promise.withResolvers<void>();
    const sock = await Bun.connect({
      hostname: target.host,
      port: target.port,
      socket: { data() {}, close: () => closed.resolve(), error: () => closed.resolve() },
    });
    sock.write(bytes);
    sock.end();
    await closed.promise;
  }
  const again = dnsPacket.decode(await exchange(valid, { ...target, transport: "tcp" }));
  expect(again.answers?.[0]?.data).toBe("127.0.0.1");
  // Several queries pipelined on one connection are all answered.
  const two = dnsPacket.decode(await exchange(valid, { ...target, transport: "tcp" }));
  expect(two.rcode).toBe("NOERROR");
});

test("memory stays bounded under a flood of random UDP packets", async () => {
  const before = rssKb();
  const sock = await Bun.udpSocket({
    connect: { hostname: target.host, port: target.port },
    socket: { data() {} },
  });
  const samples = fc.sample(hostile, 2_000);
  for (let round = 0; round < 30; round++) {
    for (const s of samples) {
      // A unique query each time, so an unbounded answer cache would show.
      const q = s.slice();
      if (q.length >= 4) q[3] = round;
      sock.send(q);
    }
    for (let i = 0; i < 500; i++) {
      const q = dnsPacket.encode({
        type: "query",
        id: i,
        questions: [{ name: `x${round}-${i}.${ZONE}`, type: "A" }],
      });
      sock.send(q);
    }
    await Bun.sleep(50);
  }
  sock.close();
  const after = rssKb();
  console.log(
    `dns fuzz: front RSS ${(before / 1024).toFixed(1)} MB → ${
      (after / 1024).toFixed(1)
    } MB after 75k packets`,
  );
  // Generous: GC timing moves RSS by tens of MB; a per-packet leak would not fit in this.
  expect(after - before).toBeLessThan(128 * 1024);
  expect((await dnsQuery(`reg.${ZONE}`, "A", target)).rcode).toBe("NOERROR");
}, 120_000);
