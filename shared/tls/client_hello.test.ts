import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AlertDescription } from "./alert.ts";
import { ClientHelloError, parseClientHello } from "./client_hello.ts";
import {
  buildClientHello,
  concat,
  extension,
  handshake,
  helloBody,
  record,
  records,
  sniExtension,
  u16,
} from "./_test_builder.ts";

const encoder = new TextEncoder();

// Stands in for a post-quantum key share (X25519MLKEM768 is 1216 bytes) so hellos exceed one MTU.
const bigKeyShare = { type: 51, data: new Uint8Array(1220).fill(7) };

type Expect =
  | { serverName: string | null; alpn?: string[] }
  | { error: RegExp; alert: number };

const cases: Array<{ name: string; bytes: Uint8Array; expect: Expect }> = [
  {
    name: "single record with SNI and ALPN",
    bytes: buildClientHello({ serverNames: ["alice.hearth.test"], alpn: ["h2", "http/1.1"] }),
    expect: { serverName: "alice.hearth.test", alpn: ["h2", "http/1.1"] },
  },
  {
    name: "no SNI extension",
    bytes: buildClientHello({ alpn: ["h2"] }),
    expect: { serverName: null, alpn: ["h2"] },
  },
  {
    name: "TLS 1.2 hello without an extensions block",
    bytes: buildClientHello({ withExtensions: false }),
    expect: { serverName: null, alpn: [] },
  },
  {
    name: "empty session id",
    bytes: buildClientHello({ serverNames: ["a.b"], sessionIdLength: 0 }),
    expect: { serverName: "a.b", alpn: [] },
  },
  {
    name: "uppercase is normalized",
    bytes: buildClientHello({ serverNames: ["Alice.HEARTH.Test"] }),
    expect: { serverName: "alice.hearth.test" },
  },
  {
    name: "single-label name",
    bytes: buildClientHello({ serverNames: ["localhost"] }),
    expect: { serverName: "localhost" },
  },
  {
    name: "63-char label and 253-char name",
    bytes: buildClientHello({
      serverNames: [`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`],
    }),
    expect: { serverName: `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}` },
  },
  {
    name: "hyphen inside labels and digits in non-final labels",
    bytes: buildClientHello({ serverNames: ["xn--bcher-kva.1-2.example"] }),
    expect: { serverName: "xn--bcher-kva.1-2.example" },
  },
  {
    name: "unknown name type beside host_name is skipped",
    bytes: buildClientHello({
      nameEntries: [{ type: 7, name: encoder.encode("ignored") }, {
        type: 0,
        name: encoder.encode("a.example"),
      }],
    }),
    expect: { serverName: "a.example" },
  },
  {
    name: "fragmented over 2 records (post-quantum-sized hello)",
    bytes: buildClientHello({ serverNames: ["pq.example"], alpn: ["h2"], extensions: [bigKeyShare] }, [1000]),
    expect: { serverName: "pq.example", alpn: ["h2"] },
  },
  {
    name: "fragmented over 3 records, handshake header split",
    bytes: buildClientHello({ serverNames: ["three.example"], extensions: [bigKeyShare] }, [2, 700]),
    expect: { serverName: "three.example" },
  },
  {
    name: "fragmented into 1-byte records at the start",
    bytes: buildClientHello({ serverNames: ["tiny.example"] }, [1, 1, 1, 1, 1]),
    expect: { serverName: "tiny.example" },
  },
  {
    name: "two host_name entries",
    bytes: buildClientHello({ serverNames: ["a.example", "b.example"] }),
    expect: { error: /more than one host_name/, alert: AlertDescription.illegal_parameter },
  },
  {
    name: "SNI list with only a non-host_name entry",
    bytes: buildClientHello({ nameEntries: [{ type: 1, name: encoder.encode("x") }] }),
    expect: { error: /no host_name/, alert: AlertDescription.unrecognized_name },
  },
  {
    name: "duplicate SNI extension",
    bytes: buildClientHello({
      serverNames: ["a.example"],
      extensions: [{ type: 0, data: new Uint8Array(0) }],
    }),
    expect: { error: /extension 0 appears twice/, alert: AlertDescription.illegal_parameter },
  },
  {
    name: "IPv4 literal",
    bytes: buildClientHello({ serverNames: ["127.0.0.1"] }),
    expect: { error: /"127.0.0.1" is an IP address/, alert: AlertDescription.unrecognized_name },
  },
  {
    name: "shortened IPv4 literal",
    bytes: buildClientHello({ serverNames: ["10.1"] }),
    expect: { error: /is an IP address/, alert: AlertDescription.unrecognized_name },
  },
  {
    name: "hex IPv4 literal",
    bytes: buildClientHello({ serverNames: ["0x7F000001"] }),
    expect: { error: /"0x7f000001" is an IP address/, alert: AlertDescription.unrecognized_name },
  },
  {
    name: "IPv6 literal",
    bytes: buildClientHello({ serverNames: ["::1"] }),
    expect: { error: /"::1" is not a DNS name/, alert: AlertDescription.unrecognized_name },
  },
  {
    name: "bracketed IPv6 literal",
    bytes: buildClientHello({ serverNames: ["[fe80::1]"] }),
    expect: { error: /not a DNS name/, alert: AlertDescription.unrecognized_name },
  },
  {
    name: "trailing dot",
    bytes: buildClientHello({ serverNames: ["alice.example."] }),
    expect: { error: /"alice.example." is not a DNS name/, alert: AlertDescription.unrecognized_name },
  },
  {
    name: "empty label",
    bytes: buildClientHello({ serverNames: ["a..example"] }),
    expect: { error: /not a DNS name/, alert: AlertDescription.unrecognized_name },
  },
  {
    name: "label starting with a hyphen",
    bytes: buildClientHello({ serverNames: ["-a.example"] }),
    expect: { error: /not a DNS name/, alert: AlertDescription.unrecognized_name },
  },
  {
    name: "label ending with a hyphen",
    bytes: buildClientHello({ serverNames: ["a-.example"] }),
    expect: { error: /not a DNS name/, alert: AlertDescription.unrecognized_name },
  },
  {
    name: "underscore",
    bytes: buildClientHello({ serverNames: ["a_b.example"] }),
    expect: { error: /not a DNS name/, alert: AlertDescription.unrecognized_name },
  },
  {
    name: "64-char label",
    bytes: buildClientHello({ serverNames: [`${"a".repeat(64)}.example`] }),
    expect: { error: /not a DNS name/, alert: AlertDescription.unrecognized_name },
  },
  {
    name: "254-char name",
    bytes: buildClientHello({
      serverNames: [`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`],
    }),
    expect: { error: /is longer than 253/, alert: AlertDescription.unrecognized_name },
  },
  {
    name: "non-ASCII name",
    bytes: buildClientHello({ serverNames: ["bücher.example"] }),
    expect: { error: /has byte 0xc3/, alert: AlertDescription.unrecognized_name },
  },
  {
    name: "NUL in name",
    bytes: buildClientHello({ nameEntries: [{ type: 0, name: Uint8Array.of(0x61, 0, 0x62) }] }),
    expect: { error: /has byte 0x00/, alert: AlertDescription.unrecognized_name },
  },
  {
    name: "empty name",
    bytes: buildClientHello({ serverNames: [""] }),
    expect: { error: /server name is empty/, alert: AlertDescription.unrecognized_name },
  },
  {
    name: "empty server name list",
    bytes: buildClientHello({ extensions: [{ type: 0, data: u16(0) }] }),
    expect: { error: /server name list is empty/, alert: AlertDescription.decode_error },
  },
  {
    name: "empty ALPN list",
    bytes: buildClientHello({ alpn: [] }),
    expect: { error: /ALPN list is empty/, alert: AlertDescription.decode_error },
  },
  {
    name: "empty ALPN protocol",
    bytes: buildClientHello({ alpn: ["h2", ""] }),
    expect: { error: /ALPN protocol name is empty/, alert: AlertDescription.decode_error },
  },
  {
    name: "wrong record type (application data)",
    bytes: record(handshake(helloBody({ serverNames: ["a.example"] })), 23),
    expect: { error: /record type is 23/, alert: AlertDescription.unexpected_message },
  },
  {
    name: "plain HTTP request",
    bytes: encoder.encode("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"),
    expect: { error: /record type is 71/, alert: AlertDescription.unexpected_message },
  },
  {
    name: "SSLv2-compatible hello",
    bytes: Uint8Array.of(0x80, 0x2e, 0x01, 0x03, 0x01),
    expect: { error: /record type is 128/, alert: AlertDescription.unexpected_message },
  },
  {
    name: "wrong record version",
    bytes: record(handshake(helloBody({ serverNames: ["a.example"] })), 22, 0x0201),
    expect: { error: /record version is 0x0201/, alert: AlertDescription.protocol_version },
  },
  {
    name: "wrong client version",
    bytes: buildClientHello({ serverNames: ["a.example"], clientVersion: 0x0200 }),
    expect: { error: /client version is 0x0200/, alert: AlertDescription.protocol_version },
  },
  {
    name: "wrong handshake type (ServerHello)",
    bytes: record(handshake(helloBody(), 2)),
    expect: { error: /handshake type is 2/, alert: AlertDescription.unexpected_message },
  },
  {
    name: "second record is not a handshake record",
    bytes: (() => {
      const message = handshake(helloBody({ serverNames: ["a.example"] }));
      return concat(record(message.subarray(0, 10)), record(message.subarray(10), 20));
    })(),
    expect: { error: /record type is 20/, alert: AlertDescription.unexpected_message },
  },
  {
    name: "oversize record",
    bytes: concat(Uint8Array.of(22, 3, 1), u16(16384 + 257)),
    expect: { error: /record length is 16641/, alert: AlertDescription.record_overflow },
  },
  {
    name: "zero-length record",
    bytes: concat(Uint8Array.of(22, 3, 1), u16(0)),
    expect: { error: /record length is 0/, alert: AlertDescription.unexpected_message },
  },
  {
    name: "handshake length beyond the hello budget",
    bytes: concat(Uint8Array.of(22, 3, 1), u16(4), Uint8Array.of(1, 0x01, 0x00, 0x00)),
    expect: { error: /handshake length is 65536/, alert: AlertDescription.handshake_failure },
  },
  {
    name: "trailing handshake bytes after the hello in its last record",
    bytes: record(concat(handshake(helloBody({ serverNames: ["a.example"] })), Uint8Array.of(1, 2, 3))),
    expect: { error: /records carry 3 bytes after the hello/, alert: AlertDescription.unexpected_message },
  },
  {
    name: "extension length overruns the block",
    bytes: records(
      handshake(
        concat(
          helloBody({ withExtensions: false }),
          u16(8),
          extension(99, new Uint8Array(0)),
          u16(0x1234),
          u16(100),
        ),
      ),
    ),
    expect: { error: /extension 4660 needs 100 bytes but 0 remain/, alert: AlertDescription.decode_error },
  },
  {
    name: "trailing bytes inside the server_name extension",
    bytes: buildClientHello({
      extensions: [{
        type: 0,
        data: concat(
          sniExtension([{ type: 0, name: encoder.encode("a.example") }]).subarray(4),
          Uint8Array.of(0),
        ),
      }],
    }),
    expect: { error: /extension 0 has 1 trailing bytes/, alert: AlertDescription.decode_error },
  },
  {
    name: "odd cipher suites length",
    bytes: records(
      handshake(
        concat(u16(0x0303), new Uint8Array(32), Uint8Array.of(0), u16(3), Uint8Array.of(1, 2, 3, 1, 0)),
      ),
    ),
    expect: { error: /cipher suites length is 3/, alert: AlertDescription.decode_error },
  },
  {
    name: "session id longer than 32",
    bytes: buildClientHello({ sessionIdLength: 33 }),
    expect: { error: /session id length is 33/, alert: AlertDescription.decode_error },
  },
];

