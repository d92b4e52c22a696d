/**
 * The online way in on this computer (issue #21), on a real stack with curl as the browser: the
 * local listener's challenge, confirmed at IdCloud by alice signed in there, signs her browser in.
 * Refused: bob confirming alice's challenge, a confirmed challenge opened in another browser, the
 * same return twice, and a challenge past its time.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { harnessWithAlice } from "./relay_helpers.ts";
import { ZONE } from "./harness.ts";
import { cloudDb, curlBrowser, seedAccount, signInAtIdCloud } from "./oidc_helpers.ts";

const harness = harnessWithAlice();
const jars = mkdtempSync(join(tmpdir(), "hearth-local-online-"));
afterAll(() => rmSync(jars, { recursive: true, force: true }));

const origins = () => {
  const h = harness();
  const u = h.user("alice");
  const cloudPort = Number(new URL(h.cloudUrl).port);
  return {
    local: `https://local.alice.${ZONE}:${u.localPort}`,
    id: `https://id.${ZONE}:${cloudPort}`,
    resolve: [
      "--resolve",
      `local.alice.${ZONE}:${u.localPort}:${u.localAddress}`,
      "--resolve",
      `id.${ZONE}:${cloudPort}:127.0.0.1`,
    ],
  };
};
const { browse } = curlBrowser({
  jars: () => jars,
  caFile: () => harness().caFile,
  resolve: () => origins().resolve,
});
const aliceEmail = () => harness().accounts.find((a) => a.name === "alice")!.email;

/** `who` starts a sign-in on the local listener; answers IdCloud's confirm URL. */
function start(who: string): string {
  const res = browse(who, `${origins().local}/local/challenge`, { next: "/browse" });
  expect(res.status).toBe(303);
  expect(res.location).toStartWith(`${origins().id}/local/confirm/`);
  return res.location!;
}

test("alice confirms at IdCloud and her browser on this computer is signed in", async () => {
  const h = harness();
  await signInAtIdCloud(h, join(jars, "alice"), aliceEmail());
  const signin = browse("alice", `${origins().local}/local/signin`);
  expect(signin.body).toContain("Sign in with Hearth ID");
  const confirmUrl = start("alice");
  const page = browse("alice", confirmUrl);
  expect(page.status).toBe(200);
  expect(page.body).toContain("Sign in on this computer?");
  const confirmed = browse("alice", confirmUrl, {});
  expect(confirmed.status).toBe(303);
  expect(confirmed.location).toStartWith(`${origins().local}/local/return?c=`);
  const back = browse("alice", confirmed.location!);
  expect(back.status).toBe(303);
  expect(back.location).toBe(`${origins().local}/browse`);
  const browsePage = browse("alice", `${origins().local}/browse`);
  expect(browsePage.status).toBe(200);
  expect(browsePage.body).toContain("Browse");
  const sessions = browse("alice", `${origins().local}/settings/local-sessions`);
  expect(sessions.body).toContain(`Confirmed by ${aliceEmail()}`);
  // The same return again: the challenge was read once.
  const again = browse("alice", confirmed.location!);
  expect(again.status).toBe(403);
});

test("bob, signed in at IdCloud, cannot confirm alice's challenge", async () => {
  const h = harness();
  const db = await cloudDb(h);
  try {
    await seedAccount(db, `bob-${Date.now()}@${ZONE}`);
    const bob =
      (await db.execute("select email from accounts where email like 'bob-%' limit 1")).rows[0]!.email;
    await signInAtIdCloud(h, join(jars, "bob"), String(bob));
  } finally {
    db.close();
  }
  const confirmUrl = start("alice2");
  const page = browse("bob", confirmUrl);
  expect(page.status).toBe(404);
  expect(page.body).toContain("not yours");
  expect(browse("bob", confirmUrl, {}).status).toBe(404);
});

test("a confirmed challenge opened in another browser is refused; the right browser still gets in", async () => {
  const h = harness();
  await signInAtIdCloud(h, join(jars, "alice3"), aliceEmail());
  const confirmUrl = start("alice3");
  const confirmed = browse("alice3", confirmUrl, {});
  expect(confirmed.status).toBe(303);
  // Mallory got hold of the return link (no challenge cookie of hers matches).
  const stolen = browse("mallory", confirmed.location!);
  expect(stolen.status).toBe(403);
  expect(browse("mallory", `${origins().local}/browse`).status).toBe(401); // not signed in
  expect(browse("alice3", confirmed.location!).status).toBe(303);
});

test("a challenge past its five minutes is refused", async () => {
  const h = harness();
  await signInAtIdCloud(h, join(jars, "alice4"), aliceEmail());
  const confirmUrl = start("alice4");
  expect(browse("alice4", confirmUrl, {}).status).toBe(303);
  const db = await cloudDb(h);
  try {
    await db.execute("update local_challenges set expires_at = 1");
  } finally {
    db.close();
  }
  const id = confirmUrl.split("/").at(-1)!;
  const late = browse("alice4", `${origins().local}/local/return?c=${id}`);
  expect(late.status).toBe(403);
  expect(late.body).toContain("expired");
});
