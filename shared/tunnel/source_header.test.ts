import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decodeSourceHeader, encodeSourceHeader, SIGNATURE } from "./source_header.ts";

const randomV4 = () => Array.from({ length: 4 }, () => Math.floor(Math.random() * 256)).join(".");
const randomV6 = () =>
  Array.from({ length: 8 }, () => (Math.random() < 0.3 ? 0 : Math.floor(Math.random() * 65536)).toString(16))
    .join(
      ":",
    );
const port = () => Math.floor(Math.random() * 65536);

describe("source header (PROXY v2)", () => {
  test("IPv4 and IPv6 round-trip, with the stream's bytes after it untouched", () => {
    for (let i = 0; i < 500; i++) {
      const v6 = i % 2 === 1;
      const source = { address: v6 ? randomV6() : randomV4(), port: port() };
      const local = { address: v6 ? "::1" : "127.0.0.1", port: 443 };
      const h = encodeSourceHeader(source, local);
      const tail = new Uint8Array([22, 3, 1, 0, 5]);
      const r = decodeSourceHeader(new Uint8Array([...h, ...tail]));
      assert.equal(r.kind, "header");
      if (r.kind !== "header") continue;
      assert.equal(r.used, h.length);
      assert.equal(r.source!.port, source.port);
      // Compare as bytes: "0:0:…" and "::" name the same address.
      assert.deepEqual(encodeSourceHeader(r.source!, local), h);
    }
  });

  test("a short form and an IPv4-mapped address read back as people write them", () => {
    const h = encodeSourceHeader({ address: "2001:db8::1", port: 1 }, { address: "::1", port: 2 });
    assert.deepEqual(decodeSourceHeader(h), {
      kind: "header",
      source: { address: "2001:db8::1", port: 1 },
      used: h.length,
    });
    const m = encodeSourceHeader({ address: "::ffff:192.0.2.5", port: 7 }, { address: "::1", port: 2 });
    assert.deepEqual(decodeSourceHeader(m), {
      kind: "header",
      source: { address: "192.0.2.5", port: 7 },
      used: m.length,
    });
  });

  test("every truncation needs more; never a wrong answer", () => {
    const h = encodeSourceHeader({ address: "198.51.100.20", port: 5555 }, {
      address: "10.0.0.1",
      port: 443,
    });
    for (let n = 0; n < h.length; n++) assert.equal(decodeSourceHeader(h.subarray(0, n)).kind, "need-more");
  });

  test("a stream that begins with TLS (no header) is an error at once", () => {
    assert.equal(decodeSourceHeader(new Uint8Array([22, 3, 1, 2, 0])).kind, "error");
  });

  test("random bytes after the signature never throw and never read past the buffer", () => {
    for (let i = 0; i < 5000; i++) {
      const junk = new Uint8Array(Math.floor(Math.random() * 300)).map(() => Math.floor(Math.random() * 256));
      const buf = new Uint8Array([...SIGNATURE, ...junk]);
      const r = decodeSourceHeader(buf);
      if (r.kind === "header") assert.ok(r.used <= buf.length);
    }
    for (let i = 0; i < 2000; i++) {
      const junk = new Uint8Array(Math.floor(Math.random() * 64)).map(() => Math.floor(Math.random() * 256));
      assert.doesNotThrow(() => decodeSourceHeader(junk));
    }
  });

  test("a LOCAL header carries no address; an over-long header is refused", () => {
    const local = new Uint8Array([...SIGNATURE, 0x20, 0x00, 0x00, 0x00]);
    assert.deepEqual(decodeSourceHeader(local), { kind: "header", source: undefined, used: 16 });
    const long = new Uint8Array([...SIGNATURE, 0x21, 0x11, 0xff, 0xff]);
    assert.equal(decodeSourceHeader(long).kind, "error");
  });
});
