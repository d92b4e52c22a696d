/**
 * A password change at IdCloud ends the user server's sessions started under the account
 * (issue #12): the server introspects its session's refresh token at IdCloud (here on every
 * request: `sessionCheckSeconds: 0`) and signs the browser out once the grant is revoked. A
 * session of another account, and the owner's sessions while the cloud tier is down, go on.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Harness, startHarness } from "./harness.ts";
import { cloudDb, curlBrowser, seedLoginAccount, signInAtIdCloud, signInOrigins } from "./oidc_helpers.ts";

let h: Harness;
let jars: string;
let aliceOrigin: string;
let idOrigin: string;
let resolve: string[];
const { browse, follow } = curlBrowser({ jars: () => jars, caFile: () => h.caFile, resolve: () => resolve });
const PASSWORD = "correct horse battery 1";

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"], sessionCheckSeconds: 0 });
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length === 1);
  ({ aliceOrigin, idOrigin, resolve } = signInOrigins(h));
  jars = mkdtempSync(join(tmpdir(), "hearth-revocation-jars-"));
  const db = await cloudDb(h);
  try {
    const alice = await seedLoginAccount(db, "alice@example.com", PASSWORD);
    await seedLoginAccount(db, "bob@example.com", PASSWORD);
    await db.execute({ sql: "update servers set account_id = ? where name = 'alice'", args: [alice] });
  } finally {
    db.close();
  }
});
afterAll(async () => {
  await h?.stop();
  if (jars) rmSync(jars, { recursive: true, force: true });
});

/** Signs `who` in at IdCloud, then at alice's server; answers the page alice's server shows at `/`. */
async function signInToAlice(who: string, email: string) {
  await signInAtIdCloud(h, join(jars, who), email);
  return follow(who, `${aliceOrigin}/`);
}

test("a password change at IdCloud signs the owner out of her server; bob's session goes on", async () => {
  const home = await signInToAlice("alice", "alice@example.com");
  expect(home.url.startsWith(aliceOrigin)).toBe(true);
  expect(browse("alice", `${aliceOrigin}/settings`).status).toBe(200);
  // bob, signed in to alice's server under his own account (he sees "someone else's server").
  const consent = await signInToAlice("bob", "bob@example.com");
  expect(consent.url.startsWith(`${idOrigin}/oidc/authorize`)).toBe(true);
  const request = /name="request" value="([^"]*)"/.exec(consent.body)![1].replace(/&amp;/g, "&");
  const csrf = /name="csrf" value="([^"]*)"/.exec(consent.body)![1];
  const allowed = browse("bob", `${idOrigin}/oidc/authorize/consent`, { request, csrf, decision: "allow" });
  const bobs = follow("bob", allowed.location!);
  expect(bobs.url).toBe(`${aliceOrigin}/`);
  expect(bobs.body).toContain("belongs to someone else");

  // Checked on every request while the grant stands: alice stays in.
  expect(browse("alice", `${aliceOrigin}/settings`).status).toBe(200);

  const changed = browse("alice", `${idOrigin}/account/password`, {
    current: PASSWORD,
    password: "a brand new passphrase 2",
  });
  expect(changed.status).toBeLessThan(400);

  const after = browse("alice", `${aliceOrigin}/settings`);
  expect(after.status).toBe(303);
  expect(after.location).toContain("/auth/login");
  await h.waitFor(
    "alice's server to log the ended session",
    () => h.output.some((l) => l.startsWith("user:alice") && l.includes("session ended")),
  );
  // bob's grant was not touched: his session at alice's server still stands.
  const bobAgain = browse("bob", `${aliceOrigin}/`);
  expect(bobAgain.status).toBe(403);
  expect(bobAgain.body).toContain("belongs to someone else");
});

test("with the cloud tier down, a signed-in owner keeps her session (the check fails open)", async () => {
  const home = await signInToAlice("carol-is-alice", "alice@example.com");
  expect(home.url.startsWith(aliceOrigin)).toBe(true);
  await h.processes.get("cloud")?.stop();
  try {
    expect(browse("carol-is-alice", `${aliceOrigin}/settings`).status).toBe(200);
    await h.waitFor(
      "alice's server to log that IdCloud cannot be reached",
      () => h.output.some((l) => l.startsWith("user:alice") && l.includes("cannot check sessions")),
    );
  } finally {
    await h.start("cloud");
  }
});
