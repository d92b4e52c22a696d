/**
 * The soak (bench/soak/) in short, as a test (issue #13): 25 s of browsers, tus uploads (some cut
 * off on purpose) and ClientHello resets through both relays while relay A and then the cloud tier
 * are SIGKILLed and restarted. Whatever the machine's speed: alice's server never restarts, every
 * upload finishes with exactly the bytes sent, no blob's hash differs from its name, and no request
 * fails outside the kill windows (a window lasts until alice holds both tunnels again).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Harness, startHarness } from "./harness.ts";
import { prepareSoak, runSoak } from "../bench/soak/soak_run.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ relays: 2, users: ["alice"], restartUsers: true, enableByteStream: true });
  await prepareSoak(h);
});
afterAll(async () => {
  await h?.stop();
});

test(
  "a short soak with kills: no restart, every upload byte-exact, no blob wrong, no failure outside the windows",
  async () => {
    const r = await runSoak(h, {
      seconds: 25,
      plan: [{ atMs: 4_000, victim: "relay-a" }, { atMs: 14_000, victim: "cloud" }],
      browsers: 2,
      uploaders: 2,
    });
    expect(r.kills.map((k) => k.victim)).toEqual(["relay-a", "cloud"]);
    expect(r.userServerRestarts).toBe(0);
    expect(r.uploads.finished).toBeGreaterThan(0);
    expect(r.uploads.wrong).toEqual([]);
    expect(r.unfinished).toEqual([]);
    expect(r.blobs.bad).toEqual([]);
    expect(r.blobs.checked).toBeGreaterThan(0);
    expect(r.failures).toEqual([]);
  },
  300_000,
);
