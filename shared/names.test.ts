import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkUserName, NameError } from "./names.ts";

test("good names are normalized", () => {
  assert.equal(checkUserName("Alice"), "alice");
  assert.equal(checkUserName("bob-2"), "bob-2");
  assert.equal(checkUserName("a".repeat(63)), "a".repeat(63));
});

test("bad and reserved names are refused with a reason", () => {
  const cases: [string, RegExp][] = [
    ["a", /2 to 63/],
    ["a".repeat(64), /2 to 63/],
    ["_dmarc", /"_"/],
    ["xn--caf-dma", /xn--/],
    ["al ice", /only letters/],
    ["alice.bob", /only letters/],
    ["-alice", /start or end/],
    ["1234", /only digits/],
    ["id", /reserved/],
    ["reg", /reserved/],
    ["local", /reserved/],
    ["www", /reserved/],
    ["relay-a", /reserved/],
    ["edge7", /reserved/],
  ];
  for (const [name, why] of cases) {
    assert.throws(
      () => checkUserName(name, { relayNames: ["edge7"] }),
      (e: unknown) => e instanceof NameError && why.test(e.message),
      name,
    );
  }
});

test("property: any string is either a valid DNS label or a NameError", () => {
  fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => {
    try {
      const n = checkUserName(s);
      assert.match(n, /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])$/);
    } catch (e) {
      assert.ok(e instanceof NameError);
    }
  }));
});
