import { afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import * as dnsPacket from "@dnsquery/dns-packet";
import { createCloudApp } from "../app.ts";
import { testDeps } from "../_test_deps.ts";
import { addRelay, addServer } from "../reg/admin.ts";
import { recordHeartbeat, recordTunnelEvent } from "../reg/liveness.ts";
import { generateKeyPair, publicJwk } from "../../shared/pki/mod.ts";
import { sha256Hex } from "../../shared/crypto/mod.ts";
import { signServerRequest } from "../../shared/auth/server_request.ts";
import { addDnsFront } from "./front_auth.ts";
import { parseSnapshot } from "./snapshot.ts";

let deps: Awaited<ReturnType<typeof testDeps>>;
let app: ReturnType<typeof createCloudApp>;
const servers: Record<string, { keys: CryptoKeyPair; serverId: string }> = {};

beforeEach(async () => {
  deps = await testDeps();
  deps.publicAddresses = ["127.0.0.1"];
  app = createCloudApp(deps);
  for (const [id, ip] of [["relay-a", "127.0.0.11"], ["relay-b", "127.0.0.12"], ["relay-c", "127.0.0.13"]]) {
    await addRelay(deps, {
      id,
      hostName: `${id}.hearth.localhost`,
      tunnelAddress: `${ip}:8444`,
      browserAddresses: [ip],
      browserPort: 8443,
      credentialHash: await sha256Hex(`secret-${id}`),
    });
    await recordHeartbeat(deps, id, { tunnels: 1, streams: id === "relay-a" ? 5 : 0, bytesPerSecond: 0 });
  }
  for (const name of ["alice", "bob"]) {
    const keys = await generateKeyPair();
    const reg = await addServer(deps, name, await publicJwk(keys.publicKey));
    servers[name] = { keys, serverId: reg.serverId };
  }
  for (const relayId of ["relay-a", "relay-b"]) {
    await recordTunnelEvent(deps, relayId, {
      kind: "tunnel_up",
      serverId: servers.alice.serverId,
      remoteAddress: "127.0.0.1",
      at: deps.now(),
    });
  }
  await addDnsFront(deps, {
    id: "ns1",
    hostName: "ns1.hearth.localhost",
    addresses: ["127.0.0.1"],
    credentialHash: await sha256Hex("front-secret"),
  });
});
afterEach(() => deps.cleanup());

const query = (name: string, type: string) =>
  dnsPacket.encode({
    type: "query",
    id: 0,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as "A" }],
  });
const b64url = (b: Uint8Array) =>
  btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const aOf = (p: dnsPacket.Packet) =>
  (p.answers ?? []).filter((a) => a.type === "A").map((a) => a.data).sort();

async function dohGet(name: string, type: string) {
  const res = await app.request(`/dns-query?dns=${b64url(query(name, type))}`);
  return { res, packet: res.ok ? dnsPacket.decode(new Uint8Array(await res.arrayBuffer())) : undefined };
}

test("DoH GET and POST answer from the DB: alice → the relays holding her tunnel", async () => {
  const { res, packet } = await dohGet("alice.hearth.localhost", "A");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/dns-message");
  assert.equal(res.headers.get("cache-control"), "max-age=30");
  assert.deepEqual(aOf(packet!), ["127.0.0.11", "127.0.0.12"]);
  // relay-b is lighter, so it comes first.
  assert.equal(packet!.answers![0].data, "127.0.0.12");
  const post = await app.request("/dns-query", {
    method: "POST",
    headers: { "content-type": "application/dns-message" },
    body: query("reg.hearth.localhost", "A") as Uint8Array<ArrayBuffer>,
  });
  assert.equal(post.status, 200);
  assert.deepEqual(aOf(dnsPacket.decode(new Uint8Array(await post.arrayBuffer()))), ["127.0.0.1"]);
});

