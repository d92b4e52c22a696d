import { afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import * as OTPAuth from "otpauth";
import { createCloudApp } from "../app.ts";
import { testDeps } from "../_test_deps.ts";
import { addRelay, addServer } from "./admin.ts";
import { generateKeyPair, publicJwk } from "../../shared/pki/mod.ts";
import { base64url, sha256, sha256Hex } from "../../shared/crypto/mod.ts";
import { SignJWT } from "jose";
import { signServerRequest } from "../../shared/auth/server_request.ts";
import { createVerifiedAccount } from "../id/accounts.ts";
import { grantOperator, issueOperatorToken } from "../console/operators.ts";

let deps: Awaited<ReturnType<typeof testDeps>>;
let app: ReturnType<typeof createCloudApp>;
let keys: CryptoKeyPair;
let server: { serverId: string; totpSecret: string };
/** `/reg/v1/status` is for operators (edge/console/auth.ts): requests carry an operator token. */
let asOperator: RequestInit;
const credentials = { "relay-a": "secret-a", "relay-b": "secret-b" } as Record<string, string>;

beforeEach(async () => {
  deps = await testDeps();
  app = createCloudApp(deps);
  for (const [id, secret] of Object.entries(credentials)) {
    await addRelay(deps, {
      id,
      hostName: `${id}.hearth.localhost`,
      tunnelAddress: "127.0.0.1:8444",
      browserAddresses: ["127.0.0.1"],
      browserPort: 8443,
      credentialHash: await sha256Hex(secret),
    });
  }
  keys = await generateKeyPair();
  server = await addServer(deps, "alice", await publicJwk(keys.publicKey));
  for (const id of Object.keys(credentials)) await heartbeat(id);
  await createVerifiedAccount(deps, "op@example.com", "correct horse battery");
  await grantOperator(deps, "op@example.com");
  const { token } = await issueOperatorToken(deps, "op@example.com");
  asOperator = { headers: { authorization: `Bearer ${token}` } };
});
afterEach(() => deps.cleanup());

function asRelay(id: string, path: string, body: unknown) {
  return app.request(`/reg/v1/relay/${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${id}.${credentials[id]}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}
const heartbeat = (id: string) => asRelay(id, "heartbeat", { tunnels: 0, streams: 0, bytesPerSecond: 0 });

async function offers(): Promise<{ relayId: string; nonce: string }[]> {
  const body = JSON.stringify({ max: 8 });
  const auth = await signServerRequest(keys.privateKey, server.serverId, {
    method: "POST",
    path: "/reg/v1/server/relays",
    body,
  });
  const res = await app.request("/reg/v1/server/relays", {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json" },
    body,
  });
  assert.equal(res.status, 200);
  return (await res.json()).relays;
}

function totp(offsetSteps = 0): string {
  const t = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(server.totpSecret), digits: 6, period: 30 });
  return t.generate({ timestamp: deps.clock.now + offsetSteps * 30_000 });
}

test("a booting server gets every alive relay with its own nonce; an attach verifies once", async () => {
  const list = await offers();
  assert.deepEqual(list.map((o) => o.relayId).sort(), ["relay-a", "relay-b"]);
  assert.notEqual(list[0].nonce, list[1].nonce);
  const a = list.find((o) => o.relayId === "relay-a")!;
  const ok = await asRelay("relay-a", "attach", { serverId: server.serverId, nonce: a.nonce, totp: totp() });
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).serverName, "alice");
  const replay = await asRelay("relay-a", "attach", {
    serverId: server.serverId,
    nonce: a.nonce,
    totp: totp(),
  });
  assert.equal(replay.status, 403);
  assert.match((await replay.json()).error, /already used/);
});

test("TOTP within one step passes; two steps old fails", async () => {
  const [x, y] = await offers();
  assert.equal(
    (await asRelay(x.relayId, "attach", { serverId: server.serverId, nonce: x.nonce, totp: totp(-1) }))
      .status,
    200,
  );
  const old = await asRelay(y.relayId, "attach", {
    serverId: server.serverId,
    nonce: y.nonce,
    totp: totp(-2),
  });
  assert.equal(old.status, 403);
  assert.match((await old.json()).error, /TOTP/);
});

test("relay A's credential cannot verify a nonce issued for relay B, nor can a wrong secret", async () => {
  const b = (await offers()).find((o) => o.relayId === "relay-b")!;
  const res = await asRelay("relay-a", "attach", { serverId: server.serverId, nonce: b.nonce, totp: totp() });
  assert.equal(res.status, 403);
  assert.match((await res.json()).error, /another relay/);
  const forged = await app.request("/reg/v1/relay/heartbeat", {
    method: "POST",
    headers: { authorization: "Bearer relay-b.secret-a" },
    body: "{}",
  });
  assert.equal(forged.status, 401);
});

test("expired nonces fail, and repeated failures throttle their source address with Retry-After", async () => {
  const [x] = await offers();
  deps.clock.now += 61_000;
  for (const id of Object.keys(credentials)) await heartbeat(id);
  const late = await asRelay(x.relayId, "attach", {
    serverId: server.serverId,
    nonce: x.nonce,
    totp: totp(),
    source: "198.51.100.7",
  });
  assert.match((await late.json()).error, /expired/);
  // Junk naming alice's (public) server id, all from one address.
  for (let i = 0; i < 5; i++) {
    await asRelay("relay-a", "attach", {
      serverId: server.serverId,
      nonce: `bogus${i}`,
      totp: totp(),
      source: "203.0.113.9",
    });
  }
  const banned = await asRelay("relay-a", "attach", {
    serverId: server.serverId,
    nonce: "bogus",
    totp: totp(),
    source: "203.0.113.9",
  });
  assert.equal(banned.status, 429);
  assert.ok(Number(banned.headers.get("retry-after")) > 0);
  // Neither alice nor the relay is locked: a genuine attach from her address works at both relays.
  for (const relayId of ["relay-a", "relay-b"]) {
    const good = (await offers()).find((o) => o.relayId === relayId)!;
    const res = await asRelay(relayId, "attach", {
      serverId: server.serverId,
      nonce: good.nonce,
      totp: totp(),
      source: "198.51.100.7",
    });
    assert.equal(res.status, 200, relayId);
  }
});

test("failures with nonces genuinely issued to a server throttle that server", async () => {
  const wrong = totp() === "000000" ? "111111" : "000000";
  for (let i = 0; i < 5; i++) {
    const nonce = (await offers()).find((o) => o.relayId === "relay-a")!.nonce;
    const res = await asRelay("relay-a", "attach", {
      serverId: server.serverId,
      nonce,
      totp: wrong,
      source: `198.51.100.${i}`, // a different address each time: the server's key is what bans
    });
    assert.equal(res.status, 403);
  }
  const nonce = (await offers()).find((o) => o.relayId === "relay-b")!.nonce;
  const res = await asRelay("relay-b", "attach", {
    serverId: server.serverId,
    nonce,
    totp: totp(),
    source: "198.51.100.200",
  });
  assert.equal(res.status, 429);
});

test("the relay list needs the server's own signature", async () => {
  const body = JSON.stringify({ max: 8 });
  const stranger = await generateKeyPair();
  const auth = await signServerRequest(stranger.privateKey, server.serverId, {
    method: "POST",
    path: "/reg/v1/server/relays",
    body,
  });
  const res = await app.request("/reg/v1/server/relays", {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json" },
    body,
  });
  assert.equal(res.status, 401);
  assert.equal((await app.request("/reg/v1/server/relays", { method: "POST", body })).status, 401);
});

test("a relay that misses 3 heartbeats is marked dead and no longer handed out", async () => {
  deps.clock.now += 5_000;
  await heartbeat("relay-b");
  deps.clock.now += 2_000; // relay-a: 7 s without a heartbeat
  const list = await offers();
  assert.deepEqual(list.map((o) => o.relayId), ["relay-b"]);
  const status = await (await app.request("/reg/v1/status", asOperator)).json();
  assert.equal(status.relays.find((r: { id: string }) => r.id === "relay-a").state, "dead");
  await heartbeat("relay-a");
  assert.equal((await offers()).length, 2, "a heartbeat brings it back");
});

test("tunnel events keep the tunnels table current", async () => {
  const up = await asRelay("relay-a", "events", {
    kind: "tunnel_up",
    serverId: server.serverId,
    remoteAddress: "127.0.0.1:5555",
    at: deps.clock.now,
  });
  assert.equal(up.status, 200);
  let rows = await deps.db.client.execute("select relay_id from tunnels");
  assert.equal(rows.rows.length, 1);
  await asRelay("relay-a", "events", {
    kind: "tunnel_down",
    serverId: server.serverId,
    remoteAddress: "127.0.0.1:5555",
    at: deps.clock.now + 1,
  });
  rows = await deps.db.client.execute("select count(*) from tunnel_events");
  assert.equal(Number(rows.rows[0][0]), 2);
  assert.equal((await deps.db.client.execute("select * from tunnels")).rows.length, 0);
});

test("names are checked and taken names stay with their key", async () => {
  await assert.rejects(addServer(deps, "reg", await publicJwk(keys.publicKey)), /reserved/);
  const other = await generateKeyPair();
  await assert.rejects(addServer(deps, "alice", await publicJwk(other.publicKey)), /already taken/);
  assert.equal((await addServer(deps, "alice", await publicJwk(keys.publicKey))).serverId, server.serverId);
});

test("a relay that reports itself unhealthy is not handed out, but keeps its tunnels listed", async () => {
  await asRelay("relay-a", "events", {
    kind: "tunnel_up",
    serverId: server.serverId,
    remoteAddress: "127.0.0.1:5555",
    at: deps.clock.now,
  });
  await asRelay("relay-a", "heartbeat", { tunnels: 1, streams: 0, bytesPerSecond: 0, healthy: false });
  assert.deepEqual((await offers()).map((o) => o.relayId), ["relay-b"]);
  const rows = await deps.db.client.execute("select relay_id from tunnels");
  assert.deepEqual(rows.rows.map((t) => t.relay_id), ["relay-a"]);
  await asRelay("relay-a", "heartbeat", { tunnels: 1, streams: 0, bytesPerSecond: 0, healthy: true });
  assert.equal((await offers()).length, 2, "a healthy heartbeat brings it back");
});

test("heartbeats carry the relay's full tunnel set and the tunnels table follows it", async () => {
  const beat = (id: string, tunnelSet: unknown[]) =>
    asRelay(id, "heartbeat", { tunnels: tunnelSet.length, streams: 0, bytesPerSecond: 0, tunnelSet });
  const held = { serverId: server.serverId, remoteAddress: "127.0.0.1:5555", upAt: deps.clock.now };
  assert.equal((await beat("relay-a", [held])).status, 200);
  assert.equal((await beat("relay-b", [held, { ...held, serverId: "srv_unknown" }])).status, 200);
  const listed = async () =>
    (await deps.db.client.execute("select relay_id from tunnels order by relay_id")).rows.map((r) =>
      r.relay_id
    );
  assert.deepEqual(await listed(), ["relay-a", "relay-b"], "unknown servers are not listed");
  await beat("relay-b", []);
  assert.deepEqual(await listed(), ["relay-a"]);
});

test("after a cloud restart no relay is declared dead in the first liveness window; one heartbeat restores its tunnels", async () => {
  const held = { serverId: server.serverId, remoteAddress: "127.0.0.1:5555", upAt: deps.clock.now };
  await asRelay("relay-a", "heartbeat", { tunnels: 1, streams: 0, bytesPerSecond: 0, tunnelSet: [held] });
  // The cloud tier was down for a minute; a new instance starts over the same database.
  deps.clock.now += 60_000;
  const restarted = { ...deps };
  const restartedApp = createCloudApp(restarted);
  const status = async () =>
    (await (await restartedApp.request("/reg/v1/status", asOperator)).json()).relays.map((
      r: { state: string },
    ) => r.state);
  assert.deepEqual(await status(), ["alive", "alive"], "not dead within the first window");
  assert.equal((await deps.db.client.execute("select * from tunnels")).rows.length, 1);
  // A relay that stays silent is dead after the window; one that heartbeats is alive with its tunnels.
  deps.clock.now += 2_000;
  await restartedApp.request("/reg/v1/relay/heartbeat", {
    method: "POST",
    headers: {
      authorization: `Bearer relay-a.${credentials["relay-a"]}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ tunnels: 1, streams: 0, bytesPerSecond: 0, tunnelSet: [held] }),
  });
  deps.clock.now += 5_000;
  assert.deepEqual(await status(), ["alive", "dead"]);
  const rows = await deps.db.client.execute("select relay_id from tunnels");
  assert.deepEqual(rows.rows.map((r) => r.relay_id), ["relay-a"]);
});

