/**
 * The operators' console over a real libSQL file with `app.request()`: the door (404 for anyone
 * but an operator signed in with TOTP, or an operator token), suspension and deregistration (attach
 * refused with the reason, heartbeat answers that drop tunnels, DNS snapshot, mail, the audit entry
 * on the owner's account page), metering, the event log. The same against real relays and Chromium:
 * testing/console.test.ts and e2e/console.test.ts.
 */
import { afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import * as OTPAuth from "otpauth";
import { eq } from "drizzle-orm";
import { accounts, mailOutbox, servers, tunnelEvents, usage } from "../../shared/db/cloud/schema.ts";
import { generateKeyPair, publicJwk } from "../../shared/pki/mod.ts";
import { sha256Hex } from "../../shared/crypto/mod.ts";
import { signServerRequest } from "../../shared/auth/server_request.ts";
import { testDeps } from "../_test_deps.ts";
import { createCloudApp } from "../app.ts";
import { addRelay, addServer } from "../reg/admin.ts";
import { createVerifiedAccount } from "../id/accounts.ts";
import { outbox, TestBrowser } from "../id/_test_browser.ts";
import { buildSnapshot } from "../dns/snapshot_db.ts";
import { grantOperator, issueOperatorToken, revokeOperator } from "./operators.ts";
import { compactUsage, DAY_MS, HOUR_MS } from "./metering.ts";
import { pruneTunnelEvents } from "./retention.ts";
import { audience, sendAnnouncement } from "./announcements.ts";
import { auditPage, COMMAND_LINE } from "./audit.ts";
import { freeDeregisteredNames } from "./server_state.ts";
import { lookUpPeer } from "../reg/peer.ts";
import { claimName } from "../id/registration.ts";

const PASSWORD = "correct horse battery";
let deps: Awaited<ReturnType<typeof testDeps>>;
let app: ReturnType<typeof createCloudApp>;
let alice: { serverId: string; totpSecret: string; keys: CryptoKeyPair };

beforeEach(async () => {
  deps = await testDeps();
  app = createCloudApp(deps);
  await addRelay(deps, {
    id: "relay-a",
    hostName: "relay-a.hearth.localhost",
    tunnelAddress: "127.0.0.1:8444",
    browserAddresses: ["127.0.0.1"],
    browserPort: 8443,
    credentialHash: await sha256Hex("secret-a"),
  });
  await heartbeat();
  const keys = await generateKeyPair();
  const reg = await addServer(deps, "alice", await publicJwk(keys.publicKey));
  alice = { ...reg, keys };
  const owner = await createVerifiedAccount(deps, "alice@example.com", PASSWORD);
  await deps.db.write(() =>
    deps.db.orm.update(servers).set({ accountId: owner.id }).where(eq(servers.id, reg.serverId))
  );
});
afterEach(() => deps.cleanup());

function heartbeat(body: Record<string, unknown> = {}) {
  return app.request("/reg/v1/relay/heartbeat", {
    method: "POST",
    headers: { authorization: "Bearer relay-a.secret-a", "content-type": "application/json" },
    body: JSON.stringify({ tunnels: 0, streams: 0, bytesPerSecond: 0, ...body }),
  });
}

/** An account with TOTP on, signed in through the second factor. */
async function signedIn(email: string, { operator = false, totp = true } = {}) {
  const a = await createVerifiedAccount(deps, email, PASSWORD);
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  if (totp) {
    await deps.db.write(() =>
      deps.db.orm.update(accounts).set({ totpSecret: secret, totpEnabledAt: deps.now() }).where(
        eq(accounts.id, a.id),
      )
    );
  }
  if (operator) await grantOperator(deps, email);
  const b = new TestBrowser(app);
  const res = await b.post("/login", { email, password: PASSWORD, return_to: "/account" });
  assert.equal(res.status, 303);
  if (totp) {
    assert.equal(res.headers.get("location"), "/login/totp");
    const code = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({
      timestamp: deps.now(),
    });
    assert.equal((await b.post("/login/totp", { code })).status, 303);
  }
  return b;
}

const CONSOLE_ROUTES = [
  "/console",
  "/console/live",
  "/console/events",
  "/console/users",
  "/console/audit",
  "/console/api/liveness",
  "/console/api/events",
  "/console/api/users",
  "/console/api/audit",
  "/console/_static/htmx.min.js",
  "/reg/v1/status",
];

test("the console answers 404 to anyone but an operator signed in with TOTP, or an operator token", async () => {
  const strangers = {
    "signed out": new TestBrowser(app),
    "a user": await signedIn("user@example.com"),
    "an operator without TOTP": await signedIn("op-no-totp@example.com", { operator: true, totp: false }),
  };
  for (const [who, b] of Object.entries(strangers)) {
    for (const path of CONSOLE_ROUTES) {
      const res = await b.request(path);
      assert.equal(res.status, 404, `${who}: GET ${path}`);
      await res.body?.cancel();
    }
    const post = await b.post("/console/servers/alice/state", { action: "suspend", reason: "abuse" });
    assert.equal(post.status, 404, `${who}: POST`);
  }
  const op = await signedIn("op@example.com", { operator: true });
  for (const path of CONSOLE_ROUTES.filter((p) => p !== "/console/live")) {
    const res = await op.request(path);
    assert.equal(res.status, 200, `operator: GET ${path}`);
    await res.body?.cancel();
  }
  const page = await (await op.request("/console")).text();
  assert.match(page, /data-relay="relay-a" data-state="alive"/);
  assert.match(page, /hx-sse:connect="\/console\/live"/);

  // Scripts: a token while the role lasts; a wrong one is a 401.
  const { token } = await issueOperatorToken(deps, "op@example.com");
  const withToken = (t: string) =>
    app.request("/console/api/users", { headers: { authorization: `Bearer ${t}` } });
  const users = await withToken(token);
  assert.equal(users.status, 200);
  assert.deepEqual((await users.json()).users.map((u: { name: string }) => u.name), ["alice"]);
  assert.equal((await withToken(`${token}x`)).status, 401);
  await revokeOperator(deps, "op@example.com");
  assert.equal((await withToken(token)).status, 401);
  assert.equal((await op.request("/console")).status, 404, "revoking the role closes the console at once");
});

async function attach(): Promise<Response> {
  const body = JSON.stringify({ max: 8 });
  const auth = await signServerRequest(alice.keys.privateKey, alice.serverId, {
    method: "POST",
    path: "/reg/v1/server/relays",
    body,
  });
  const offered = await app.request("/reg/v1/server/relays", {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json" },
    body,
  });
  if (!offered.ok) return offered; // a deregistered server gets no offers (see the test below)
  const offers = await offered.json();
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(alice.totpSecret) }).generate({
    timestamp: deps.now(),
  });
  return await app.request("/reg/v1/relay/attach", {
    method: "POST",
    headers: { authorization: "Bearer relay-a.secret-a", "content-type": "application/json" },
    body: JSON.stringify({
      serverId: alice.serverId,
      nonce: offers.relays[0].nonce,
      totp,
      source: "192.0.2.7",
    }),
  });
}

