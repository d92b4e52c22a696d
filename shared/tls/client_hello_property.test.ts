import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ClientHelloParser, DEFAULT_MAX_RECORDS, parseClientHello } from "./client_hello.ts";
import { buildClientHello, concat, handshake, helloBody, record } from "./_test_builder.ts";

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
// Letter-led last label so the name is never an IP literal and always valid.
const hostName = fc.tuple(
  fc.array(label, { minLength: 0, maxLength: 4 }),
  fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/),
)
  .map(([labels, tld]) => [...labels, tld].join("."));

const helloSpec = fc.record({
  serverNames: fc.option(hostName.map((name) => [name]), { nil: undefined }),
  alpn: fc.option(fc.array(fc.stringMatching(/^[a-z0-9./-]{1,12}$/), { minLength: 1, maxLength: 4 }), {
    nil: undefined,
  }),
  padding: fc.integer({ min: 0, max: 3000 }),
  sessionIdLength: fc.integer({ min: 0, max: 32 }),
});

/** A valid hello, split into records at random sizes, with what it should parse to. */
const validHello = fc.tuple(helloSpec, fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 6 })).map(
  ([spec, sizes]) => {
    const extensions = spec.padding > 0 ? [{ type: 21, data: new Uint8Array(spec.padding) }] : [];
    const bytes = buildClientHello({ ...spec, extensions }, sizes);
    return {
      bytes,
      serverName: spec.serverNames?.[0]?.toLowerCase() ?? null,
      alpn: spec.alpn ?? [],
    };
  },
);

/** Parses in one call and checks the work done stays linear in the input (not a clock: a count). */
function timed(bytes: Uint8Array) {
  const parser = new ClientHelloParser();
  const result = parser.push(bytes);
  assert.ok(
    parser.work <= 4 * bytes.length + 2 * DEFAULT_MAX_RECORDS + 8,
    `work ${parser.work} for ${bytes.length} bytes`,
  );
  return result;
}

