import { test } from "node:test";
import assert from "node:assert/strict";
import { WriteQueue } from "./write_queue.ts";

test("writes run one at a time, in order, and a failure does not stop the queue", async () => {
  const q = new WriteQueue();
  let running = 0;
  let maxRunning = 0;
  const order: number[] = [];
  const jobs = Array.from({ length: 20 }, (_, i) =>
    q.run(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, i % 3));
      order.push(i);
      running--;
      if (i === 5) throw new Error("five");
      return i;
    }));
  const results = await Promise.allSettled(jobs);
  assert.equal(maxRunning, 1);
  assert.deepEqual(order, Array.from({ length: 20 }, (_, i) => i));
  assert.equal(results[5].status, "rejected");
  assert.deepEqual(results[19], { status: "fulfilled", value: 19 });
  assert.equal(q.pending, 0);
});