test("suspend → attach refused with the reason, relays told to drop, name still answers; deregister → NXDOMAIN; all audited and mailed", async () => {
  const op = await signedIn("op@example.com", { operator: true });
  const held = { serverId: alice.serverId, remoteAddress: "192.0.2.7:4000", upAt: deps.now() };
  assert.deepEqual((await (await heartbeat({ tunnels: 1, tunnelSet: [held] })).json()).drop, []);
  assert.equal((await attach()).status, 200);
  assert.match(await (await op.request("/console")).text(), /data-tunnel="alice@relay-a"/);

  const suspended = await op.post("/console/servers/alice/state", {
    action: "suspend",
    reason: "abuse",
    note: "Reported phishing page",
  });
  assert.equal(suspended.status, 303);
  assert.match(decodeURIComponent(suspended.headers.get("location")!), /alice is now suspended/);
  const drop = (await (await heartbeat({ tunnels: 1, tunnelSet: [held] })).json()).drop;
  assert.deepEqual(drop, [{ serverId: alice.serverId, code: "suspended:abuse" }]);
  const refused = await attach();
  assert.equal(refused.status, 403);
  assert.deepEqual(await refused.json(), {
    ok: false,
    code: "server_suspended",
    error: "Server is suspended (reason: abuse)",
  });
  let snap = await buildSnapshot(deps);
  assert.deepEqual(
    snap.users,
    [{ name: "alice", relays: ["relay-a"] }],
    "a suspended name answers with relays",
  );

  const twice = await op.post("/console/servers/alice/state", { action: "suspend", reason: "abuse" });
  assert.equal(twice.status, 409);
  assert.equal(
    (await op.post("/console/servers/alice/state", { action: "unsuspend", reason: "other" })).status,
    303,
  );
  assert.equal((await attach()).status, 200, "reinstated: attaches work again");
  assert.deepEqual((await (await heartbeat({ tunnels: 1, tunnelSet: [held] })).json()).drop, []);

  assert.equal(
    (await op.post("/console/servers/alice/state", { action: "deregister", reason: "legal_order" })).status,
    303,
  );
  snap = await buildSnapshot(deps);
  assert.deepEqual(snap.users, [], "a deregistered name is NXDOMAIN");
  assert.equal((await attach()).status, 403);

  // The owner is mailed each time and reads every entry on her account page.
  const mails = (await outbox(deps)).filter((m) => m.to === "alice@example.com");
  assert.deepEqual(mails.map((m) => m.subject), [
    "alice.hearth.localhost was suspended",
    "alice.hearth.localhost is reachable again",
    "alice.hearth.localhost was deregistered",
  ]);
  assert.match(mails[0].text, /Reason: Abuse of the service .* \(abuse\)\. Note: Reported phishing page/);
  const owner = new TestBrowser(app);
  await owner.post("/login", { email: "alice@example.com", password: PASSWORD, return_to: "/account" });
  const account = await (await owner.request("/account")).text();
  const rows = [...account.matchAll(/<tr[^>]* data-audit="(\w+)"><td>[^<]+<\/td><td>([^<]+)<\/td>/g)].map((
    m,
  ) => `${m[1]} by ${m[2]}`);
  assert.deepEqual(rows, [
    "deregister by op@example.com",
    "unsuspend by op@example.com",
    "suspend by op@example.com",
  ]);
  assert.match(account, /Reported phishing page/);
  assert.match(account, /data-state="deregistered">deregistered \(legal_order\)/);
  // And another user sees none of it.
  const other = await signedIn("bob@example.com");
  assert.doesNotMatch(await (await other.request("/account")).text(), /data-audit=/);
});

