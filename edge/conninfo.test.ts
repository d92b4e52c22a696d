import { test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { clientIp } from "./conninfo.ts";

const app = new Hono().get("/", (c) => c.text(clientIp(c)));

test("the address Deno.serve passes as env; a header never counts; no env is 'unknown'", async () => {
  const info = { remoteAddr: { transport: "tcp", hostname: "2001:db8::7", port: 40000 } };
  assert.equal(await (await app.request("/", {}, info)).text(), "2001:db8::7");
  const forged = await app.request("/", { headers: { "x-forwarded-for": "10.0.0.1" } });
  assert.equal(await forged.text(), "unknown");
  for (const env of [undefined, null, {}, { remoteAddr: {} }, { remoteAddr: { hostname: 7 } }]) {
    assert.equal(await (await app.request("/", {}, env)).text(), "unknown");
  }
});

test("through a real Deno.serve listener, the peer's address", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  try {
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
    assert.equal(await res.text(), "127.0.0.1");
  } finally {
    await server.shutdown();
  }
});
