/**
 * A clean start and stop of the stack says nothing alarming (issue #15, the newcomer path): no
 * "relays marked dead" at start, no "tunnel event not delivered" at stop (the stack stops user
 * servers, then relays, then the cloud tier, so the relays' last events still arrive).
 */
import { expect, test } from "bun:test";
import { startHarness } from "./harness.ts";

test("start, attach, stop: no dead-relay or undelivered-event warnings", async () => {
  const h = await startHarness({ relays: 2, users: ["alice"] });
  try {
    await h.waitFor("alice's two tunnels", async () => (await h.tunnelsOf("alice")).length === 2);
  } finally {
    await h.stop();
  }
  const alarming = h.output.filter((l) => /relays marked dead|tunnel event not delivered/.test(l));
  expect(alarming).toEqual([]);
  // The relays did report alice's tunnels going down on the way out.
  expect(h.output.some((l) => l.startsWith("relay-") && l.includes("tunnel down"))).toBe(true);
});