test("the JSON API acts with a token only; a session's JSON post is refused", async () => {
  const op = await signedIn("op@example.com", { operator: true });
  const { token } = await issueOperatorToken(deps, "op@example.com");
  const post = (headers: Record<string, string>) =>
    app.request("/console/api/servers/alice/state", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ action: "suspend", reason: "spam" }),
    });
  const viaSession = await op.request("/console/api/servers/alice/state", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ action: "suspend", reason: "spam" }),
  });
  assert.equal(viaSession.status, 403);
  const ok = await post({ authorization: `Bearer ${token}` });
  assert.deepEqual(await ok.json(), { name: "alice", state: "suspended" });
  const audit =
    await (await app.request("/console/api/audit", { headers: { authorization: `Bearer ${token}` } }))
      .json();
  assert.equal(audit.entries[0].action, "suspend");
  assert.equal(audit.entries[0].actorEmail, "op@example.com");
});

test("metering: heartbeats add up per hour; hours older than 30 days fold into days; owner and console see totals", async () => {
  const report = (bytes: number, connections: number) =>
    heartbeat({
      usage: [{ serverId: alice.serverId, bytes, connections }, {
        serverId: "srv_made_up",
        bytes: 5,
        connections: 1,
      }],
    });
  await report(1000, 2);
  await report(500, 1);
  const rows = await deps.db.orm.select().from(usage);
  assert.deepEqual(rows.map((r) => [r.serverId, r.period, r.bytes, r.connections]), [
    [alice.serverId, "hour", 1500, 3],
  ], "one hourly row; made-up servers are not stored");

  deps.clock.now += 31 * DAY_MS;
  await report(2048, 4);
  assert.equal(await compactUsage(deps), 1);
  const after = await deps.db.orm.select().from(usage);
  assert.deepEqual(
    after.map((r) => [r.period, r.bytes, r.start % DAY_MS === 0, r.start % HOUR_MS === 0]).sort(),
    [
      ["day", 1500, true, true],
      ["hour", 2048, false, true],
    ].sort(),
  );
  const op = await signedIn("op@example.com", { operator: true });
  const users = await (await op.request("/console/api/users")).json();
  assert.equal(users.users[0].bytes24h, 2048);
  assert.equal(users.users[0].bytes30d, 2048);
  const owner = new TestBrowser(app);
  await owner.post("/login", { email: "alice@example.com", password: PASSWORD, return_to: "/account" });
  assert.match(
    await (await owner.request("/account")).text(),
    /2\.0 KiB today, 2\.0 KiB in 30 days, 4 connections/,
  );
});

