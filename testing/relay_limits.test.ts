/**
 * Issues #13.2 and #12.5: no listener phase can be held open, and no one address can take a
 * port or a user's tunnel. relay-a has short deadlines (idle sockets must be closed); relay-b has
 * long deadlines and small caps (so whatever closes there was refused, and refusals are seen by
 * their TLS alert, never by timing).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect as netConnect, type Socket as NetSocket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { type Harness, startHarness, ZONE } from "./harness.ts";
import { fetchThrough, realClientHello } from "./relay_helpers.ts";

const INTERNAL_ERROR_ALERT = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 80];

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    relays: 2,
    users: ["alice"],
    relayExtra: (i) =>
      i === 0 ? { firstByteTimeoutMs: 300, handshakeTimeoutMs: 300, helloTimeoutMs: 600 } : {
        firstByteTimeoutMs: 60_000,
        handshakeTimeoutMs: 60_000,
        helloTimeoutMs: 60_000,
        maxConnectionsPerSource: 6,
        maxTunnelPortConnectionsPerSource: 4,
        maxStreamShareFromOneSource: 3 / 1024,
      },
  });
  await h.waitFor("alice's two tunnels", async () => (await h.tunnelsOf("alice")).length === 2);
});
afterAll(async () => {
  await h?.stop();
});

interface Held {
  socket: NetSocket;
  received: number[];
  closed: Promise<void>;
}

/** A plain TCP connection from `localAddress` that sends `first` (if any) and then nothing. */
async function hold(host: string, port: number, localAddress: string, first?: Uint8Array): Promise<Held> {
  const socket = netConnect({ host, port, localAddress });
  const received: number[] = [];
  const closed = new Promise<void>((r) => socket.on("close", () => r()));
  socket.on("error", () => {});
  socket.on("data", (b: Uint8Array) => received.push(...b));
  // A refusal may reset the connection before our side saw it established: that is fine too.
  await Promise.race([new Promise<void>((r) => socket.once("connect", () => r())), closed]);
  if (first) socket.write(first);
  return { socket, received, closed };
}

test("every phase of every listener has a deadline", async () => {
  const a = h.relay("relay-a");
  const hello = await realClientHello();
  const held = [
    // Browser port: nothing at all; a ClientHello cut short.
    await hold(a.browserAddresses[0], a.browserPort, "127.0.0.99"),
    await hold(a.browserAddresses[0], a.browserPort, "127.0.0.99", hello.subarray(0, 20)),
    // Tunnel port: plain TCP that never starts TLS.
    await hold(a.tunnelAddress, a.tunnelPort, "127.0.0.99"),
  ];
  // Tunnel port: TLS with ALPN http/1.1 and a request head that never ends.
  const partial = tlsConnect({
    host: a.tunnelAddress,
    port: a.tunnelPort,
    servername: `relay-a.${ZONE}`,
    ca: h.caPem,
    ALPNProtocols: ["http/1.1"],
  });
  partial.on("error", () => {});
  partial.on("secureConnect", () => partial.write("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  const partialClosed = new Promise<void>((r) => partial.on("close", () => r()));
  // All are closed by the relay (the bound is generous; the deadlines are under a second).
  await Promise.all([...held.map((x) => x.closed), partialClosed]);
  expect(held.every((x) => x.socket.destroyed)).toBe(true);
}, 60_000);

test("the browser port refuses the N+1th connection from one address while another is served", async () => {
  const b = h.relay("relay-b");
  const held: Held[] = [];
  for (let i = 0; i < 6; i++) held.push(await hold(b.browserAddresses[0], b.browserPort, "127.0.0.97"));
  const refused = await hold(b.browserAddresses[0], b.browserPort, "127.0.0.97");
  await refused.closed;
  expect(refused.received).toEqual(INTERNAL_ERROR_ALERT);
  expect(await fetchThrough(h, "relay-b")).toBe(200);
  for (const x of held) x.socket.destroy();
}, 60_000);

test("the tunnel port refuses the N+1th connection from one address; alice's tunnel stays", async () => {
  const b = h.relay("relay-b");
  const held: Held[] = [];
  for (let i = 0; i < 4; i++) held.push(await hold(b.tunnelAddress, b.tunnelPort, "127.0.0.96"));
  const refused = await hold(b.tunnelAddress, b.tunnelPort, "127.0.0.96");
  await refused.closed; // the deadline is 60 s: only the cap closes it now
  expect(held.some((x) => x.socket.destroyed)).toBe(false);
  expect(await h.tunnelsOf("alice")).toContain("relay-b");
  for (const x of held) x.socket.destroy();
}, 60_000);

test("stalled handshakes from one address take only their share of a tunnel's streams", async () => {
  const b = h.relay("relay-b");
  const hello = await realClientHello();
  // Each sends a complete ClientHello for alice and then stalls mid-handshake.
  const stalled: Held[] = [];
  for (let i = 0; i < 3; i++) {
    stalled.push(await hold(b.browserAddresses[0], b.browserPort, "127.0.0.95", hello));
  }
  await h.waitFor("the stalled ones to reach alice", () => stalled.every((x) => x.received.length > 0));
  const refused = await hold(b.browserAddresses[0], b.browserPort, "127.0.0.95", hello);
  await refused.closed;
  expect(refused.received).toEqual(INTERNAL_ERROR_ALERT);
  expect(await fetchThrough(h, "relay-b")).toBe(200); // another address is still served
  for (const x of stalled) x.socket.destroy();
}, 60_000);