test("server-signed requests: a replay, a wrong typ or a lifetime over 60 s is refused with 401", async () => {
  const body = JSON.stringify({ max: 8 });
  const send = (authorization: string) =>
    app.request("/reg/v1/server/relays", {
      method: "POST",
      headers: { authorization, "content-type": "application/json" },
      body,
    });
  const auth = await signServerRequest(keys.privateKey, server.serverId, {
    method: "POST",
    path: "/reg/v1/server/relays",
    body,
  });
  assert.equal((await send(auth)).status, 200);
  const replay = await send(auth);
  assert.equal(replay.status, 401);
  assert.match((await replay.json()).error, /already used/);

  const claims = { htm: "POST", htp: "/reg/v1/server/relays", bh: base64url(await sha256(body)) };
  const forge = (typ: string, lifetime: string) =>
    new SignJWT(claims).setProtectedHeader({ alg: "ES256", typ }).setSubject(server.serverId)
      .setAudience("hearth-regcloud").setIssuedAt().setExpirationTime(lifetime).setJti(crypto.randomUUID())
      .sign(keys.privateKey);
  assert.equal((await send(`HearthServer ${await forge("hearth-server+jwt", "60s")}`)).status, 200);
  assert.equal((await send(`HearthServer ${await forge("JWT", "60s")}`)).status, 401);
  const long = await send(`HearthServer ${await forge("hearth-server+jwt", "1h")}`);
  assert.equal(long.status, 401);
  assert.match((await long.json()).error, /too long/);
});

