import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Hono } from "hono";
import {
  checkExpiry,
  newSessionToken,
  parseSessionToken,
  secretMatches,
  sessionCookie,
} from "./session_token.ts";

const policy = { inactivityMs: 1000, renewAfterMs: 100, absoluteMs: 5000 };

test("a new token parses back and its secret matches only its own hash", async () => {
  const t = await newSessionToken();
  const parsed = parseSessionToken(t.token)!;
  assert.equal(parsed.id, t.id);
  assert.ok(await secretMatches(parsed.secret, t.secretHash));
  assert.ok(!(await secretMatches(parsed.secret + "x", t.secretHash)));
});

test("property: anything that is not id.secret does not parse", () => {
  fc.assert(fc.property(fc.string(), (s) => {
    const p = parseSessionToken(s);
    if (p) assert.equal(`${p.id}.${p.secret}`, s);
  }));
});

test("sliding expiry: valid, renew, expired by inactivity and by absolute age", () => {
  const s = { createdAt: 0, lastSeenAt: 0, expiresAt: 1000 };
  assert.deepEqual(checkExpiry(s, 50, policy), { kind: "valid" });
  assert.deepEqual(checkExpiry(s, 500, policy), { kind: "renew", expiresAt: 1500 });
  assert.deepEqual(checkExpiry(s, 1000, policy), { kind: "expired" });
  assert.deepEqual(checkExpiry({ createdAt: 0, lastSeenAt: 4900, expiresAt: 5900 }, 5000, policy), {
    kind: "expired",
  });
  assert.deepEqual(checkExpiry({ createdAt: 0, lastSeenAt: 4000, expiresAt: 4900 }, 4500, policy), {
    kind: "renew",
    expiresAt: 5000,
  });
});

test("the cookie is __Host-, Secure, HttpOnly, SameSite=Lax, Path=/ and has no Domain", async () => {
  const cookie = sessionCookie("hearth_x");
  const app = new Hono().get("/", (c) => {
    cookie.set(c, "abc", 60_000);
    return c.text("ok");
  });
  const header = (await app.request("/")).headers.get("set-cookie")!;
  assert.match(header, /^__Host-hearth_x=abc;/);
  for (const attr of ["Max-Age=60", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"]) {
    assert.ok(header.includes(attr), attr);
  }
  assert.ok(!/domain=/i.test(header));
});
