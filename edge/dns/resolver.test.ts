import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as dnsPacket from "@dnsquery/dns-packet";
import type { Packet } from "@dnsquery/dns-packet";
import { chooseRelays, compileZone, MAX_UDP_PAYLOAD, minTtl, respond, Responder, TTL } from "./resolver.ts";
import type { DnsSnapshot } from "./snapshot.ts";

const ZONE = "hearth.localhost";

function relay(id: string, ip: string, o: Partial<DnsSnapshot["relays"][number]> = {}) {
  return {
    id,
    hostName: `${id}.${ZONE}`,
    tunnelAddresses: [ip],
    browserAddresses: [ip],
    alive: true,
    hot: false,
    load: 0,
    ...o,
  };
}

function snapshot(o: Partial<DnsSnapshot> = {}): DnsSnapshot {
  return {
    zone: ZONE,
    serial: 7,
    generatedAt: 0,
    nameservers: [{ name: `ns1.${ZONE}`, addresses: ["127.0.0.1"] }],
    cloudAddresses: ["127.0.0.1"],
    relays: [
      relay("relay-a", "127.0.0.11", { load: 5 }),
      relay("relay-b", "127.0.0.12", { load: 1 }),
      relay("relay-c", "127.0.0.13", { load: 3 }),
      relay("relay-d", "127.0.0.14", { alive: false }),
    ],
    users: [
      { name: "alice", relays: ["relay-a", "relay-b", "relay-c"] },
      { name: "bob", relays: [] },
      { name: "carol", relays: ["relay-d"] },
    ],
    txt: [{ name: `_acme-challenge.alice.${ZONE}`, values: ["v1", "v2"] }],
    ...o,
  };
}

function query(name: string, type: string, o: Partial<Packet> & { edns?: number } = {}): Uint8Array {
  const { edns, ...rest } = o;
  return dnsPacket.encode({
    type: "query",
    id: 4242,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as "A" }],
    additionals: edns ? [{ type: "OPT", name: ".", udpPayloadSize: edns } as never] : [],
    ...rest,
  });
}

function ask(snap: DnsSnapshot, name: string, type: string, transport: "udp" | "tcp" | "doh" = "udp") {
  const out = respond(compileZone(snap), query(name, type), { transport });
  assert.ok(out);
  return dnsPacket.decode(out);
}

const data = (p: Packet, type: string) => (p.answers ?? []).filter((a) => a.type === type).map((a) => a.data);

test("alice's A records: the 2 least-loaded alive relays holding her tunnel, TTL 30, authoritative", () => {
  const p = ask(snapshot(), "alice.hearth.localhost", "A");
  assert.equal(p.rcode, "NOERROR");
  assert.equal(p.flag_aa, true);
  assert.equal(p.id, 4242);
  assert.equal(p.flag_rd, true);
  assert.deepEqual(data(p, "A"), ["127.0.0.12", "127.0.0.13"]);
  assert.ok(p.answers!.every((a) => a.ttl === TTL.user));
});

test("a hot relay is left out while another qualifies, and used when none does", () => {
  const snap = snapshot({
    relays: [
      relay("relay-a", "127.0.0.11", { load: 0, hot: true }),
      relay("relay-b", "127.0.0.12", { load: 9 }),
    ],
    users: [{ name: "alice", relays: ["relay-a", "relay-b"] }],
  });
  assert.deepEqual(data(ask(snap, "alice.hearth.localhost", "A"), "A"), ["127.0.0.12"]);
  snap.relays[1].hot = true;
  assert.deepEqual(data(ask(snap, "alice.hearth.localhost", "A"), "A"), ["127.0.0.11", "127.0.0.12"]);
});

test("equally loaded relays are shuffled", () => {
  const rs = ["a", "b", "c", "d"].map((id) => ({ id, load: 1, hot: false }));
  const firsts = new Set<string>();
  for (let i = 0; i < 200; i++) firsts.add(chooseRelays(rs)[0].id);
  assert.equal(firsts.size, 4);
  assert.deepEqual(chooseRelays(rs, { random: () => 0.5 }).length, 2);
});

test("an offline registered server gets the least-loaded alive relays with a short TTL", () => {
  for (const name of ["bob", "carol"]) {
    const p = ask(snapshot(), `${name}.hearth.localhost`, "A");
    assert.equal(p.rcode, "NOERROR");
    assert.deepEqual(data(p, "A"), ["127.0.0.12", "127.0.0.13"]);
    assert.ok(p.answers!.every((a) => a.ttl === TTL.userOffline));
  }
});

test("AAAA for a relay-only IPv4 user is NODATA with the SOA; local names are loopback", () => {
  const p = ask(snapshot(), "alice.hearth.localhost", "AAAA");
  assert.equal(p.rcode, "NOERROR");
  assert.equal(p.answers!.length, 0);
  assert.equal(p.authorities![0].type, "SOA");
  assert.equal(p.authorities![0].ttl, TTL.negative);
  assert.deepEqual(data(ask(snapshot(), "local.alice.hearth.localhost", "A"), "A"), ["127.0.0.1"]);
  assert.deepEqual(data(ask(snapshot(), "LOCAL.Alice.hearth.localhost", "AAAA"), "AAAA"), ["::1"]);
});

