import { test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { securityHeaders } from "./mod.ts";

function app(): Hono {
  const a = new Hono();
  a.use("*", securityHeaders());
  a.get("/page", (c) => c.html("<p>hi</p>"));
  // A stored file served inline keeps its own, narrower policy.
  a.get("/file", (c) => c.body("x", 200, { "content-security-policy": "sandbox" }));
  a.get("/boom", () => {
    throw new Error("boom");
  });
  a.onError((_e, c) => c.text("error", 500));
  return a;
}

test("every response gets the strict policy: scripts only from the origin, no framing, nosniff, referrer, HSTS", async () => {
  for (const path of ["/page", "/missing", "/boom"]) {
    const res = await app().request(path);
    await res.body?.cancel();
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /(^|; )script-src 'self'(;|$)/, path);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.match(csp, /object-src 'none'/, path);
    assert.doesNotMatch(csp, /unsafe-eval/, path);
    assert.equal(res.headers.get("x-frame-options"), "DENY", path);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
    assert.equal(res.headers.get("referrer-policy"), "same-origin", path);
    assert.match(res.headers.get("strict-transport-security") ?? "", /^max-age=\d{7,}/, path);
  }
});

test("a route's own Content-Security-Policy is kept, the other headers are still added", async () => {
  const res = await app().request("/file");
  await res.body?.cancel();
  assert.equal(res.headers.get("content-security-policy"), "sandbox");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
});