test("DoH: NXDOMAIN is 200 with max-age ≤ the SOA's negative TTL; 415 and 400 for bad input", async () => {
  const { res, packet } = await dohGet("nobody.hearth.localhost", "A");
  assert.equal(res.status, 200);
  assert.equal(packet!.rcode, "NXDOMAIN");
  assert.equal(res.headers.get("cache-control"), "max-age=10");
  const wrongType = await app.request("/dns-query", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(wrongType.status, 415);
  assert.equal((await app.request("/dns-query?dns=AAAA=")).status, 400);
  assert.equal((await app.request("/dns-query?dns=%%%")).status, 400);
  assert.equal((await app.request("/dns-query")).status, 400);
  const garbage = await app.request("/dns-query", {
    method: "POST",
    headers: { "content-type": "application/dns-message" },
    body: new Uint8Array([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0xff]),
  });
  assert.equal(garbage.status, 400);
});

test("a relay that stops heartbeating leaves the answers within the liveness window", async () => {
  deps.clock.now += 5_000;
  await recordHeartbeat(deps, "relay-b", { tunnels: 1, streams: 0, bytesPerSecond: 0 });
  await recordHeartbeat(deps, "relay-c", { tunnels: 1, streams: 0, bytesPerSecond: 0 });
  assert.deepEqual(aOf((await dohGet("alice.hearth.localhost", "A")).packet!), ["127.0.0.11", "127.0.0.12"]);
  deps.clock.now += 2_000; // relay-a's last heartbeat is now 7 s old
  assert.deepEqual(aOf((await dohGet("alice.hearth.localhost", "A")).packet!), ["127.0.0.12"]);
});

test("the snapshot endpoint needs a DNS front's credential and honours If-None-Match", async () => {
  assert.equal((await app.request("/reg/v1/dns/snapshot")).status, 401);
  const bad = await app.request("/reg/v1/dns/snapshot", { headers: { authorization: "Bearer ns1.wrong" } });
  assert.equal(bad.status, 401);
  const relayCred = await app.request("/reg/v1/dns/snapshot", {
    headers: { authorization: "Bearer relay-a.secret-relay-a" },
  });
  assert.equal(relayCred.status, 401);
  const auth = { authorization: "Bearer ns1.front-secret" };
  const res = await app.request("/reg/v1/dns/snapshot", { headers: auth });
  assert.equal(res.status, 200);
  const snap = parseSnapshot(await res.json());
  assert.deepEqual(snap.users.find((u) => u.name === "alice")!.relays, ["relay-a", "relay-b"]);
  assert.deepEqual(snap.nameservers, [{ name: "ns1.hearth.localhost", addresses: ["127.0.0.1"] }]);
  const etag = res.headers.get("etag")!;
  const same = await app.request("/reg/v1/dns/snapshot", { headers: { ...auth, "if-none-match": etag } });
  assert.equal(same.status, 304);
});

async function acme(as: string, method: "POST" | "DELETE", body: unknown) {
  const text = JSON.stringify(body);
  const path = "/reg/v1/dns/acme-challenge";
  const authorization = await signServerRequest(servers[as].keys.privateKey, servers[as].serverId, {
    method,
    path,
    body: text,
  });
  return await app.request(path, {
    method,
    headers: { authorization, "content-type": "application/json" },
    body: text,
  });
}

async function txt(name: string): Promise<string[]> {
  deps.clock.now += 1_001; // past the snapshot's maximum age
  const { packet } = await dohGet(name, "TXT");
  return (packet!.answers ?? []).map((a) => new TextDecoder().decode((a.data as Uint8Array[])[0])).sort();
}

test("ACME TXT: a server sets several values for its own names, clears them; others get 403", async () => {
  const name = "_acme-challenge.alice.hearth.localhost";
  assert.equal((await acme("alice", "POST", { name, value: "token-one" })).status, 200);
  const two = await acme("alice", "POST", { name, value: "token-two" });
  assert.deepEqual((await two.json()).values, ["token-one", "token-two"]);
  assert.equal(
    (await acme("alice", "POST", { name: "_acme-challenge.local.alice.hearth.localhost", value: "l" }))
      .status,
    200,
  );
  assert.deepEqual(await txt(name), ["token-one", "token-two"]);
  assert.deepEqual(await txt("_acme-challenge.local.alice.hearth.localhost"), ["l"]);

  assert.equal((await acme("bob", "POST", { name, value: "evil" })).status, 403);
  assert.equal((await acme("bob", "DELETE", { name })).status, 403);
  assert.equal(
    (await acme("alice", "POST", { name: "_acme-challenge.bob.hearth.localhost", value: "x" })).status,
    403,
  );
  assert.equal((await acme("alice", "POST", { name: "alice.hearth.localhost", value: "x" })).status, 403);
  assert.equal((await acme("alice", "POST", { name, value: "has space" })).status, 400);
  const unsigned = await app.request("/reg/v1/dns/acme-challenge", {
    method: "POST",
    body: JSON.stringify({ name, value: "x" }),
  });
  assert.equal(unsigned.status, 401);

  assert.equal((await acme("alice", "DELETE", { name, value: "token-one" })).status, 200);
  assert.deepEqual(await txt(name), ["token-two"]);
  assert.equal((await acme("alice", "DELETE", { name })).status, 200);
  assert.deepEqual(await txt(name), []);
});

test("ACME values expire on their own", async () => {
  const name = "_acme-challenge.alice.hearth.localhost";
  assert.equal((await acme("alice", "POST", { name, value: "old" })).status, 200);
  assert.deepEqual(await txt(name), ["old"]);
  deps.clock.now += 60 * 60 * 1000;
  assert.deepEqual(await txt(name), []);
});