test("apex SOA/NS, NS glue, cloud names and relay names", () => {
  const soa = ask(snapshot(), "hearth.localhost", "SOA");
  assert.equal((soa.answers![0].data as { serial: number }).serial, 7);
  assert.deepEqual(data(ask(snapshot(), "hearth.localhost", "NS"), "NS"), ["ns1.hearth.localhost"]);
  assert.deepEqual(data(ask(snapshot(), "ns1.hearth.localhost", "A"), "A"), ["127.0.0.1"]);
  assert.deepEqual(data(ask(snapshot(), "reg.hearth.localhost", "A"), "A"), ["127.0.0.1"]);
  assert.deepEqual(data(ask(snapshot(), "id.hearth.localhost", "A"), "A"), ["127.0.0.1"]);
  assert.deepEqual(data(ask(snapshot(), "relay-d.hearth.localhost", "A"), "A"), ["127.0.0.14"]);
});

test("ACME TXT values, several at once", () => {
  const p = ask(snapshot(), "_acme-challenge.alice.hearth.localhost", "TXT");
  const values = data(p, "TXT").map((d) => new TextDecoder().decode((d as Uint8Array[])[0])).sort();
  assert.deepEqual(values, ["v1", "v2"]);
  assert.equal(ask(snapshot(), "_acme-challenge.local.alice.hearth.localhost", "TXT").rcode, "NXDOMAIN");
});

test("unknown names are NXDOMAIN with SOA; other zones are REFUSED; CH class is REFUSED", () => {
  for (const n of ["zed.hearth.localhost", "x.alice.hearth.localhost", "relay-z.hearth.localhost"]) {
    const p = ask(snapshot(), n, "A");
    assert.equal(p.rcode, "NXDOMAIN", n);
    assert.equal(p.flag_aa, true);
    assert.equal(p.authorities![0].type, "SOA");
  }
  const other = ask(snapshot(), "example.com", "A");
  assert.equal(other.rcode, "REFUSED");
  assert.equal(other.flag_aa, false);
  assert.equal(ask(snapshot(), "hearth.localhostx", "A").rcode, "REFUSED");
  const ch = respond(
    compileZone(snapshot()),
    dnsPacket.encode({
      type: "query",
      id: 1,
      questions: [{ name: "version.bind", type: "TXT", class: "CH" }],
    }),
    { transport: "udp" },
  );
  assert.equal(dnsPacket.decode(ch!).rcode, "REFUSED");
});

test("UDP answers above the client's size are truncated with TC; TCP is not", () => {
  const values = Array.from({ length: 10 }, (_, i) => `${i}`.padStart(43, "x"));
  const snap = snapshot({ txt: [{ name: `_acme-challenge.alice.${ZONE}`, values }] });
  const zone = compileZone(snap);
  const q = query("_acme-challenge.alice.hearth.localhost", "TXT");
  const udp = dnsPacket.decode(respond(zone, q, { transport: "udp" })!);
  assert.equal(udp.flag_tc, true);
  assert.equal(udp.answers!.length, 0);
  const tcp = dnsPacket.decode(respond(zone, q, { transport: "tcp" })!);
  assert.equal(tcp.flag_tc, false);
  assert.equal(tcp.answers!.length, 10);
  // EDNS0 with 4096 advertised: capped at 1232, which fits 10 uncompressed TXT records.
  const big = respond(zone, query("_acme-challenge.alice.hearth.localhost", "TXT", { edns: 4096 }), {
    transport: "udp",
  })!;
  assert.ok(big.length <= MAX_UDP_PAYLOAD);
  const e = dnsPacket.decode(big);
  assert.equal(e.flag_tc, false);
  assert.equal(e.answers!.length, 10);
  assert.equal(e.additionals![0].type, "OPT");
});

test("EDNS version 1 gets BADVERS; opcodes other than QUERY get NOTIMP; two questions get FORMERR", () => {
  const zone = compileZone(snapshot());
  const v1 = dnsPacket.encode({
    type: "query",
    id: 9,
    questions: [{ name: "alice.hearth.localhost", type: "A" }],
    additionals: [{ type: "OPT", name: ".", udpPayloadSize: 1232, ednsVersion: 1 } as never],
  });
  const bad = dnsPacket.decode(respond(zone, v1, { transport: "udp" })!);
  assert.equal((bad.additionals![0] as unknown as { extendedRcode: number }).extendedRcode, 1);
  const notify = query("alice.hearth.localhost", "SOA");
  notify[2] |= 4 << 3;
  assert.equal(dnsPacket.decode(respond(zone, notify, { transport: "udp" })!).rcode, "NOTIMP");
  const two = dnsPacket.encode({
    type: "query",
    id: 9,
    questions: [{ name: "a.hearth.localhost", type: "A" }, { name: "b.hearth.localhost", type: "A" }],
  });
  assert.equal(dnsPacket.decode(respond(zone, two, { transport: "udp" })!).rcode, "FORMERR");
});

