import { test } from "node:test";
import assert from "node:assert/strict";
import { alpnWire } from "./alpn.ts";

test("ALPN names are length-prefixed", () => {
  assert.deepEqual([...alpnWire(["h2", "x"])], [2, 104, 50, 1, 120]);
  assert.throws(() => alpnWire([""]), RangeError);
});
