import { expect, test } from "bun:test";
import { RateLimiter } from "./rate_limit.ts";

test("a burst is allowed, then the rate; keys are independent", () => {
  const clock = { t: 0 };
  const rl = new RateLimiter(10, 3, 100, () => clock.t);
  expect([rl.take("a"), rl.take("a"), rl.take("a"), rl.take("a")]).toEqual([true, true, true, false]);
  expect(rl.take("b")).toBe(true);
  clock.t += 100; // one token back at 10/s
  expect([rl.take("a"), rl.take("a")]).toEqual([true, false]);
});
