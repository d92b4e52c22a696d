import { test } from "node:test";
import assert from "node:assert/strict";
import { base64url, constantTimeEqual, randomToken, sha256Hex } from "./mod.ts";

test("sha256Hex matches the known digest of 'abc'", async () => {
  assert.equal(await sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});

test("tokens are base64url of the requested size and differ", () => {
  const a = randomToken(32);
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, randomToken(32));
  assert.equal(base64url(new Uint8Array([0xfb, 0xff])), "-_8");
});

test("constantTimeEqual", () => {
  assert.ok(constantTimeEqual("abc", "abc"));
  assert.ok(!constantTimeEqual("abc", "abd"));
  assert.ok(!constantTimeEqual("abc", "abcd"));
  assert.ok(!constantTimeEqual("", "a"));
});