describe("parseClientHello: properties", () => {
  test("random bytes never throw and never yield an invalid name", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        const result = timed(bytes);
        assert.ok(["need-more", "ok", "error"].includes(result.kind));
        if (result.kind === "ok" && result.serverName !== null) {
          assert.match(result.serverName, /^[a-z0-9.-]{1,253}$/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test("random bytes behind a plausible record header never throw", () => {
    // Pure random bytes almost always fail on the first byte; this reaches the body parser.
    const arbitrary = fc.tuple(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 3 })).map(
      ([body, pad]) => record(handshake(concat(body, new Uint8Array(pad)))),
    );
    fc.assert(
      fc.property(arbitrary, (bytes) => {
        const result = timed(bytes);
        if (result.kind === "ok" && result.serverName !== null) {
          assert.match(result.serverName, /^[a-z0-9.-]{1,253}$/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test("valid hellos parse to the name they were built with", () => {
    fc.assert(
      fc.property(validHello, ({ bytes, serverName, alpn }) => {
        assert.deepEqual(timed(bytes), {
          kind: "ok",
          serverName,
          alpn,
          recordBytes: bytes.length,
        });
      }),
      { numRuns: 300 },
    );
  });

  test("truncated valid hellos need more, never error or succeed", () => {
    fc.assert(
      fc.property(validHello, fc.nat(), ({ bytes }, cut) => {
        const result = timed(bytes.subarray(0, cut % bytes.length));
        assert.equal(result.kind, "need-more");
      }),
      { numRuns: 500 },
    );
  });

  test("corrupting one byte changes the name only by changing that byte of the name", () => {
    fc.assert(
      fc.property(
        validHello,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        ({ bytes, serverName }, at, flip) => {
          const corrupt = bytes.slice();
          const index = at % corrupt.length;
          corrupt[index] = corrupt[index]! ^ flip;
          const result = timed(corrupt);
          // Losing the name (a flipped extension type) is safe: no name never routes to a tunnel.
          if (result.kind !== "ok" || result.serverName === serverName || result.serverName === null) return;
          // The parser cannot detect a flip inside the name itself (TLS has no checksum there);
          // anything else that changes the routed name is a framing bug.
          assert.ok(serverName !== null, `name appeared: ${result.serverName}`);
          assert.equal(result.serverName.length, serverName.length);
          const differ = [...serverName].flatMap((c, i) => (c === result.serverName![i] ? [] : [i]));
          assert.equal(differ.length, 1);
          assert.equal(bytes[index], serverName.charCodeAt(differ[0]!));
          assert.equal(result.serverName[differ[0]!], String.fromCharCode(corrupt[index]!).toLowerCase());
        },
      ),
      { numRuns: 1000 },
    );
  });

  test("feeding a hello in random chunks gives the same answer as all at once", () => {
    fc.assert(
      fc.property(
        validHello,
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 30 }),
        (hello, chunks) => {
          const whole = parseClientHello(hello.bytes);
          let buffered: Uint8Array = new Uint8Array(0);
          let at = 0;
          let chunk = 0;
          for (;;) {
            const size = chunks[chunk++ % chunks.length]!;
            buffered = concat(buffered, hello.bytes.subarray(at, at + size));
            at += size;
            const result = parseClientHello(buffered);
            if (result.kind !== "need-more") {
              assert.deepEqual(result, whole);
              assert.equal(buffered.length >= hello.bytes.length, true);
              return;
            }
            assert.ok(at < hello.bytes.length, "need-more after the whole hello arrived");
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test("a hello cut into 1-byte records and fed a byte at a time costs work linear in its size", () => {
    const whole = buildClientHello({ serverNames: ["slow.example"], alpn: ["h2"] });
    const body = whole.subarray(5); // the handshake message
    // As many 1-byte records as the bound allows, then the rest in one record.
    const pieces = Array.from({ length: DEFAULT_MAX_RECORDS - 1 }, (_, i) => record(body.subarray(i, i + 1)));
    const bytes = concat(...pieces, record(body.subarray(DEFAULT_MAX_RECORDS - 1)));
    const once = new ClientHelloParser();
    assert.deepEqual(once.push(bytes).kind, "ok");
    const trickle = new ClientHelloParser();
    let result;
    for (let i = 0; i < bytes.length; i++) result = trickle.push(bytes.subarray(i, i + 1));
    assert.equal(result?.kind, "ok");
    assert.equal(result?.kind === "ok" && result.serverName, "slow.example");
    // Re-walking from offset 0 on every byte made this ~bytes × records (here ~27,000 vs ~1,800).
    assert.ok(
      trickle.work <= 2 * once.work + 3 * bytes.length,
      `trickle ${trickle.work} vs once ${once.work}`,
    );
    // One record more than the bound is refused.
    const tooMany = concat(
      ...Array.from({ length: DEFAULT_MAX_RECORDS + 1 }, (_, i) => record(body.subarray(i, i + 1))),
      record(body.subarray(DEFAULT_MAX_RECORDS + 1)),
    );
    const refused = parseClientHello(tooMany);
    assert.equal(refused.kind, "error");
    assert.match(refused.kind === "error" ? refused.error.message : "", /more than 64 records/);
  });

  test("a 64 KiB budget holds for hellos built right up to it", () => {
    const body = helloBody({
      serverNames: ["edge.example"],
      extensions: [{ type: 21, data: new Uint8Array(60_000) }],
    });
    const bytes = concat(
      ...Array.from({ length: 4 }, (_, i) => handshake(body).subarray(i * 16000, (i + 1) * 16000)).map((f) =>
        record(f)
      ),
    );
    assert.equal(parseClientHello(bytes).kind, "ok");
    assert.equal(parseClientHello(bytes, { maxHelloBytes: bytes.length - 1 }).kind, "error");
  });
});
