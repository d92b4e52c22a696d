/**
 * Sign-in end to end with real processes: alice's server (an OIDC client of her account) sends
 * a browser to IdCloud and back through a relay, and trades the code for tokens directly with the
 * cloud tier using private_key_jwt. curl plays the browser (cookie jar, names pinned with --resolve).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Harness, startHarness } from "./harness.ts";
import { cloudDb, curlBrowser, seedAccount, signInAtIdCloud, signInOrigins } from "./oidc_helpers.ts";

let h: Harness;
let jars: string;
let aliceOrigin: string;
let idOrigin: string;
let resolve: string[];

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"] });
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length === 1);
  ({ aliceOrigin, idOrigin, resolve } = signInOrigins(h));
  jars = mkdtempSync(join(tmpdir(), "hearth-oidc-jars-"));
  const db = await cloudDb(h);
  try {
    const alice = await seedAccount(db, "alice@example.com");
    await seedAccount(db, "bob@example.com");
    await db.execute({ sql: "update servers set account_id = ? where name = 'alice'", args: [alice] });
  } finally {
    db.close();
  }
});
afterAll(async () => {
  await h?.stop();
  if (jars) rmSync(jars, { recursive: true, force: true });
});

const { browse, follow } = curlBrowser({ jars: () => jars, caFile: () => h.caFile, resolve: () => resolve });

function signedIn(who: string, email: string) {
  return signInAtIdCloud(h, join(jars, who), email);
}

describe("alice signs in to her own server through a relay", () => {
  test("no session → IdCloud's login, with the authorization request to come back to", () => {
    const res = follow("anon", `${aliceOrigin}/`);
    expect(res.url.startsWith(`${idOrigin}/login`)).toBe(true);
    const back = new URL(new URL(res.url).searchParams.get("return_to")!, idOrigin);
    expect(back.pathname).toBe("/oidc/authorize");
    expect(back.searchParams.get("redirect_uri")).toBe(`${aliceOrigin}/auth/callback`);
    expect(back.searchParams.get("code_challenge_method")).toBe("S256");
  });

  test("signed in at IdCloud → back on alice's server, signed in as its owner", async () => {
    await signedIn("alice", "alice@example.com");
    const res = follow("alice", `${aliceOrigin}/`);
    expect(res.url.startsWith(aliceOrigin)).toBe(true);
    expect(res.body).not.toContain("belongs to someone else");
    // The owner is admitted: her Settings page answers.
    const settings = browse("alice", `${aliceOrigin}/settings`);
    expect(settings.status).toBe(200);
    const jar = readFileSync(join(jars, "alice"), "utf8");
    expect(jar).toContain("__Host-hearth_session");
    // The token request went straight to the cloud tier, signed with alice's server key.
    const line = await h.waitFor(
      "alice's server to log the sign-in",
      () => h.output.find((l) => l.startsWith("user:alice") && l.includes('"msg":"signed in"')),
    );
    expect(line).toContain('"owner":true');
  });

  test("logout ends both sessions and comes back to alice's signed-out page", () => {
    const start = browse("alice", `${aliceOrigin}/auth/logout`, {});
    expect(start.status).toBe(303);
    expect(start.location!.startsWith(`${idOrigin}/oidc/logout`)).toBe(true);
    const end = follow("alice", start.location!);
    expect(end.url).toBe(`${aliceOrigin}/auth/logged-out`);
    expect(end.body).toContain("You are signed out");
    // Both sessions are gone: alice's server sends her to IdCloud, and IdCloud asks for a login.
    expect(follow("alice", `${aliceOrigin}/`).url.startsWith(`${idOrigin}/login`)).toBe(true);
  });
});

describe("bob at alice's server", () => {
  test("after consenting he sees 'belongs to someone else' at / and 404 elsewhere", async () => {
    await signedIn("bob", "bob@example.com");
    const consent = follow("bob", `${aliceOrigin}/`);
    expect(consent.url.startsWith(`${idOrigin}/oidc/authorize`)).toBe(true);
    expect(consent.body).toContain("belongs to someone else");
    const request = /name="request" value="([^"]*)"/.exec(consent.body)![1].replace(/&amp;/g, "&");
    const csrf = /name="csrf" value="([^"]*)"/.exec(consent.body)![1];
    const answer = browse("bob", `${idOrigin}/oidc/authorize/consent`, { request, csrf, decision: "allow" });
    expect(answer.status).toBe(303);
    const page = follow("bob", answer.location!);
    expect(page.url).toBe(`${aliceOrigin}/`);
    expect(page.status).toBe(403);
    expect(page.body).toContain("This server belongs to someone else");
    for (const path of ["/browse", "/settings", "/no-such-page"]) {
      const other = browse("bob", `${aliceOrigin}${path}`);
      expect(other.status).toBe(404);
      expect(other.body).not.toContain("Settings");
    }
  });
});
