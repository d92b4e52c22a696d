import { expect, test } from "bun:test";
import { AttachThrottle } from "./attach_throttle.ts";

test("failures ban only the source that made them, for banMs", () => {
  const clock = { now: 0 };
  const t = new AttachThrottle({ maxFailures: 3, windowMs: 1000, banMs: 5000, now: () => clock.now });
  expect(t.fail("10.0.0.9")).toBe(0);
  expect(t.fail("10.0.0.9")).toBe(0);
  expect(t.fail("10.0.0.9")).toBe(5000);
  expect(t.bannedFor("10.0.0.9")).toBe(5000);
  expect(t.bannedFor("10.0.0.1")).toBe(0);
  clock.now = 5001;
  expect(t.bannedFor("10.0.0.9")).toBe(0);
});

test("failures outside the window do not add up; a success clears", () => {
  const clock = { now: 0 };
  const t = new AttachThrottle({ maxFailures: 2, windowMs: 1000, banMs: 5000, now: () => clock.now });
  t.fail("a");
  clock.now = 2000;
  expect(t.fail("a")).toBe(0);
  t.clear("a");
  expect(t.fail("a")).toBe(0);
});

test("remembers at most maxKeys sources", () => {
  const t = new AttachThrottle({ maxFailures: 2, maxKeys: 10 });
  for (let i = 0; i < 1000; i++) t.fail(`s${i}`);
  expect(t.fail("s999")).toBeGreaterThan(0); // the newest are kept
});
