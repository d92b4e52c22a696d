/**
 * Two tunnels of one server at one relay (issue #22, PROTOCOL.md §8): the newest attach wins. The
 * relay sends the older tunnel GoAway; its open streams finish, it takes nothing new and closes;
 * browsers reach the server through the newer one. alice's own connector, told GoAway, stops
 * counting that tunnel and skips the relay for a while (no ping-pong between two instances).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { type Harness, startHarness } from "./harness.ts";
import { silentLogger } from "../shared/log/mod.ts";
import { ensureServerKey, loadRegistration } from "../platform/secrets.ts";
import { fetchRelayOffers } from "../userserver/connector/cloud.ts";
import { openTunnel } from "../userserver/connector/tunnel.ts";
import { curlThrough } from "./relay_helpers.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"] });
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length === 1);
});
afterAll(async () => {
  await h?.stop();
});

test("a second attach of alice replaces her first tunnel at the relay, which gets GoAway and drains", async () => {
  const reg = loadRegistration(h.dirs.users.alice)!;
  const serverKey = (await ensureServerKey(h.dirs.users.alice)).keys.privateKey;
  const [offer] = await fetchRelayOffers({
    cloudUrl: h.cloudUrl,
    caPem: h.caPem,
    serverId: reg.serverId,
    serverKey,
  });
  // A second instance of alice's server: same identity, same relayed listener behind it.
  const second = await openTunnel({
    offer,
    serverId: reg.serverId,
    totpSecret: reg.totpSecret,
    caPem: h.caPem,
    relayedSocket: join(h.dirs.users.alice, "relayed.sock"),
    log: silentLogger,
  });
  try {
    // alice's own tunnel hears GoAway: her connector says so and stops counting it.
    await h.waitFor(
      "alice's connector to hear GoAway",
      () => h.output.some((l) => l.startsWith("user:alice") && l.includes("relay sent GoAway")),
    );
    await h.waitFor(
      "the relay to log the replacement",
      () => h.output.some((l) => l.includes("replaces an older one")),
    );
    await h.waitFor(
      "alice's connector to drop the replaced tunnel",
      async () => (await h.tunnelsOf("alice")).length === 0,
    );
    // Browsers still reach alice, now through the newer tunnel.
    for (let i = 0; i < 5; i++) expect((await curlThrough(h, "relay-a", "/healthz")).code).toBe("200");
    // The newer tunnel was not told to go away.
    const raced = await Promise.race([
      second.goingAway.then(() => "goaway"),
      Bun.sleep(500).then(() => "still up"),
    ]);
    expect(raced).toBe("still up");
  } finally {
    second.close();
  }
});
