import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeMessage, encodeMessage, parseHello, TunnelProtocolError } from "./hello.ts";

const hello = { version: 1, serverId: "srv_abc", nonce: "n-123", totp: "123456" };

test("a hello round-trips and leaves trailing yamux bytes alone", () => {
  const bytes = encodeMessage(hello);
  const withYamux = new Uint8Array([...bytes, 0, 1, 2]);
  const decoded = decodeMessage(withYamux)!;
  assert.equal(decoded.used, bytes.length);
  assert.deepEqual(parseHello(decoded.value), hello);
});

test("every prefix of a message asks for more bytes", () => {
  const bytes = encodeMessage(hello);
  for (let i = 0; i < bytes.length; i++) assert.equal(decodeMessage(bytes.subarray(0, i)), undefined);
});

test("bad hellos name the field", () => {
  assert.throws(() => parseHello({ ...hello, version: 2 }), /version 2 is not supported/);
  assert.throws(() => parseHello({ ...hello, nonce: "" }), /"nonce"/);
  assert.throws(() => parseHello({ ...hello, totp: "12345" }), /"totp"/);
  assert.throws(() => parseHello([]), /not an object/);
  assert.throws(() => decodeMessage(new Uint8Array([0, 1, 0, 0])), /limit 4096/);
  assert.throws(() => decodeMessage(new Uint8Array([0, 0, 0, 1, 0xff])), /not UTF-8 JSON/);
});

test("property: random bytes either need more, decode, or throw TunnelProtocolError", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        const r = decodeMessage(bytes);
        if (r) parseHello(r.value);
      } catch (e) {
        assert.ok(e instanceof TunnelProtocolError, String(e));
      }
    }),
    { numRuns: 2000 },
  );
});