test("the tunnel event log filters and pages, with durations", async () => {
  const event = (kind: string, at: number) =>
    app.request("/reg/v1/relay/events", {
      method: "POST",
      headers: { authorization: "Bearer relay-a.secret-a", "content-type": "application/json" },
      body: JSON.stringify({ kind, serverId: alice.serverId, remoteAddress: "192.0.2.7:4000", at }),
    });
  const t0 = deps.now();
  for (let i = 0; i < 60; i++) await event(i % 2 ? "tunnel_down" : "tunnel_up", t0 + i * 10_000);
  const op = await signedIn("op@example.com", { operator: true });
  const first = await (await op.request("/console/api/events?server=alice&kind=tunnel_down")).json();
  assert.equal(first.events.length, 30);
  assert.equal(first.next, null);
  assert.ok(first.events.every((e: { durationMs: number }) => e.durationMs === 10_000));
  const all = await (await op.request("/console/api/events")).json();
  assert.equal(all.events.length, 50);
  const rest = await (await op.request(`/console/api/events?before=${all.next}`)).json();
  assert.equal(rest.events.length, 10);
  assert.equal(rest.next, null);
  const page = await (await op.request("/console/events?relay=relay-a")).text();
  assert.match(page, /Older events/);
  assert.equal((await (await op.request("/console/api/events?server=bob")).json()).events.length, 0);
});

test("the tunnel event log is pruned after its retention", async () => {
  const event = (at: number) =>
    app.request("/reg/v1/relay/events", {
      method: "POST",
      headers: { authorization: "Bearer relay-a.secret-a", "content-type": "application/json" },
      body: JSON.stringify({
        kind: "tunnel_up",
        serverId: alice.serverId,
        remoteAddress: "192.0.2.7:4000",
        at,
      }),
    });
  await event(deps.now() - 11 * DAY_MS);
  await event(deps.now() - 9 * DAY_MS);
  deps.tunnelEventRetentionDays = 10;
  assert.equal(await pruneTunnelEvents(deps), 1);
  assert.equal((await deps.db.orm.select().from(tunnelEvents)).length, 1);
});

test("announcements: a filtered subset, previewed, queued at a rate, with a one-click unsubscribe for announcements only", async () => {
  // alice@ (registered at t0, with a tunnel event on relay-a), old@ (a year earlier), new@ (later),
  // and an unverified sign-up that gets nothing.
  await app.request("/reg/v1/relay/events", {
    method: "POST",
    headers: { authorization: "Bearer relay-a.secret-a", "content-type": "application/json" },
    body: JSON.stringify({
      kind: "tunnel_up",
      serverId: alice.serverId,
      remoteAddress: "192.0.2.7:4000",
      at: deps.now(),
    }),
  });
  const t0 = deps.now();
  deps.clock.now -= 365 * DAY_MS;
  await createVerifiedAccount(deps, "old@example.com", PASSWORD);
  deps.clock.now = t0 + DAY_MS;
  await createVerifiedAccount(deps, "new@example.com", PASSWORD);
  await new TestBrowser(app).post("/signup", { email: "unverified@example.com", password: PASSWORD });
  const op = await signedIn("op@example.com", { operator: true });
  const ISO = (ms: number) => new Date(ms).toISOString().slice(0, 10);

  const form = { subject: "Maintenance on Sunday", body: "Relays restart at 02:00 UTC.\n\nNothing to do." };
  const preview = async (filter: Record<string, string>) => {
    const res = await op.post("/console/announce", { ...form, ...filter, step: "preview" });
    assert.equal(res.status, 200);
    const html = await res.text();
    return /data-recipients="\d+">([^<]*)</.exec(html)![1].split(", ").filter(Boolean);
  };
  assert.deepEqual(await preview({}), [
    "alice@example.com",
    "new@example.com",
    "old@example.com",
    "op@example.com",
  ]);
  assert.deepEqual(await preview({ registered_after: ISO(t0 - DAY_MS) }), [
    "alice@example.com",
    "new@example.com",
    "op@example.com",
  ]);
  assert.deepEqual(await preview({ registered_before: ISO(t0 - DAY_MS) }), ["old@example.com"]);
  assert.deepEqual(await preview({ active_days: "7" }), ["alice@example.com"]);
  assert.deepEqual(await preview({ relay: "relay-b" }), []);
  assert.equal(
    (await deps.db.orm.select().from(mailOutbox)).filter((m) => m.subject === form.subject).length,
    0,
  );

  const sent = await op.post("/console/announce", {
    ...form,
    registered_after: ISO(t0 - DAY_MS),
    step: "send",
  });
  assert.equal(sent.status, 303);
  assert.equal(sent.headers.get("location"), "/console/announce?sent=3");
  const mails = (await outbox(deps)).filter((m) => m.subject === form.subject);
  assert.deepEqual(mails.map((m) => m.to).sort(), ["alice@example.com", "new@example.com", "op@example.com"]);
  const headers = JSON.parse(mails[0].headers!);
  assert.equal(headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
  const link = /^<(https:\/\/[^>]+)>$/.exec(headers["List-Unsubscribe"])![1];
  assert.ok(mails[0].text.includes(link), "the link is in the text too");

  // A GET (a link scanner) changes nothing; the provider's one-click POST, without Origin, unsubscribes.
  const path = new URL(link).pathname;
  assert.match(await (await app.request(path)).text(), /Stop announcements\?/);
  assert.deepEqual(await preview({ registered_after: ISO(t0 - DAY_MS) }), [
    "alice@example.com",
    "new@example.com",
    "op@example.com",
  ]);
  const oneClick = await app.request(path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "List-Unsubscribe=One-Click",
  });
  assert.equal(oneClick.status, 200);
  assert.equal((await preview({ registered_after: ISO(t0 - DAY_MS) })).includes(mails[0].to), false);
  const forged = await app.request(`${path.slice(0, -3)}xyz`, {
    method: "POST",
    body: "List-Unsubscribe=One-Click",
  });
  assert.equal(forged.status, 404);
  // Security mail still reaches an unsubscribed account: alice is suspended and told.
  await unsubscribeAll("alice@example.com");
  await op.post("/console/servers/alice/state", { action: "suspend", reason: "spam" });
  assert.ok((await outbox(deps)).some((m) => m.to === "alice@example.com" && /suspended/.test(m.subject)));

  // The rate limit spreads the queue: one a minute here.
  const before = (await outbox(deps)).length;
  await sendAnnouncement(deps, COMMAND_LINE, { subject: "Paced", body: "x", filter: {} }, { perMinute: 1 });
  const paced = (await outbox(deps)).slice(before).map((m) => m.nextAttemptAt - deps.now());
  assert.deepEqual(paced, paced.map((_, i) => i * 60_000));
  const audit = await (await op.request("/console/api/audit")).json();
  assert.equal(audit.entries.filter((e: { action: string }) => e.action === "announce").length, 2);
});