describe("parseClientHello: table", () => {
  for (const { name, bytes, expect } of cases) {
    test(name, () => {
      const result = parseClientHello(bytes);
      if ("error" in expect) {
        assert.equal(result.kind, "error", `expected error, got ${JSON.stringify(result)}`);
        if (result.kind !== "error") return;
        assert.ok(result.error instanceof ClientHelloError);
        assert.equal(result.error.name, "ClientHelloError");
        assert.match(result.error.message, /^Cannot parse ClientHello: /);
        assert.match(result.error.message, expect.error);
        assert.equal(result.error.alert, expect.alert);
      } else {
        assert.deepEqual(result, {
          kind: "ok",
          serverName: expect.serverName,
          alpn: expect.alpn ?? [],
          recordBytes: bytes.length,
        });
      }
    });
  }
});

describe("parseClientHello: truncation and framing", () => {
  const valid = cases.filter((c) => !("error" in c.expect));

  test("every strict prefix of a valid hello needs more, never errors", () => {
    for (const { name, bytes } of valid) {
      for (let cut = 0; cut < bytes.length; cut++) {
        const result = parseClientHello(bytes.subarray(0, cut));
        assert.equal(result.kind, "need-more", `${name} cut at ${cut}: ${JSON.stringify(result)}`);
        if (result.kind === "need-more") {
          assert.ok(result.needed !== undefined && result.needed >= 1 && cut + result.needed <= bytes.length);
        }
      }
    }
  });

  test("bytes after the hello are left for the caller", () => {
    const hello = buildClientHello({ serverNames: ["a.example"] }, [100]);
    // A middlebox-compatibility ChangeCipherSpec record often follows the hello.
    const bytes = concat(hello, Uint8Array.of(20, 3, 3, 0, 1, 1));
    const result = parseClientHello(bytes);
    assert.equal(result.kind, "ok");
    if (result.kind === "ok") assert.equal(result.recordBytes, hello.length);
  });

  test("a bad record header is refused before the record arrives", () => {
    const result = parseClientHello(Uint8Array.of(23));
    assert.equal(result.kind, "error");
    const overflow = parseClientHello(concat(Uint8Array.of(22, 3, 1), u16(16384 + 512)));
    assert.equal(overflow.kind, "error");
  });

  test("custom limits", () => {
    const big = buildClientHello({ serverNames: ["a.example"], extensions: [bigKeyShare] });
    const tooSmallRecord = parseClientHello(big, { maxRecordLength: 1000 });
    assert.equal(tooSmallRecord.kind, "error");
    if (tooSmallRecord.kind === "error") {
      assert.equal(
        tooSmallRecord.error.message,
        `Cannot parse ClientHello: record length is ${big.length - 5}`,
      );
    }
    const tooSmallHello = parseClientHello(buildClientHello({ extensions: [bigKeyShare] }, [500]), {
      maxHelloBytes: 1000,
    });
    assert.equal(tooSmallHello.kind, "error");
    if (tooSmallHello.kind === "error") {
      assert.match(tooSmallHello.error.message, /exceeds 1000 bytes|handshake length/);
    }
    assert.equal(parseClientHello(big, { maxRecordLength: big.length - 5 }).kind, "ok");
  });

  test("a record length of 70000 cannot be encoded, but the limit applies to any value above it", () => {
    const result = parseClientHello(concat(Uint8Array.of(22, 3, 3), u16(0xffff)));
    assert.equal(result.kind, "error");
    if (result.kind === "error") {
      assert.equal(result.error.message, "Cannot parse ClientHello: record length is 65535");
    }
  });
});
