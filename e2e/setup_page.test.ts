/**
 * The local first-run setup page in Chromium, light and dark: the registration form, a refused
 * token, and a registered server that asks for a restart. The page is the real local app; the
 * registration behind it is a stand-in (testing/setup_register.test.ts registers for real).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import type { SetupRegistered, SetupRegistration } from "../userserver/registration/setup.ts";
import { RegistrationFailedError } from "../userserver/registration/register.ts";
import { createLocalApp } from "../userserver/web/local_app.tsx";
import { clickAndNavigate, launchChromium, SCREENSHOTS } from "./browser.ts";

const TOKEN = "setup-token-0123456789abcdef";
let registered: SetupRegistered | undefined;
const registration: SetupRegistration = {
  tokenPageUrl: "https://id.hearth.localhost:8787/account/servers",
  current: () => registered,
  register(token) {
    if (!token.startsWith("hrt_good")) {
      return Promise.reject(
        new RegistrationFailedError("RegCloud refused the registration: this token was already used"),
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
const app = createLocalApp({
  name: "alice",
  publicOrigin: "https://alice.hearth.localhost:8443",
  setup: { token: () => TOKEN, complete: () => {}, registration },
});
let server: ReturnType<typeof Bun.serve>;
let browser: Browser;

beforeAll(async () => {
  server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: app.fetch });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  server?.stop(true);
});

for (const scheme of ["light", "dark"] as const) {
  test(`setup page: register form, a refused token, then registered (${scheme})`, async () => {
    registered = undefined;
    const ctx = await browser.newContext({ colorScheme: scheme, viewport: { width: 900, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/setup?token=${TOKEN}`);
    expect(await page.locator("h1").innerText()).toBe("Set up Hearth");
    await page.screenshot({ path: join(SCREENSHOTS, `setup-1-form-${scheme}.png`), fullPage: true });

    await page.fill("#registrationToken", "hrt_used.0123456789abcdefghij");
    await clickAndNavigate(page, 'form[action="/setup/register"] button[type="submit"]');
    await expect(page.locator('[role="alert"]').innerText()).resolves.toContain("Registration failed:");
    await page.screenshot({ path: join(SCREENSHOTS, `setup-2-refused-${scheme}.png`), fullPage: true });

    await page.fill("#registrationToken", "hrt_good.0123456789abcdefghij");
    await clickAndNavigate(page, 'form[action="/setup/register"] button[type="submit"]');
    await expect(page.locator('[role="status"]').innerText()).resolves.toContain("Restart needed");
    await page.screenshot({ path: join(SCREENSHOTS, `setup-3-registered-${scheme}.png`), fullPage: true });

    await page.setViewportSize({ width: 380, height: 800 });
    await page.screenshot({ path: join(SCREENSHOTS, `setup-4-narrow-${scheme}.png`), fullPage: true });
    await ctx.close();
  });
}
