import { afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { testDeps } from "./_test_deps.ts";
import { banRemaining, clearFailures, longestBan, recordFailure, takeToken } from "./throttle.ts";

type Deps = Awaited<ReturnType<typeof testDeps>>;
let deps: Deps;
beforeEach(async () => (deps = await testDeps()));
afterEach(() => deps.cleanup());

test("a token bucket allows its burst, then refills at its rate; keys are independent", async () => {
  const policy = { capacity: 3, refillPerMinute: 6 }; // one token per 10 s
  const got = [];
  for (let i = 0; i < 5; i++) got.push(await takeToken(deps, "k", policy));
  assert.deepEqual(got.map((w) => w === 0), [true, true, true, false, false]);
  assert.ok(got[3] > 0 && got[3] <= 10_000, `wait ${got[3]}`);
  assert.equal(await takeToken(deps, "other", policy), 0);
  deps.clock.now += 10_000;
  assert.equal(await takeToken(deps, "k", policy), 0);
  assert.ok((await takeToken(deps, "k", policy)) > 0);
  deps.clock.now += 3600_000;
  for (let i = 0; i < 3; i++) {
    assert.equal(await takeToken(deps, "k", policy), 0, "refills only up to capacity");
  }
  assert.ok((await takeToken(deps, "k", policy)) > 0);
});

test("concurrent takes never overdraw a bucket", async () => {
  const policy = { capacity: 5, refillPerMinute: 0.001 };
  const waits = await Promise.all(Array.from({ length: 20 }, () => takeToken(deps, "race", policy)));
  assert.equal(waits.filter((w) => w === 0).length, 5);
});

test("failures ban after the limit, within the window; buckets and failure counts do not mix", async () => {
  const policy = { maxFailures: 3, windowMs: 60_000, banMs: 120_000 };
  assert.equal(await recordFailure(deps, "f", policy), 0);
  assert.equal(await recordFailure(deps, "f", policy), 0);
  deps.clock.now += 61_000;
  assert.equal(await recordFailure(deps, "f", policy), 0, "the window restarted");
  await recordFailure(deps, "f", policy);
  assert.equal(await recordFailure(deps, "f", policy), 120_000);
  assert.equal(await banRemaining(deps, "f"), 120_000);
  assert.equal(await takeToken(deps, "f", { capacity: 1, refillPerMinute: 1 }), 0);
  assert.equal(await longestBan(deps, ["g", "f"]), 120_000);
  await clearFailures(deps, "f");
  assert.equal(await banRemaining(deps, "f"), 120_000, "a success does not lift a ban");
  deps.clock.now += 120_000;
  assert.equal(await banRemaining(deps, "f"), 0);
});
