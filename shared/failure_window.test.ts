import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FailureWindow } from "./failure_window.ts";

describe("FailureWindow", () => {
  test("blocks a key at the limit until its oldest failure leaves the window", () => {
    const w = new FailureWindow(3, 1000);
    assert.equal(w.record("a", 0), undefined);
    assert.equal(w.record("a", 100), undefined);
    assert.equal(w.record("a", 200), 1000);
    assert.equal(w.blockedUntil("a", 999), 1000);
    assert.equal(w.blockedUntil("a", 1000), undefined);
    assert.equal(w.count("a", 1000), 2);
  });

  test("one key's failures never block another key", () => {
    const w = new FailureWindow(2, 1000);
    w.record("attacker", 0);
    w.record("attacker", 1);
    assert.equal(w.blockedUntil("attacker", 2), 1000);
    assert.equal(w.blockedUntil("visitor", 2), undefined);
  });

  test("clear forgets a key", () => {
    const w = new FailureWindow(1, 1000);
    w.record("a", 0);
    w.clear("a");
    assert.equal(w.blockedUntil("a", 1), undefined);
  });

  test("memory stays bounded: the stalest keys go first", () => {
    const w = new FailureWindow(5, 60_000, 100);
    for (let i = 0; i < 1000; i++) w.record(`k${i}`, i);
    assert.equal(w.count("k999", 1000), 1);
    assert.equal(w.count("k0", 1000), 0);
  });

  test("random sequences: never more than limit counted, blocked exactly when at the limit", () => {
    for (let round = 0; round < 200; round++) {
      const limit = 1 + Math.floor(Math.random() * 6);
      const windowMs = 10 + Math.floor(Math.random() * 100);
      const w = new FailureWindow(limit, windowMs);
      const log: number[] = [];
      let now = 0;
      for (let i = 0; i < 50; i++) {
        now += Math.floor(Math.random() * 20);
        if (Math.random() < 0.6) {
          w.record("k", now);
          log.push(now);
        }
        const inWindow = log.filter((t) => t > now - windowMs).length;
        assert.equal(w.count("k", now), Math.min(inWindow, limit));
        assert.equal(w.blockedUntil("k", now) !== undefined, Math.min(inWindow, limit) >= limit);
      }
    }
  });
});
