/**
 * First-run registration through the local setup page, end to end: a fresh user server (no
 * certificate, no registration) serves its setup page on its local listener with a temporary
 * certificate; its owner claims the name on IdCloud's real account page, pastes the one-time token
 * into the setup page, and the server registers directly with the real cloud tier. After the
 * restart the page asks for, it serves the cloud-issued certificate and holds a tunnel — and the
 * setup page is still not reachable through the relay, even with its valid one-time token.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ManagedProcess } from "../tools/stack/process.ts";
import { bunPath, repoRoot } from "../tools/stack/paths.ts";
import { issuedBy } from "../shared/pki/mod.ts";
import { CONFIG_VERSION } from "../userserver/config/schema.ts";
import { FIRST_RUN_CA_FILE } from "../userserver/registration/setup.ts";
import { freePort, type Harness, startHarness, ZONE } from "./harness.ts";
import { cloudDb, createIdSession, ID_COOKIE, seedAccount } from "./oidc_helpers.ts";

let h: Harness;
let bob: ManagedProcess | undefined;
const dir = () => join(h.baseDir, "users", "bob");
const localPort = freePort();
const localOrigin = `https://local.bob.${ZONE}:${localPort}`;
const lines: string[] = [];

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: [] });
  mkdirSync(dir(), { recursive: true, mode: 0o700 });
  writeFileSync(
    join(dir(), "config.json"),
    JSON.stringify({
      version: CONFIG_VERSION,
      name: "bob",
      zone: ZONE,
      localAddress: "127.0.0.1",
      localPort,
      publicPort: h.relaySpecs[0].browserPort,
      cloudUrl: h.cloudUrl,
      cloudServerName: `reg.${ZONE}`,
      caFile: h.caFile,
      tunnels: 1,
      logFormat: "json",
    }),
  );
});
afterAll(async () => {
  await bob?.stop();
  await h?.stop();
});

/** Starts bob's server and returns the one-time setup URL it prints. */
async function startBob(): Promise<URL> {
  const seen = lines.length;
  bob = new ManagedProcess({
    name: "user:bob",
    cmd: [bunPath, join(repoRoot, "userserver/main.ts"), "serve", "--data-dir", dir()],
    cwd: repoRoot,
    onLine: (line) => lines.push(line),
  });
  const line = await h.waitFor(
    "bob's setup link",
    () => lines.slice(seen).find((l) => l.startsWith("First-run setup: ")),
  );
  return new URL(line!.slice("First-run setup: ".length));
}

const fetchLocal = (url: string | URL, ca: string, init: RequestInit = {}) =>
  fetch(url, { ...init, redirect: "manual", tls: { ca } } as RequestInit);

async function claimAtIdCloud(email: string, name: string): Promise<string> {
  const db = await cloudDb(h);
  await seedAccount(db, email);
  db.close();
  const session = await createIdSession(h, email);
  const idUrl = `https://id.${ZONE}:${new URL(h.cloudUrl).port}`;
  const res = await fetch(`${idUrl}/account/servers`, {
    method: "POST",
    headers: {
      cookie: `${ID_COOKIE}=${session}`,
      origin: idUrl,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ name }),
    tls: { ca: h.caPem },
  } as RequestInit);
  expect(res.status).toBe(200);
  const token = (await res.text()).match(/<code id="registration-token">(hrt_[^<]+)<\/code>/)?.[1];
  expect(token).toBeString();
  return token!;
}

test("a fresh server registers through its local setup page with a token from IdCloud", async () => {
  const setupUrl = await startBob();
  expect(setupUrl.origin).toBe(localOrigin);
  expect(existsSync(join(dir(), "tls.crt"))).toBe(false);
  const firstRunCa = readFileSync(join(dir(), FIRST_RUN_CA_FILE), "utf8");

  const page = await fetchLocal(setupUrl, firstRunCa);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('action="/setup/register"');
  expect(html).toContain(`href="https://id.${ZONE}:${new URL(h.cloudUrl).port}/account/servers"`);

  const form = (registrationToken: string) => ({
    method: "POST",
    headers: { origin: localOrigin, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: setupUrl.searchParams.get("token")!, registrationToken }),
  });
  // A well-formed token RegCloud does not know is refused with a clear message; nothing is written.
  const bad = await fetchLocal(
    new URL("/setup/register", localOrigin),
    firstRunCa,
    form("hrt_abcdefgh.abcdefghijklmnopqrstuvwxyz"),
  );
  expect(bad.status).toBe(400);
  expect(await bad.text()).toContain("Registration failed: RegCloud refused the registration");
  expect(existsSync(join(dir(), "registration.json"))).toBe(false);

  const token = await claimAtIdCloud("bob@example.com", "bob");
  const ok = await fetchLocal(new URL("/setup/register", localOrigin), firstRunCa, form(token));
  const done = await ok.text();
  expect([ok.status, done.match(/role="alert">([^<]*)/)?.[1]]).toEqual([200, undefined]);
  expect(done).toContain("Registered. This server is <strong>bob</strong>");
  expect(done).toContain("Restart needed:");
  const reg = JSON.parse(readFileSync(join(dir(), "registration.json"), "utf8"));
  expect(reg.name).toBe("bob");
  const cert = readFileSync(join(dir(), "tls.crt"), "utf8");
  expect(issuedBy(cert, readFileSync(join(h.dirs.cloud, "issuer", "issuer.crt"), "utf8"))).toBe(true);
  // The token worked once.
  const again = await fetchLocal(new URL("/setup/register", localOrigin), firstRunCa, form(token));
  expect(again.status).toBe(400);
  expect(await again.text()).toContain("Registration failed: RegCloud refused the registration");

  // After the restart: the cloud-issued certificate (trusted through the dev CA) and a tunnel.
  await bob!.stop();
  const nextSetup = await startBob();
  await h.waitFor("bob's tunnel", async () => {
    const res = await fetchLocal(new URL("/healthz", localOrigin), h.caPem);
    return ((await res.json()) as { tunnels: unknown[] }).tunnels.length === 1;
  });
  const status = await fetchLocal(nextSetup, h.caPem);
  expect(status.status).toBe(200);
  expect(await status.text()).toContain("This server is <strong>bob</strong>");

  // Through the relay (SNI bob.<zone>, bob's own TLS end to end): no setup page, even with the token.
  const relay = h.relaySpecs[0];
  for (const [method, path] of [["GET", `/setup?${nextSetup.searchParams}`], ["POST", "/setup/register"]]) {
    const r = Bun.spawnSync([
      "curl",
      "-sS",
      "--max-time",
      "20",
      "--cacert",
      h.caFile,
      "--resolve",
      `bob.${ZONE}:${relay.browserPort}:${relay.browserAddresses[0]}`,
      "-o",
      "-",
      "-w",
      "\n%{http_code}",
      ...(method === "POST"
        ? [
          "-H",
          `origin: https://bob.${ZONE}:${relay.browserPort}`,
          "--data-urlencode",
          `token=${nextSetup.searchParams.get("token")}`,
          "--data-urlencode",
          "registrationToken=hrt_abcdefgh.abcdefghijklmnopqrstuvwxyz",
        ]
        : []),
      `https://bob.${ZONE}:${relay.browserPort}${path}`,
    ]);
    const out = r.stdout.toString();
    const code = Number(out.slice(out.lastIndexOf("\n") + 1));
    expect([method, code]).not.toEqual([method, 0]); // the relay carried the request to bob
    expect([method, code === 200]).toEqual([method, false]);
    expect(out).not.toContain("registrationToken");
    expect(out).not.toContain("Set up Hearth");
  }
}, 120_000);