async function unsubscribeAll(email: string) {
  await deps.db.write(() =>
    deps.db.orm.update(accounts).set({ announcementsOffAt: deps.now() }).where(eq(accounts.email, email))
  );
}

test("a deregistered server can no longer act at the cloud tier nor be found by peers; its name is freed after 30 days", async () => {
  const op = await signedIn("op@example.com", { operator: true });
  await op.post("/console/servers/alice/state", { action: "deregister", reason: "abuse" });
  const body = JSON.stringify({ max: 8 });
  const auth = await signServerRequest(alice.keys.privateKey, alice.serverId, {
    method: "POST",
    path: "/reg/v1/server/relays",
    body,
  });
  const res = await app.request("/reg/v1/server/relays", {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json" },
    body,
  });
  assert.equal(res.status, 403);
  assert.match((await res.json()).error, /"alice" is deregistered \(reason: abuse\)/);
  assert.equal(await lookUpPeer(deps, "alice"), undefined);

  const bob = await createVerifiedAccount(deps, "bob@example.com", PASSWORD);
  await assert.rejects(claimName(deps, bob.id, "alice"), /taken/);
  deps.clock.now += 29 * DAY_MS;
  assert.deepEqual(await freeDeregisteredNames(deps), []);
  deps.clock.now += 2 * DAY_MS;
  assert.deepEqual(await freeDeregisteredNames(deps), ["alice"]);
  assert.equal((await claimName(deps, bob.id, "alice")).name, "alice");
  // The audit trail outlives the server row.
  assert.equal((await auditPage(deps))[0].serverName, "alice");
});

test("the account page turns announcements off and on again", async () => {
  const b = new TestBrowser(app);
  await b.post("/login", { email: "alice@example.com", password: PASSWORD, return_to: "/account" });
  const recipients = async () => (await audience(deps, {})).map((r) => r.email);
  assert.ok((await recipients()).includes("alice@example.com"));
  assert.match(await (await b.request("/account")).text(), /Turn off/);
  assert.equal((await b.post("/account/announcements", { on: "0" })).status, 303);
  assert.equal((await recipients()).includes("alice@example.com"), false);
  assert.match(await (await b.request("/account")).text(), /Announcements are off/);
  await b.post("/account/announcements", { on: "1" });
  assert.ok((await recipients()).includes("alice@example.com"));
});
