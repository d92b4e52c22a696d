import { test } from "node:test";
import assert from "node:assert/strict";
import { Backoff } from "./backoff.ts";

test("ceilings double up to the cap, delays are jittered below them, reset starts over", () => {
  const top = new Backoff(100, 1000, () => 0.999999);
  assert.deepEqual(Array.from({ length: 6 }, () => top.next()), [99, 199, 399, 799, 999, 999]);
  top.reset();
  assert.equal(top.next(), 99);
  const zero = new Backoff(100, 1000, () => 0);
  assert.equal(zero.next(), 0);
  const real = new Backoff(100, 1000);
  for (let i = 0; i < 50; i++) {
    const d = real.next();
    assert.ok(d >= 0 && d <= 1000);
  }
});
