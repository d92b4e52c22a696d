/**
 * Issue #23 against real processes: a cloud tier, two relays, alice's user server and the DNS
 * front. An operator (token, as a script would) suspends alice: within 5 s both relays dropped her
 * tunnels (pushed in their heartbeat answers), her re-attaches are refused with the reason, and her
 * name still answers with relays; reinstated, her tunnels return; deregistered, `dig` says NXDOMAIN.
 * Relays report metering that the console shows. Waits are bounded polls; the measured times print.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Harness, startHarness, ZONE } from "./harness.ts";
import { makeOperator, type StackOperator } from "./operator_helpers.ts";

let h: Harness;
let op: StackOperator;
beforeAll(async () => {
  h = await startHarness({ relays: 2, users: ["alice"], dns: true });
  op = await makeOperator(h);
  await h.waitFor("alice's two tunnels", async () => (await h.tunnelsOf("alice")).length === 2, 60_000);
});
afterAll(async () => await h?.stop());

async function api(path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${h.cloudUrl}/console/api${path}`, {
    method: body ? "POST" : "GET",
    headers: { authorization: op.authorization, "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
    tls: { ca: h.caPem },
  });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return await res.json();
}

async function dig(name: string): Promise<{ status: string; answers: string[] }> {
  const p = Bun.spawn(
    ["dig", `@${h.dns!.host}`, "-p", String(h.dns!.port), name, "A", "+tries=1", "+time=2"],
    {
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const out = await new Response(p.stdout).text();
  await p.exited;
  const answers = [...out.matchAll(/^\S+\s+\d+\s+IN\s+A\s+(\S+)$/gm)].map((m) => m[1]).sort();
  return { status: /status: ([A-Z]+)/.exec(out)?.[1] ?? "none", answers };
}

const relayIps = () => h.relaySpecs.map((r) => r.browserAddresses[0]).sort();

/** The TLS alert a relay's browser port answers a ClientHello for `<name>.<zone>` with (openssl's report). */
async function alertFrom(r: Harness["relaySpecs"][number], name: string): Promise<number | undefined> {
  const p = Bun.spawn(
    [
      "openssl",
      "s_client",
      "-connect",
      `${r.browserAddresses[0]}:${r.browserPort}`,
      "-servername",
      `${name}.${ZONE}`,
    ],
    { stdin: "ignore", stdout: "pipe", stderr: "pipe" },
  );
  const out = (await new Response(p.stdout).text()) + (await new Response(p.stderr).text());
  await p.exited;
  const m = /alert number (\d+)/.exec(out);
  return m ? Number(m[1]) : undefined;
}

test(
  "suspend drops alice's tunnels within 5 s and refuses her attaches; reinstating brings them back; deregistering is NXDOMAIN",
  async () => {
    // A browser connection first, so metering has something to show (the second test).
    const r = h.relay((await h.tunnelsOf("alice"))[0]);
    const curl = Bun.spawn([
      "curl",
      "-sS",
      "-o",
      "/dev/null",
      "--cacert",
      h.caFile,
      "--resolve",
      `alice.${ZONE}:${r.browserPort}:${r.browserAddresses[0]}`,
      `https://alice.${ZONE}:${r.browserPort}/`,
    ]);
    expect(await curl.exited).toBe(0);
    expect((await dig(`alice.${ZONE}`)).answers.length).toBeGreaterThan(0);

    const suspendedAt = performance.now();
    expect(await api("/servers/alice/state", { action: "suspend", reason: "abuse", note: "test" })).toEqual({
      name: "alice",
      state: "suspended",
    });
    await h.waitFor("alice's tunnels gone", async () => (await h.tunnelsOf("alice")).length === 0, 5_000);
    const goneMs = performance.now() - suspendedAt;
    console.log(`suspend → both tunnels closed by the relays in ${goneMs.toFixed(0)} ms`);
    expect(goneMs).toBeLessThan(5_000);
    // Her connector tries again and is refused with the reason code.
    await h.waitFor(
      "an attach refused with the reason",
      () =>
        h.output.some((l) => l.startsWith("user:alice") && l.includes("Server is suspended (reason: abuse)")),
      90_000, // the connector skips relays that dropped it for a while, then backs off
    );
    expect((await api("/users")).users[0]).toMatchObject({
      name: "alice",
      state: "suspended",
      tunnelsNow: 0,
    });
    // Her server knows why, and says so (Settings shows the same; its local /healthz for scripts).
    const health = async () =>
      await (await fetch(`https://127.0.0.1:${h.user("alice").localPort}/healthz`, { tls: { ca: h.caPem } }))
        .json();
    expect((await health()).refusal?.message).toContain("Server is suspended (reason: abuse)");
    // A suspended name still answers, with the relays (which refuse it: PROTOCOL.md).
    await h.waitFor("a suspended name answering with every relay", async () => {
      const d = await dig(`alice.${ZONE}`);
      return d.status === "NOERROR" && JSON.stringify(d.answers) === JSON.stringify(relayIps());
    }, 10_000);
    // ...with access_denied (49), told apart from a name no relay carries (unrecognized_name, 112).
    for (const r of h.relaySpecs) {
      await h.waitFor(
        `${r.id} refusing alice with access_denied`,
        async () => (await alertFrom(r, "alice")) === 49,
      );
      expect(await alertFrom(r, "nobody-here")).toBe(112);
    }

    await api("/servers/alice/state", { action: "unsuspend", reason: "other" });
    const back = performance.now();
    await h.waitFor(
      "alice's two tunnels again",
      async () => (await h.tunnelsOf("alice")).length === 2,
      60_000,
    );
    console.log(`unsuspend → two tunnels again in ${(performance.now() - back).toFixed(0)} ms`);
    expect((await health()).refusal).toBeUndefined();

    await api("/servers/alice/state", { action: "deregister", reason: "legal_order" });
    const deregisteredAt = performance.now();
    await h.waitFor("alice's tunnels gone", async () => (await h.tunnelsOf("alice")).length === 0, 5_000);
    console.log(`deregister → tunnels closed in ${(performance.now() - deregisteredAt).toFixed(0)} ms`);
    await h.waitFor(
      "NXDOMAIN for alice",
      async () => (await dig(`alice.${ZONE}`)).status === "NXDOMAIN",
      10_000,
    );
    console.log(`deregister → NXDOMAIN in ${(performance.now() - deregisteredAt).toFixed(0)} ms`);

    const audit = (await api("/audit")).entries.map((e: { action: string }) => e.action);
    expect(audit.slice(0, 3)).toEqual(["deregister", "unsuspend", "suspend"]);
  },
  300_000,
); // its waits add up to more than the suite's 120 s on a loaded machine

test("relays report their version and uptime, and metering per server", async () => {
  const live = await api("/liveness");
  expect(live.relays.map((r: { state: string }) => r.state)).toEqual(["alive", "alive"]);
  for (const r of live.relays) {
    expect(r.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.uptimeMs).toBeGreaterThan(0);
  }
  expect(live.dnsFronts).toMatchObject([{ id: "ns1", state: "alive" }]);
  const users = (await api("/users")).users;
  expect(users[0].bytes24h).toBeGreaterThan(0);
});
