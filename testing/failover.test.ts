/**
 * Three relays, alice attached to two. Killing one relay does not disturb a download through
 * another; the connector re-attaches to the third; RegCloud marks the dead relay and stops
 * handing it out. Killing the relay a download goes through ends it with a closed connection
 * (not a hang), and a retry through another relay succeeds. Waits are bounded polls; the
 * measured times are printed.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Harness, startHarness, ZONE } from "./harness.ts";
import { makeOperator, relayStates, type StackOperator } from "./operator_helpers.ts";

let h: Harness;
let op: StackOperator;
beforeAll(async () => {
  h = await startHarness({ relays: 3, users: ["alice"], enableByteStream: true });
  op = await makeOperator(h);
  await h.waitFor("alice's two tunnels", async () => (await h.tunnelsOf("alice")).length === 2);
});
afterAll(async () => {
  await h?.stop();
});

/** A slow download through `relayId` (curl, rate-limited so it lasts a few seconds). */
function startDownload(relayId: string, bytes: number, rate = "20M") {
  const r = h.relay(relayId);
  const started = performance.now();
  const proc = Bun.spawn([
    "curl",
    "-sS",
    "--max-time",
    "60",
    "--cacert",
    h.caFile,
    "--limit-rate",
    rate,
    "-o",
    "/dev/null",
    "-w",
    "%{size_download}",
    "--resolve",
    `alice.${ZONE}:${r.browserPort}:${r.browserAddresses[0]}`,
    `https://alice.${ZONE}:${r.browserPort}/_bytes/${bytes}`,
  ], { stdout: "pipe", stderr: "pipe" });
  return {
    done: (async () => {
      const [out, err, code] = await Promise.all([
        new Response(proc.stdout).text(),
        new Response(proc.stderr).text(),
        proc.exited,
      ]);
      return { code, size: Number(out), err, ms: performance.now() - started };
    })(),
  };
}

async function relayState(id: string): Promise<string> {
  return (await relayStates(h, op)).find((r) => r.id === id)?.state ?? "missing";
}

test("failover: a dead relay is routed around, marked dead, and replaced", async () => {
  const [x, y] = await h.tunnelsOf("alice");
  const z = h.relaySpecs.map((r) => r.id).find((id) => id !== x && id !== y)!;
  const size = 100 * 1024 * 1024;

  // 1. Kill x while a download runs through y: the download completes.
  const download = startDownload(y, size);
  await Bun.sleep(500);
  const killedAt = performance.now();
  await h.processes.get(x)!.kill();
  // 2. Meanwhile the connector re-attaches the lost tunnel to z, and RegCloud marks x dead.
  const since = (p: Promise<unknown>) => p.then(() => performance.now() - killedAt);
  const [result, reattachMs, deadMs] = await Promise.all([
    download.done,
    since(h.waitFor(`a tunnel to ${z}`, async () => (await h.tunnelsOf("alice")).includes(z), 30_000)),
    since(h.waitFor(`${x} marked dead`, async () => (await relayState(x)) === "dead", 30_000)),
  ]);
  expect(result.err).toBe("");
  expect(result.code).toBe(0);
  expect(result.size).toBe(size);
  console.log(
    `failover: download through ${y} finished in ${result.ms.toFixed(0)} ms; re-attached to ${z} ${
      reattachMs.toFixed(0)
    } ms after killing ${x}; RegCloud marked ${x} dead after ${deadMs.toFixed(0)} ms`,
  );
  expect((await h.tunnelsOf("alice")).sort()).toEqual([y, z].sort());

  // RegCloud no longer hands x out.
  const offered = await (async () => {
    const { signServerRequest } = await import("../shared/auth/server_request.ts");
    const { ensureServerKey, loadRegistration } = await import("../platform/secrets.ts");
    const dir = h.dirs.users.alice;
    const { keys } = await ensureServerKey(dir);
    const reg = loadRegistration(dir)!;
    const body = "{}";
    const path = "/reg/v1/server/relays";
    const res = await fetch(`${h.cloudUrl}${path}`, {
      method: "POST",
      headers: {
        authorization: await signServerRequest(keys.privateKey, reg.serverId, { method: "POST", path, body }),
        "content-type": "application/json",
      },
      body,
      tls: { ca: h.caPem },
    });
    return ((await res.json()) as { relays: { relayId: string }[] }).relays.map((r) => r.relayId);
  })();
  expect(offered).not.toContain(x);

  // 3. Kill y during a download through it: the client sees a closed connection, not a hang.
  const doomed = startDownload(y, size, "5M");
  await Bun.sleep(700);
  const killedY = performance.now();
  await h.processes.get(y)!.kill();
  const cut = await doomed.done;
  const noticedMs = performance.now() - killedY;
  expect(cut.code).not.toBe(0);
  expect(cut.size).toBeLessThan(size);
  expect(noticedMs).toBeLessThan(30_000); // bounded: a hang would hit curl's 60 s limit

  // 4. A retry through another relay succeeds.
  const retry = startDownload(z, 1024 * 1024, "100M");
  const ok = await retry.done;
  expect(ok.code).toBe(0);
  expect(ok.size).toBe(1024 * 1024);
  console.log(
    `failover: the client saw the cut ${
      noticedMs.toFixed(0)
    } ms after ${y} died; the retry through ${z} succeeded`,
  );
}, 120_000);

test("graceful relay shutdown: GoAway lets a download finish while the tunnel moves elsewhere", async () => {
  const g = await startHarness({ relays: 3, users: ["alice"], enableByteStream: true });
  try {
    await g.waitFor("alice's two tunnels", async () => (await g.tunnelsOf("alice")).length === 2);
    const [x, y] = await g.tunnelsOf("alice");
    const z = g.relaySpecs.map((r) => r.id).find((id) => id !== x && id !== y)!;
    const r = g.relay(x);
    const size = 40 * 1024 * 1024;
    const download = Bun.spawn([
      "curl",
      "-sS",
      "--max-time",
      "60",
      "--cacert",
      g.caFile,
      "--limit-rate",
      "10M",
      "-o",
      "/dev/null",
      "-w",
      "%{size_download}",
      "--resolve",
      `alice.${ZONE}:${r.browserPort}:${r.browserAddresses[0]}`,
      `https://alice.${ZONE}:${r.browserPort}/_bytes/${size}`,
    ], { stdout: "pipe", stderr: "pipe" });
    await Bun.sleep(500);
    const stopping = g.processes.get(x)!.stop(20_000); // SIGTERM: GoAway, drain, exit
    await g.waitFor(`a tunnel to ${z}`, async () => (await g.tunnelsOf("alice")).includes(z), 30_000);
    const [out, code] = await Promise.all([new Response(download.stdout).text(), download.exited]);
    expect(code).toBe(0);
    expect(Number(out)).toBe(size);
    expect(await stopping).toBe(0);
  } finally {
    await g.stop();
  }
}, 120_000);
