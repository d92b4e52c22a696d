/**
 * Issue #13.1: a real ClientHello for alice followed by a TCP reset — what a browser closing a tab
 * at the wrong moment does — used to kill alice's user server after a few connections (the relay
 * reset the stream before the server's Unix-socket connect completed). Repeated through both
 * relays, at several delays, the server stays up and keeps answering through each relay. And a
 * user server that dies anyway is restarted by the stack, which says so.
 */
import { expect, test } from "bun:test";
import { fetchThrough, harnessWithAlice, realClientHello } from "./relay_helpers.ts";

const harness = harnessWithAlice({ restartUsers: true });

/** Sends `hello` to the relay's browser port, waits `delayMs`, then resets the connection. */
async function helloThenReset(relayId: string, hello: Uint8Array, delayMs: number): Promise<void> {
  const r = harness().relay(relayId);
  const { promise, resolve } = Promise.withResolvers<void>();
  const socket = await Bun.connect({
    hostname: r.browserAddresses[0],
    port: r.browserPort,
    socket: { data() {}, close: () => resolve(), error: () => resolve() },
  });
  socket.write(hello);
  if (delayMs) await Bun.sleep(delayMs);
  socket.terminate();
  await promise;
}

test("ClientHello then TCP reset, repeated through both relays: alice's server stays up", async () => {
  const hello = await realClientHello();
  const alice = harness().processes.get("user:alice");
  for (let round = 0; round < 60; round++) {
    for (const relayId of ["relay-a", "relay-b"]) {
      await Promise.all([0, 0, 1, 3].map((d) => helloThenReset(relayId, hello, d)));
    }
  }
  // Still the same process, still answering through each relay.
  expect(alice?.running).toBe(true);
  expect(harness().processes.get("user:alice")).toBe(alice);
  expect(await fetchThrough(harness(), "relay-a")).toBeLessThan(500);
  expect(await fetchThrough(harness(), "relay-b")).toBeLessThan(500);
  expect(alice?.running).toBe(true);
  expect(harness().output.some((l) => l.startsWith("user:alice") && l.includes("socket.data.pipe"))).toBe(
    false,
  );
}, 120_000);

test("the stack restarts a user server that dies, and says so", async () => {
  const before = harness().processes.get("user:alice");
  if (!before) throw new Error("alice is not running");
  process.kill(before.pid, "SIGKILL"); // a crash: not a stop the stack asked for
  await harness().waitFor(
    "the stack to say alice restarted",
    () => harness().output.includes("stack: user:alice restarted (1)"),
    60_000,
  );
  expect(harness().processes.get("user:alice")).not.toBe(before);
  expect(harness().processes.get("user:alice")?.running).toBe(true);
  await harness().waitFor(
    "alice's two tunnels again",
    async () => (await harness().tunnelsOf("alice")).length === 2,
    60_000,
  );
}, 120_000);