test("short input and responses are dropped; garbage after a header gets FORMERR", () => {
  const zone = compileZone(snapshot());
  assert.equal(respond(zone, new Uint8Array(5), { transport: "udp" }), null);
  const resp = query("alice.hearth.localhost", "A");
  resp[2] |= 0x80;
  assert.equal(respond(zone, resp, { transport: "udp" }), null);
  const garbage = new Uint8Array([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0xff]);
  assert.equal(dnsPacket.decode(respond(zone, garbage, { transport: "udp" })!).rcode, "FORMERR");
});

test("property: random and truncated packets never throw; answers are FORMERR, valid, or dropped", () => {
  const r = new Responder(snapshot(), { maxEntries: 100 });
  const valid = query("alice.hearth.localhost", "A", { edns: 1232 });
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 600 }),
        fc.integer({ min: 0, max: valid.length }).map((n) => valid.slice(0, n)),
        fc.tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })).map(
          ([i, b]) => {
            const v = valid.slice();
            v[i] = b;
            return v;
          },
        ),
      ),
      fc.constantFrom("udp" as const, "tcp" as const, "doh" as const),
      (bytes, transport) => {
        const out = r.respond(bytes, transport);
        if (out === null) return bytes.length < 12 || (bytes[2] & 0x80) !== 0;
        const p = dnsPacket.decode(out);
        assert.equal(p.type, "response");
        assert.equal(p.id, (bytes[0] << 8) | bytes[1]);
        if (transport === "udp") assert.ok(out.length <= MAX_UDP_PAYLOAD);
        return true;
      },
    ),
    { numRuns: 3000 },
  );
  assert.ok(r.cacheSize <= 100);
});

test("the cache patches only the id, keeps variants for shuffled answers, and clears on update", () => {
  const r = new Responder(snapshot());
  const a = r.respond(query("alice.hearth.localhost", "A"), "udp")!;
  const q2 = query("alice.hearth.localhost", "A");
  q2[0] = 0x12;
  q2[1] = 0x34;
  const b = r.respond(q2, "udp")!;
  assert.equal(dnsPacket.decode(b).id, 0x1234);
  assert.deepEqual(a.subarray(2), b.subarray(2));
  r.update(snapshot({ users: [{ name: "alice", relays: ["relay-a"] }] }));
  assert.deepEqual(data(dnsPacket.decode(r.respond(q2, "udp")!), "A"), ["127.0.0.11"]);
  const tie = new Responder(snapshot({
    relays: ["a", "b", "c", "d"].map((x, i) => relay(`relay-${x}`, `127.0.0.${11 + i}`)),
    users: [{ name: "alice", relays: ["relay-a", "relay-b", "relay-c", "relay-d"] }],
  }));
  const seen = new Set<string>();
  for (let i = 0; i < 100; i++) {
    seen.add(String(data(dnsPacket.decode(tie.respond(q2, "udp")!), "A")));
  }
  assert.ok(seen.size > 1, "equal loads must not always give the same answer");
});

test("minTtl is the smallest TTL in the answer (DoH Cache-Control)", () => {
  const zone = compileZone(snapshot());
  assert.equal(minTtl(respond(zone, query("alice.hearth.localhost", "A"), { transport: "doh" })!), TTL.user);
  assert.equal(
    minTtl(respond(zone, query("nope.hearth.localhost", "A"), { transport: "doh" })!),
    TTL.negative,
  );
  assert.equal(minTtl(respond(zone, query("example.com", "A"), { transport: "doh" })!), undefined);
});

test("a query cut anywhere inside its EDNS record gets FORMERR, never NOERROR", () => {
  const zone = compileZone(snapshot());
  const whole = query("alice.hearth.localhost", "A", { edns: 1232 });
  assert.equal(dnsPacket.decode(respond(zone, whole, { transport: "udp" })!).rcode, "NOERROR");
  const question = 12 + dnsPacket.name.encode("alice.hearth.localhost").length + 4;
  for (let cut = question + 1; cut < whole.length; cut++) {
    const answer = dnsPacket.decode(respond(zone, whole.subarray(0, cut), { transport: "udp" })!);
    assert.equal(answer.rcode, "FORMERR", `cut at ${cut} of ${whole.length}`);
  }
});

test("zone transfers: AXFR/IXFR over UDP get NOTIMP, over TCP and DoH REFUSED", () => {
  const zone = compileZone(snapshot());
  for (const type of ["AXFR", "IXFR"]) {
    const q = query("hearth.localhost", type);
    assert.equal(dnsPacket.decode(respond(zone, q, { transport: "udp" })!).rcode, "NOTIMP", type);
    assert.equal(dnsPacket.decode(respond(zone, q, { transport: "tcp" })!).rcode, "REFUSED", type);
    assert.equal(dnsPacket.decode(respond(zone, q, { transport: "doh" })!).rcode, "REFUSED", type);
  }
});
