/**
 * The spine: a client reaches alice's own server through a relay that only routes encrypted
 * bytes. Real processes (cloud tier, relays, alice's server) on loopback; real TLS clients.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import tls from "node:tls";
import { X509Certificate } from "node:crypto";
import { type Harness, startHarness, ZONE } from "./harness.ts";
import { parseTlsRecords } from "./tls_records.ts";

/** A public page of alice's server (everything else needs her to sign in) and a phrase it contains. */
const PAGE = "/auth/logged-out";
const MARKER = "You are signed out";
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    relays: 2,
    users: ["alice"],
    relayExtra: (i, baseDir) => (i === 0 ? { debugTapFile: join(baseDir, "tap-relay-a") } : {}),
  });
  await h.waitFor("alice's two tunnels", async () => (await h.tunnelsOf("alice")).length === 2);
});
afterAll(async () => {
  await h?.stop();
});

function curl(args: string[]) {
  const r = Bun.spawnSync(["curl", "-sS", "--max-time", "20", "--cacert", h.caFile, ...args]);
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

function peerCertificate(ip: string, port: number, servername: string): Promise<X509Certificate | Error> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: ip, port, servername, ca: h.caPem }, () => {
      const raw = s.getPeerCertificate(true)?.raw;
      s.end();
      resolve(raw ? new X509Certificate(raw) : new Error("no certificate"));
    });
    s.on("error", (e) => resolve(e));
  });
}

describe("through each relay", () => {
  for (const id of ["relay-a", "relay-b"]) {
    test(`curl fetches alice's page through ${id}, and the certificate it sees is alice's`, async () => {
      const r = h.relay(id);
      const url = `https://alice.${ZONE}:${r.browserPort}${PAGE}`;
      const res = curl(["--resolve", `alice.${ZONE}:${r.browserPort}:${r.browserAddresses[0]}`, url]);
      expect(res.err).toBe("");
      expect(res.out).toContain(MARKER);
      const cert = await peerCertificate(r.browserAddresses[0], r.browserPort, `alice.${ZONE}`);
      expect(cert).toBeInstanceOf(X509Certificate);
      const alice = new X509Certificate(readFileSync(join(h.dirs.users.alice, "tls.crt")));
      expect((cert as X509Certificate).fingerprint256).toBe(alice.fingerprint256);
    });
  }

  test("an unknown name gets a TLS alert and no certificate from the relay", async () => {
    const r = h.relay("relay-a");
    const result = await peerCertificate(r.browserAddresses[0], r.browserPort, `bob.${ZONE}`);
    expect(result).toBeInstanceOf(Error);
    expect(String(result)).toMatch(/unrecognized[ _]name/i);
    const local = await peerCertificate(r.browserAddresses[0], r.browserPort, `local.alice.${ZONE}`);
    expect(String(local)).toMatch(/unrecognized[ _]name/i);
  });

  test("bytes that are not a ClientHello get a clean close", async () => {
    const r = h.relay("relay-a");
    const reply = await new Promise<string>((resolve) => {
      let got = "";
      Bun.connect({
        hostname: r.browserAddresses[0],
        port: r.browserPort,
        socket: {
          open: (s) => void s.write("GET / HTTP/1.1\r\nHost: alice\r\n\r\n"),
          data: (_s, d) => void (got += Buffer.from(d).toString("hex")),
          close: () => resolve(got),
        },
      });
    });
    expect(reply.startsWith("15030300")).toBe(true); // a TLS alert record, then the close
  });
});

describe("the relay cannot read what it carries", () => {
  test("the bytes relay A moved are TLS records and never contain the page's marker", () => {
    const r = h.relay("relay-a");
    const res = curl([
      "--resolve",
      `alice.${ZONE}:${r.browserPort}:${r.browserAddresses[0]}`,
      `https://alice.${ZONE}:${r.browserPort}${PAGE}`,
    ]);
    expect(res.out).toContain(MARKER);
    const tap = join(h.baseDir, "tap-relay-a");
    const up = readFileSync(`${tap}.up`);
    const down = readFileSync(`${tap}.down`);
    expect(down.length).toBeGreaterThan(res.out.length); // the page went through, encrypted
    for (const bytes of [up, down]) {
      const records = parseTlsRecords(new Uint8Array(bytes));
      expect(records.count).toBeGreaterThan(2);
      expect(records.trailing).toBe(0);
      expect(bytes.includes(Buffer.from(MARKER))).toBe(false);
      expect(bytes.includes(Buffer.from("signed out"))).toBe(false);
    }
  });

  test("the relays' data directories hold no key of alice's", () => {
    const aliceKeys = ["tls.key", "server.key"].map((f) =>
      readFileSync(join(h.dirs.users.alice, f), "utf8").split("\n").slice(1, -2).join("")
    );
    for (const dir of Object.values(h.dirs.relays)) {
      for (const f of readdirSync(dir)) {
        const text = readFileSync(join(dir, f)).toString("latin1").replace(/\s/g, "");
        for (const k of aliceKeys) expect(text.includes(k)).toBe(false);
      }
    }
  });
});
