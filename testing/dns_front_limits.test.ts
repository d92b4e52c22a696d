/**
 * The DNS front's TCP limits, on real sockets: a message trickled a byte at a time cannot hold a
 * connection past its deadline (each byte used to reset an idle timer), and one source address
 * cannot hold more than its share of connections while another address is still served.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import * as dnsPacket from "@dnsquery/dns-packet";
import { silentLogger } from "../shared/log/mod.ts";
import { type DnsFront, startDnsFront } from "../edge/dns/front.ts";
import { Responder } from "../edge/dns/resolver.ts";

const ZONE = "hearth.localhost";
const responder = new Responder({
  zone: ZONE,
  serial: 1,
  generatedAt: 0,
  nameservers: [{ name: `ns1.${ZONE}`, addresses: ["127.0.0.1"] }],
  cloudAddresses: ["127.0.0.1"],
  relays: [{
    id: "relay-a",
    hostName: `relay-a.${ZONE}`,
    tunnelAddresses: ["127.0.0.11"],
    browserAddresses: ["127.0.0.11"],
    alive: true,
    hot: false,
    load: 0,
  }],
  users: [{ name: "alice", relays: ["relay-a"] }],
  txt: [],
});

let front: DnsFront;
beforeAll(async () => {
  front = await startDnsFront({
    hostname: "127.0.0.1",
    port: 0,
    answerer: () => responder,
    log: silentLogger,
    tcpMessageDeadlineMs: 1_500,
    tcpIdleTimeoutMs: 60_000,
    maxTcpPerSource: 4,
  });
});
afterAll(() => front?.stop());

function framedQuery(): Uint8Array {
  const q = dnsPacket.encode({ type: "query", id: 7, questions: [{ name: `alice.${ZONE}`, type: "A" }] });
  const out = new Uint8Array(q.length + 2);
  out[0] = q.length >> 8;
  out[1] = q.length & 0xff;
  out.set(q, 2);
  return out;
}

function open(localAddress = "127.0.0.1"): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port: front.port, localAddress }, () => resolve(s));
    s.once("error", reject);
  });
}

const closed = (s: Socket) => new Promise<void>((resolve) => s.once("close", () => resolve()));

test("a message trickled a byte every 200 ms is cut off at its deadline, not kept alive by each byte", async () => {
  const s = await open();
  const gone = closed(s);
  const bytes = framedQuery();
  let sent = 0;
  let answered = false;
  s.on("data", () => answered = true);
  s.on("error", () => {});
  // Far more bytes than the message has would take 200 ms × 40 = 8 s; the deadline is 1.5 s.
  const trickle = setInterval(() => {
    if (s.destroyed) return;
    s.write(bytes.subarray(sent % bytes.length, (sent % bytes.length) + 1));
    sent++;
  }, 200);
  await gone;
  clearInterval(trickle);
  expect(answered).toBe(false);
  expect(sent).toBeLessThan(bytes.length); // closed before the message could complete
});

test("a whole query is answered; a 5th connection from one address is refused while another address is served", async () => {
  const held = await Promise.all([open(), open(), open(), open()]);
  const answer = new Promise<Uint8Array>((resolve) =>
    held[0]!.once("data", (d) => resolve(new Uint8Array(d as Buffer)))
  );
  held[0]!.write(framedQuery());
  expect(dnsPacket.decode((await answer).subarray(2)).rcode).toBe("NOERROR");

  const fifth = await open();
  await closed(fifth); // ended by the server at once
  const other = await open("127.0.0.2");
  const reply = new Promise<Uint8Array>((resolve) =>
    other.once("data", (d) => resolve(new Uint8Array(d as Buffer)))
  );
  other.write(framedQuery());
  expect(dnsPacket.decode((await reply).subarray(2)).answers?.[0]?.data).toBe("127.0.0.11");
  for (const s of [...held, other]) s.destroy();
});
