/**
 * The first-run setup page's registration form: only on the local listener, only with the one-time
 * setup token, the right Host and a same-site Origin; clear messages for success and failure.
 * And never through a relay: the relayed app has no setup, even for its signed-in owner holding
 * the real setup token.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../shared/log/mod.ts";
import { startUserServer, type UserServer } from "../boot/mod.ts";
import { CONFIG_VERSION, loadUserServerConfig } from "../config/mod.ts";
import { RegistrationFailedError } from "../registration/register.ts";
import type { SetupRegistered, SetupRegistration } from "../registration/setup.ts";
import { TEST_OWNER_COOKIE } from "./auth.ts";
import { createLocalApp } from "./local_app.tsx";

const HOST = "local.alice.hearth.localhost:9443";
const LOCAL = `https://${HOST}`;
const SETUP_TOKEN = "setup-token-0123456789abcdef";
const GOOD = "hrt_abcdefgh.abcdefghijklmnopqrstuvwxyz";

function stubRegistration() {
  const calls: string[] = [];
  let registered: SetupRegistered | undefined;
  const registration: SetupRegistration = {
    tokenPageUrl: "https://id.hearth.localhost:8787/account/servers",
    current: () => registered,
    register(token) {
      calls.push(token);
      if (token !== GOOD) {
        return Promise.reject(
          new RegistrationFailedError("RegCloud refused the registration: token is used"),
        );
      }
      registered = {
        name: "alice",
        serverId: "srv_1",
        publicOrigin: "https://alice.hearth.localhost:8443",
        restartNeeded: true,
      };
      return Promise.resolve(registered);
    },
  };
  return { calls, registration };
}

function localApp(registration?: SetupRegistration) {
  return createLocalApp({
    name: "alice",
    publicOrigin: "https://alice.hearth.localhost:8443",
    hosts: [HOST],
    setup: { token: () => SETUP_TOKEN, complete: () => {}, registration },
  });
}

const register = (
  app: ReturnType<typeof localApp>,
  form: Record<string, string>,
  headers: Record<string, string> = { host: HOST, origin: LOCAL },
) =>
  app.request(`${LOCAL}/setup/register`, {
    method: "POST",
    body: new URLSearchParams(form),
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  });

describe("the registration form on the local setup page", () => {
  test("the setup page offers it, with where to get a token", async () => {
    const { registration } = stubRegistration();
    const res = await localApp(registration).request(`${LOCAL}/setup?token=${SETUP_TOKEN}`, {
      headers: { host: HOST },
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('action="/setup/register"');
    expect(html).toContain('name="registrationToken"');
    expect(html).toContain('href="https://id.hearth.localhost:8787/account/servers"');
  });

  test("without a registration hook it shows the command instead", async () => {
    const res = await localApp().request(`${LOCAL}/setup?token=${SETUP_TOKEN}`, { headers: { host: HOST } });
    const html = await res.text();
    expect(html).not.toContain('action="/setup/register"');
    expect(html).toContain("bun run userserver register &lt;token&gt;");
  });

  test("registers with a good token and says a restart is needed", async () => {
    const { calls, registration } = stubRegistration();
    const res = await register(localApp(registration), { token: SETUP_TOKEN, registrationToken: GOOD });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Registered. This server is <strong>alice</strong>");
    expect(html).toContain("Restart needed:");
    expect(html).not.toContain('name="registrationToken"');
    expect(calls).toEqual([GOOD]);
  });

  test("a refused token is shown as a clear failure, and the form is offered again", async () => {
    const { calls, registration } = stubRegistration();
    const res = await register(localApp(registration), { token: SETUP_TOKEN, registrationToken: "hrt_x.y" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(
      'role="alert">Registration failed: RegCloud refused the registration: token is used',
    );
    expect(html).toContain('name="registrationToken"');
    expect(calls).toEqual(["hrt_x.y"]);
  });

  test("refuses without the setup token, from another Host or from another site's page", async () => {
    const { calls, registration } = stubRegistration();
    const app = localApp(registration);
    const cases: [Record<string, string>, Record<string, string>, number][] = [
      [{ registrationToken: GOOD }, { host: HOST, origin: LOCAL }, 404],
      [{ token: "guess", registrationToken: GOOD }, { host: HOST, origin: LOCAL }, 404],
      // Another Host is refused before routing (DNS rebinding): 421.
      [{ token: SETUP_TOKEN, registrationToken: GOOD }, { host: "evil.example:9443", origin: LOCAL }, 421],
      [{ token: SETUP_TOKEN, registrationToken: GOOD }, { host: HOST, origin: "https://evil.example" }, 403],
    ];
    for (const [form, headers, status] of cases) {
      expect([form, headers, (await register(app, form, headers)).status]).toEqual([form, headers, status]);
    }
    expect(calls).toEqual([]);
  });
});

describe("never through a relay", () => {
  const dir = mkdtempSync(join(tmpdir(), "hearth-setup-"));
  const owner = "owner-token-0123456789abcdefghijklmnop";
  let s: UserServer;
  beforeAll(async () => {
    // A fresh server: setup pending, so a real one-time setup token exists.
    writeFileSync(
      join(dir, "config.json"),
      JSON.stringify({ version: CONFIG_VERSION, name: "alice", testOwnerToken: owner }),
    );
    const { config } = loadUserServerConfig(dir, join(dir, "config.json"));
    s = await startUserServer({ config, log: silentLogger, listen: false });
  });
  afterAll(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the relayed app has no setup page nor registration, even for its owner with the real token", async () => {
    const token = s.setupToken!;
    expect(token).toBeString();
    // Control: the local listener serves the setup page for this very token.
    const local = await s.localApp.request(`https://local.alice.hearth.localhost:9443/setup?token=${token}`, {
      headers: { host: "local.alice.hearth.localhost:9443" },
    });
    expect(local.status).toBe(200);

    const relayed = "https://alice.hearth.localhost";
    const headers = { cookie: `${TEST_OWNER_COOKIE}=${owner}`, origin: relayed };
    const page = await s.relayedApp.request(`${relayed}/setup?token=${token}`, { headers });
    expect(page.status).toBe(404);
    expect(await page.text()).not.toContain("registrationToken");
    for (const path of ["/setup/register", "/setup"]) {
      const res = await s.relayedApp.request(`${relayed}${path}`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token, registrationToken: GOOD, importRoots: "/" }),
      });
      expect([path, res.status]).toEqual([path, 404]);
    }
    // Nothing happened: not registered, setup still pending with the same token.
    expect(existsSync(join(dir, "registration.json"))).toBe(false);
    expect(s.setupToken).toBe(token);
  });
});
