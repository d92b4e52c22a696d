/**
 * Issue #12.2: five junk tunnel hellos used to ban a relay for everyone, and five naming alice's
 * (public) server id used to lock alice out of every relay. Now failures are keyed by the hello's
 * source address, and by the server only for nonces genuinely issued to it: a flood of bogus
 * hellos from one address, interleaved with alice's genuine attaches from another, leaves every
 * genuine attach succeeding while the flood is throttled.
 */
import { expect, test } from "bun:test";
import { harnessWithAlice } from "./relay_helpers.ts";
import { connect as netConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { ensureServerKey, loadRegistration } from "../platform/secrets.ts";
import { createLogger } from "../shared/log/mod.ts";
import { decodeMessage, encodeMessage } from "../shared/tunnel/hello.ts";
import { TUNNEL_ALPN } from "../shared/tunnel/alpn.ts";
import { randomToken } from "../shared/crypto/mod.ts";
import { fetchRelayOffers } from "../userserver/connector/cloud.ts";
import { openTunnel } from "../userserver/connector/tunnel.ts";

const harness = harnessWithAlice();

/** Sends one hello from `localAddress` to `relayId`'s tunnel port; resolves with the reply's code. */
function bogusHello(relayId: string, localAddress: string, hello: unknown): Promise<string> {
  const r = harness().relay(relayId);
  return new Promise((resolve) => {
    let buf = new Uint8Array(0);
    const s = tlsConnect({
      socket: netConnect({ host: r.tunnelAddress, port: r.tunnelPort, localAddress }),
      servername: `${relayId}.hearth.localhost`,
      ca: harness().caPem,
      ALPNProtocols: [TUNNEL_ALPN],
    });
    s.on("secureConnect", () => s.write(encodeMessage(hello)));
    s.on("data", (chunk: Uint8Array) => {
      buf = new Uint8Array([...buf, ...chunk]);
      const msg = decodeMessage(buf);
      if (msg) {
        resolve(String((msg.value as { code?: string }).code ?? "ok"));
        s.destroy();
      }
    });
    s.on("error", () => resolve("error"));
    s.on("close", () => resolve("closed"));
  });
}

test("a flood of bogus hellos from one address never stops a genuine attach", async () => {
  const dir = harness().dirs.users.alice;
  const reg = loadRegistration(dir);
  if (!reg) throw new Error("alice is not registered");
  const { keys } = await ensureServerKey(dir);
  const access = {
    cloudUrl: harness().cloudUrl,
    caPem: harness().caPem,
    serverId: reg.serverId,
    serverKey: keys.privateKey,
  };
  const log = createLogger({ level: "error" });
  const codes: string[] = [];
  for (let round = 0; round < 4; round++) {
    // Junk from 127.0.0.99: alice's public server id with made-up nonces, and plain garbage.
    for (let i = 0; i < 4; i++) {
      for (const relayId of ["relay-a", "relay-b"]) {
        codes.push(
          await bogusHello(relayId, "127.0.0.99", {
            version: 1,
            serverId: reg.serverId,
            nonce: randomToken(24),
            totp: "123456",
          }),
        );
        codes.push(
          await bogusHello(relayId, "127.0.0.99", { version: 1, serverId: "x", nonce: "y", totp: "1" }),
        );
      }
    }
    // alice's genuine attach, from her own address, to each relay.
    for (const offer of await fetchRelayOffers(access)) {
      const tunnel = await openTunnel({
        offer,
        serverId: reg.serverId,
        totpSecret: reg.totpSecret,
        caPem: harness().caPem,
        relayedSocket: `${dir}/relayed.sock`,
        log,
      });
      expect(tunnel.relayId).toBe(offer.relayId);
      tunnel.close();
    }
  }
  // The flood was throttled (at the relay, before RegCloud) …
  expect(codes).toContain("throttled");
  expect(codes).not.toContain("ok");
  // … and alice's own tunnels are still (or again) up at both relays.
  await harness().waitFor(
    "alice's two tunnels",
    async () => (await harness().tunnelsOf("alice")).length === 2,
    60_000,
  );
}, 120_000);