test("relay and DNS-front credentials (hono/bearer-auth): missing, malformed and wrong are refused with a sentence", async () => {
  const missing = await app.request("/reg/v1/relay/heartbeat", { method: "POST" });
  assert.equal(missing.status, 401);
  assert.match(missing.headers.get("www-authenticate") ?? "", /^Bearer/);
  assert.match((await missing.json()).error, /Relay credential missing/);
  const malformed = await app.request("/reg/v1/relay/heartbeat", {
    method: "POST",
    headers: { authorization: "Bearer not a token" },
  });
  assert.equal(malformed.status, 400);
  assert.match((await malformed.json()).error, /malformed/);
  const wrong = await app.request("/reg/v1/relay/heartbeat", {
    method: "POST",
    headers: { authorization: "Bearer relay-a.wrongsecret", "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(wrong.status, 401);
  assert.match((await wrong.json()).error, /Relay credential is not valid/);
  const front = await app.request("/reg/v1/dns/snapshot", { headers: { authorization: "Bearer ns9.x" } });
  assert.equal(front.status, 401);
  assert.match((await front.json()).error, /DNS front credential is not valid/);
  // A relay's JSON body must say it is JSON.
  const asText = await app.request("/reg/v1/relay/heartbeat", {
    method: "POST",
    headers: { authorization: `Bearer relay-a.${credentials["relay-a"]}`, "content-type": "text/plain" },
    body: JSON.stringify({ tunnels: 0, streams: 0, bytesPerSecond: 0 }),
  });
  assert.equal(asText.status, 400);
  assert.match((await asText.json()).error, /application\/json/);
});

test("a server looks up another's key and the relays carrying it; unknown names are 404; unsigned is 401", async () => {
  const bobKeys = await generateKeyPair();
  const bob = await addServer(deps, "bob", await publicJwk(bobKeys.publicKey));
  const peer = async (name: string, signer = keys.privateKey) => {
    const body = JSON.stringify({ name });
    const auth = await signServerRequest(signer, server.serverId, {
      method: "POST",
      path: "/reg/v1/server/peer",
      body,
    });
    return await app.request("/reg/v1/server/peer", {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body,
    });
  };
  // Offline: known, with its key, and no route.
  let res = await peer("bob");
  assert.equal(res.status, 200);
  let info = await res.json();
  assert.deepEqual(info.publicKeyJwk, await publicJwk(bobKeys.publicKey));
  assert.deepEqual(info.routes, []);
  // A tunnel on relay-b: that relay's browser address and port.
  await asRelay("relay-b", "events", {
    kind: "tunnel_up",
    serverId: bob.serverId,
    remoteAddress: "127.0.0.1:5555",
    at: deps.clock.now,
  });
  info = await (await peer("BOB")).json();
  assert.deepEqual(info.routes, [{ address: "127.0.0.1", port: 8443 }]);
  // relay-b goes quiet: its tunnel no longer counts as a way in.
  deps.clock.now += 5_000;
  await heartbeat("relay-a");
  deps.clock.now += 2_000;
  assert.deepEqual((await (await peer("bob")).json()).routes, []);
  res = await peer("nobody");
  assert.equal(res.status, 404);
  assert.match((await res.json()).error, /No Hearth server is named "nobody"/);
  assert.equal((await peer("bob", (await generateKeyPair()).privateKey)).status, 401);
});

test("a relay registered but never heard from stays new: not marked dead, not offered", async () => {
  await addRelay(deps, {
    id: "relay-c",
    hostName: "relay-c.hearth.localhost",
    tunnelAddress: "127.0.0.1:8444",
    browserAddresses: ["127.0.0.1"],
    browserPort: 8443,
    credentialHash: await sha256Hex("secret-c"),
  });
  for (let i = 0; i < 5; i++) {
    deps.clock.now += 2_000;
    await heartbeat("relay-a");
    await heartbeat("relay-b");
  }
  assert.deepEqual((await offers()).map((o) => o.relayId).sort(), ["relay-a", "relay-b"]);
  const status = await (await app.request("/reg/v1/status", asOperator)).json();
  assert.equal(status.relays.find((r: { id: string }) => r.id === "relay-c").state, "new");
});
