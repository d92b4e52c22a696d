import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { HttpSigError } from "./errors.ts";
import {
  type Dictionary,
  type InnerList,
  type Item,
  MAX_FIELD_LENGTH,
  parseDictionary,
  serializeDictionary,
  serializeInnerList,
  Token,
} from "./structured_fields.ts";

const item = (value: Item["value"], params: [string, Item["value"]][] = []): Item => ({
  kind: "item",
  value,
  params: new Map(params),
});
const list = (items: Item[], params: [string, Item["value"]][] = []): InnerList => ({
  kind: "inner-list",
  items,
  params: new Map(params),
});

describe("parseDictionary", () => {
  const cases: [string, string, Dictionary][] = [
    ["empty", "", new Map()],
    ["spaces only", "   ", new Map()],
    [
      "a Signature-Input (RFC 9421 §4.1)",
      'sig1=("@method" "@target-uri" "@authority" "content-digest" "cache-control");created=1618884475' +
      ';keyid="test-key-rsa-pss"',
      new Map([
        [
          "sig1",
          list(
            ["@method", "@target-uri", "@authority", "content-digest", "cache-control"].map((c) => item(c)),
            [
              ["created", 1618884475],
              ["keyid", "test-key-rsa-pss"],
            ],
          ),
        ],
      ]),
    ],
    ["an empty inner list", "sig-b21=();created=1", new Map([["sig-b21", list([], [["created", 1]])]])],
    [
      "two members, OWS around the comma, byte sequences",
      "sha-256=:AQID:,\t sha-512=:: ",
      new Map([["sha-256", item(Uint8Array.of(1, 2, 3))], ["sha-512", item(new Uint8Array(0))]]),
    ],
    [
      "every bare item type, and a bare key as true",
      'a=-12;t=tok/en:x;s="q\\"\\\\";b=?0;y, b, c=?1;p',
      new Map<string, Item | InnerList>([
        ["a", item(-12, [["t", new Token("tok/en:x")], ["s", 'q"\\'], ["b", false], ["y", true]])],
        ["b", item(true)],
        ["c", item(true, [["p", true]])],
      ]),
    ],
    [
      "spaces inside an inner list and before a parameter key",
      'l=( "a"  "b";x=1 ); k=2',
      new Map([["l", list([item("a"), item("b", [["x", 1]])], [["k", 2]])]]),
    ],
    ["a repeated key overwrites in place", "a=1, b=2, a=3", new Map([["a", item(3)], ["b", item(2)]])],
    ["integers at the 15-digit limit", "a=999999999999999", new Map([["a", item(999999999999999)]])],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => assert.deepEqual(parseDictionary(input), expected));
  }

  const errors: [string, string, RegExp][] = [
    ["a trailing comma", "a=1,", /trailing comma/],
    ["an uppercase key", "Sig=1", /expected a key at offset 0/],
    ["a key starting with a digit", "1a=1", /expected a key/],
    ["a missing value", "a=", /value missing at end of input/],
    ["an unclosed string", 'a="abc', /string is not closed/],
    ["a bad escape", 'a="a\\n"', /bad escape/],
    ["a tab in a string", 'a="a\tb"', /tab in string/],
    ["an unclosed inner list", 'a=("x"', /inner list is not closed/],
    ["items not separated by a space", 'a=("x""y")', /expected " " or "\)"/],
    ["a decimal", "a=1.5", /decimals are not supported/],
    ["16 digits", "a=1234567890123456", /more than 15 digits/],
    ["a lone minus", "a=-", /expected a digit/],
    ["a bad boolean", "a=?2", /expected "0" or "1"/],
    ["an unclosed byte sequence", "a=:AQID", /byte sequence is not closed/],
    ["unpadded base64", "a=:AQI:", /not padded base64/],
    ["base64url", "a=:-_-_:", /not padded base64/],
    ["a date (RFC 9651)", "a=@1659578233", /unsupported value/],
    ["a display string (RFC 9651)", 'a=%"x"', /unsupported value/],
    ["junk after a member", "a=1 b=2", /expected ","/],
    ["non-ASCII", 'a="é"', /character 233 at offset 3 is not allowed/],
    ["a control character", "a=1\n", /character 10/],
    ["a leading tab", "\ta=1", /expected a key/],
  ];
  for (const [name, input, reason] of errors) {
    test(`refuses ${name}`, () => {
      assert.throws(() => parseDictionary(input, { field: "Test-Field" }), (e) => {
        assert.ok(e instanceof HttpSigError, String(e));
        assert.match(e.message, /^Cannot parse Test-Field: /);
        assert.match(e.message, reason);
        return true;
      });
    });
  }

  test("is bounded in length, members and inner-list items", () => {
    const long = `a="${"x".repeat(MAX_FIELD_LENGTH - 4)}"`;
    assert.equal(long.length, MAX_FIELD_LENGTH);
    assert.equal(parseDictionary(long).size, 1);
    assert.throws(() => parseDictionary(`${long} `), /value is 8193 characters, at most 8192/);

    const members = (n: number) => Array.from({ length: n }, (_, i) => `m${i}=1`).join(", ");
    assert.equal(parseDictionary(members(16)).size, 16);
    assert.throws(() => parseDictionary(members(17)), /more than 16 members/);
    // Repeating one key still counts every member parsed.
    assert.throws(() => parseDictionary(Array(17).fill("a=1").join(",")), /more than 16 members/);

    const items = (n: number) => `a=(${Array.from({ length: n }, (_, i) => `"c${i}"`).join(" ")})`;
    const parsed = parseDictionary(items(32)).get("a");
    assert.equal(parsed?.kind === "inner-list" && parsed.items.length, 32);
    assert.throws(() => parseDictionary(items(33)), /inner list has more than 32 items/);
  });
});

describe("serializeDictionary and serializeInnerList", () => {
  test("write the canonical form the parser reads back", () => {
    const dict: Dictionary = new Map<string, Item | InnerList>([
      [
        "sig",
        list([item("@method"), item("date")], [["created", 1], ["keyid", 'k"\\'], ["alg", new Token("x")]]),
      ],
      ["bytes", item(Uint8Array.of(0xfb, 0xff))],
      ["flag", item(true, [["p", true], ["q", false]])],
    ]);
    const text = serializeDictionary(dict);
    assert.equal(text, 'sig=("@method" "date");created=1;keyid="k\\"\\\\";alg=x, bytes=:+/8=:, flag;p;q=?0');
    assert.deepEqual(parseDictionary(text), dict);
    assert.equal(serializeInnerList(list([])), "()");
  });

  test("refuse what they cannot represent", () => {
    const refuse: [Dictionary, RegExp][] = [
      [new Map([["Key", item(1)]]), /Cannot serialize key "Key"/],
      [new Map([["k", item(1.5)]]), /only integers/],
      [new Map([["k", item(1e15)]]), /only integers/],
      [new Map([["k", item("line\nbreak")]]), /Cannot serialize string/],
      [new Map([["k", item("ü")]]), /Cannot serialize string/],
      [new Map([["k", item(new Token("1abc"))]]), /Cannot serialize token "1abc"/],
      [new Map([["k", item(1, [["P", 1]])]]), /Cannot serialize key "P"/],
    ];
    for (const [dict, reason] of refuse) {
      assert.throws(
        () => serializeDictionary(dict),
        (e) => e instanceof HttpSigError && reason.test(e.message),
      );
    }
  });
});
