/**
 * Attach security at the relay, end to end: nonces work once, stale TOTP codes fail, a nonce for
 * one relay does not open another, repeated failures are throttled, and nothing a relay sees in
 * a hello lets it ask RegCloud for nonces (that needs alice's server key).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Harness, startHarness } from "./harness.ts";
import { ensureServerKey, loadRegistration, type Registration } from "../platform/secrets.ts";
import { fetchRelayOffers, type RelayOffer } from "../userserver/connector/cloud.ts";
import { AttachError, openTunnel } from "../userserver/connector/tunnel.ts";
import { silentLogger } from "../shared/log/mod.ts";
import * as OTPAuth from "otpauth";
import { decodeMessage, encodeMessage } from "../shared/tunnel/hello.ts";
import { alpnWire, TUNNEL_ALPN } from "../shared/tunnel/alpn.ts";

let h: Harness;
let reg: Registration;
let serverKey: CryptoKey;

beforeAll(async () => {
  // Alice's own connector attaches as usual; every test here asks for nonces of its own.
  h = await startHarness({ relays: 2, users: ["alice"] });
  reg = loadRegistration(h.dirs.users.alice)!;
  serverKey = (await ensureServerKey(h.dirs.users.alice)).keys.privateKey;
});
afterAll(async () => {
  await h?.stop();
});

const offers = () =>
  fetchRelayOffers({ cloudUrl: h.cloudUrl, caPem: h.caPem, serverId: reg.serverId, serverKey });

function attach(offer: RelayOffer, totpSecret = reg.totpSecret) {
  return openTunnel({
    offer,
    serverId: reg.serverId,
    totpSecret,
    caPem: h.caPem,
    relayedSocket: join(h.dirs.users.alice, "relayed.sock"),
    log: silentLogger,
  });
}

async function refusal(p: Promise<unknown>): Promise<AttachError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AttachError) return e;
    throw e;
  }
  throw new Error("the attach was accepted");
}

test("a nonce works once: replaying a hello is refused", async () => {
  const [offer] = await offers();
  const tunnel = await attach(offer);
  expect(tunnel.relayId).toBe(offer.relayId);
  const replay = await refusal(attach(offer));
  expect(replay.code).toBe("attach_refused");
  expect(replay.message).toContain("already used");
  tunnel.close();
});

/** Sends one hand-made hello to the relay of `offer`; resolves with the relay's reply. */
function sendHello(offer: RelayOffer, totp: string): Promise<unknown> {
  const [host, port] = [offer.tunnelAddress.split(":")[0], Number(offer.tunnelAddress.split(":")[1])];
  return new Promise<unknown>((resolve) => {
    let buf = new Uint8Array(0);
    Bun.connect({
      hostname: host,
      port,
      tls: {
        serverName: offer.hostName,
        ca: h.caPem,
        ALPNProtocols: alpnWire([TUNNEL_ALPN]),
      } as Bun.TLSOptions,
      socket: {
        handshake: (s) =>
          void s.write(
            encodeMessage({ version: 1, serverId: reg.serverId, nonce: offer.nonce, totp }),
          ),
        data: (_s, d) => {
          buf = new Uint8Array([...buf, ...d]);
          const m = decodeMessage(buf);
          if (m) resolve(m.value);
        },
        close: () => resolve(undefined),
      },
    });
  });
}

test("a TOTP code two steps old is refused", async () => {
  const [offer] = await offers();
  const old = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(reg.totpSecret), digits: 6, period: 30 })
    .generate({ timestamp: Date.now() - 60_000 });
  const reply = await sendHello(offer, old) as { ok: boolean; code: string; message: string };
  expect(reply.ok).toBe(false);
  expect(reply.code).toBe("attach_refused");
  expect(reply.message).toContain("TOTP");
});

test("a nonce issued for relay B does not open a tunnel on relay A", async () => {
  const list = await offers();
  const a = list.find((o) => o.relayId === "relay-a")!;
  const b = list.find((o) => o.relayId === "relay-b")!;
  const crossed = await refusal(attach({ ...a, nonce: b.nonce }));
  expect(crossed.message).toContain("another relay");
});

test("a relay's credential cannot get nonces: the relay list needs alice's server key", async () => {
  const credential = readFileSync(join(h.dirs.relays["relay-a"], "credential"), "utf8").trim();
  const res = await fetch(`${h.cloudUrl}/reg/v1/server/relays`, {
    method: "POST",
    headers: { authorization: `Bearer ${credential}` },
    body: JSON.stringify({ serverId: reg.serverId }),
    tls: { ca: h.caPem },
  });
  expect(res.status).toBe(401);
});

test("repeated failures are throttled", async () => {
  let last: AttachError | undefined;
  for (let i = 0; i < 8; i++) {
    const [offer] = await offers();
    last = await refusal(attach({ ...offer, nonce: `forged${i}` }));
    if (last.code === "throttled") break;
  }
  expect(last?.code).toBe("throttled");
  expect(last?.message).toMatch(/retry in \d+ s/);
});
