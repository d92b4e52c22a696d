/**
 * A share link's password throttle through a real relay: the relay tells the user server each
 * browser's address (a source header per stream, PROTOCOL.md §5), so ten wrong passwords from one
 * address lock out that address only — a visitor from another address still gets in. Browsers are
 * curl processes bound to 127.0.0.1 and 127.0.0.2.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { ZONE } from "./harness.ts";
import { harnessWithAlice } from "./relay_helpers.ts";
import { restartUserWith, TEST_OWNER_TOKEN } from "./userserver_helpers.ts";

const harness = harnessWithAlice();

async function curl(args: string[]): Promise<{ code: string; body: string }> {
  const proc = Bun.spawn(["curl", "-sS", "--max-time", "30", ...args, "-w", "\n%{http_code}"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  const at = out.lastIndexOf("\n");
  return { code: out.slice(at + 1), body: out.slice(0, at) };
}

test("ten wrong passwords lock out one address through the relay, not another", async () => {
  const h = harness();
  await restartUserWith(h, "alice", { testOwnerToken: TEST_OWNER_TOKEN });
  await h.waitFor("alice's two tunnels again", async () => (await h.tunnelsOf("alice")).length === 2);
  const relay = h.relaySpecs[0]!;
  const origin = `https://alice.${ZONE}:${relay.browserPort}`;
  // The owner makes a password link (on the relayed listener's socket, as her browser would).
  const made = await fetch(`https://alice.${ZONE}/api/links`, {
    method: "POST",
    unix: join(h.dirs.users.alice, "relayed.sock"),
    tls: { ca: h.caPem },
    headers: {
      cookie: `__Host-hearth-test-owner=${TEST_OWNER_TOKEN}`,
      origin,
      "content-type": "application/json",
    },
    body: JSON.stringify({ itemId: "root", password: "open sesame", label: "Everything" }),
  } as RequestInit);
  expect(made.status).toBe(201);
  const { token } = (await made.json()).link;
  const unlock = (from: string, password: string) =>
    curl([
      "--interface",
      from,
      "--cacert",
      h.caFile,
      "--resolve",
      `alice.${ZONE}:${relay.browserPort}:${relay.browserAddresses[0]}`,
      "-H",
      `Origin: ${origin}`,
      "--data-urlencode",
      `password=${password}`,
      `${origin}/s/${token}/unlock`,
    ]);
  for (let i = 0; i < 9; i++) expect((await unlock("127.0.0.1", `wrong ${i}`)).code).toBe("401");
  const locked = await unlock("127.0.0.1", "wrong 9");
  expect(locked.code).toBe("429");
  expect(locked.body).toContain("Try again after");
  expect((await unlock("127.0.0.1", "open sesame")).code).toBe("429");
  // Another address through the same relay is not locked out.
  expect((await unlock("127.0.0.2", "open sesame")).code).toBe("303");
});
