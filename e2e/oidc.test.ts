/**
 * Chromium, through a relay: alice's URL → IdCloud's login (password + TOTP) → back on her own
 * server, signed in; sign-out ends both sessions; bob, another account, cannot enter.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import * as OTPAuth from "otpauth";
import type { Browser, Page } from "playwright-core";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { cloudDb, seedLoginAccount } from "../testing/oidc_helpers.ts";
import { clickAndNavigate, launchChromium, SCREENSHOTS } from "./browser.ts";

let h: Harness;
let browser: Browser;
let aliceOrigin: string;
let idOrigin: string;
const TOTP_SECRET = new OTPAuth.Secret({ size: 20 }).base32;
const PASSWORD = { alice: "correct horse battery", bob: "bobs own long password" };

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"] });
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length === 1);
  const db = await cloudDb(h);
  try {
    const alice = await seedLoginAccount(db, "alice@example.com", PASSWORD.alice, {
      totpSecret: TOTP_SECRET,
    });
    await seedLoginAccount(db, "bob@example.com", PASSWORD.bob);
    await db.execute({ sql: "update servers set account_id = ? where name = 'alice'", args: [alice] });
  } finally {
    db.close();
  }
  const r = h.relay("relay-a");
  const cloudPort = Number(new URL(h.cloudUrl).port);
  aliceOrigin = `https://alice.${ZONE}:${r.browserPort}`;
  idOrigin = `https://id.${ZONE}:${cloudPort}`;
  browser = await launchChromium({
    trustCaPem: h.caPem,
    resolverRules: [`MAP alice.${ZONE} ${r.browserAddresses[0]}`, `MAP id.${ZONE} 127.0.0.1`],
  });
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `oidc-${name}.png`), fullPage: true });

async function login(page: Page, email: string, password: string) {
  await page.waitForURL((u) => u.href.startsWith(`${idOrigin}/login`));
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await clickAndNavigate(page, 'form[action="/login"] button[type="submit"]');
}

test("alice: her URL → IdCloud login + TOTP → back on her server; sign-out ends both sessions", async () => {
  const ctx = await browser.newContext({ colorScheme: "light" });
  const page = await ctx.newPage();
  await page.goto(`${aliceOrigin}/`);
  await page.waitForURL((u) => u.href.startsWith(`${idOrigin}/login`));
  await shot(page, "1-idcloud-login");
  await login(page, "alice@example.com", PASSWORD.alice);
  await page.waitForURL((u) => u.pathname === "/login/totp");
  await page.fill(
    'input[name="code"]',
    new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(TOTP_SECRET) }).generate(),
  );
  await clickAndNavigate(page, 'form[action="/login/totp"] button[type="submit"]');
  await page.waitForURL((u) => u.origin === aliceOrigin && !u.pathname.startsWith("/auth/"));
  const cookies = await ctx.cookies(aliceOrigin);
  expect(cookies.some((c) => c.name === "__Host-hearth_session" && c.httpOnly && c.secure)).toBe(true);
  await shot(page, "2-alice-signed-in");
  const settings = await page.goto(`${aliceOrigin}/settings`);
  expect(settings?.status()).toBe(200);

  await page.goto(`${aliceOrigin}/auth/logout`);
  await shot(page, "3-sign-out");
  await clickAndNavigate(page, 'form[action="/auth/logout"] button[type="submit"]');
  await page.waitForURL(`${aliceOrigin}/auth/logged-out`);
  expect(await page.locator("h1").innerText()).toBe("You are signed out");
  await shot(page, "4-signed-out");
  // Both sessions ended: alice's server sends her to IdCloud, and IdCloud asks for her password again.
  await page.goto(`${aliceOrigin}/`);
  await page.waitForURL((u) => u.href.startsWith(`${idOrigin}/login`));
  await ctx.close();
});

test("bob, another account, is asked for consent and then cannot enter alice's server", async () => {
  const ctx = await browser.newContext({ colorScheme: "dark" });
  const page = await ctx.newPage();
  await page.goto(`${aliceOrigin}/`);
  await login(page, "bob@example.com", PASSWORD.bob);
  await page.waitForURL((u) => u.href.startsWith(`${idOrigin}/oidc/authorize`));
  expect(await page.locator("h1").innerText()).toContain(`alice.${ZONE}`);
  await shot(page, "5-bob-consent");
  await clickAndNavigate(page, 'button[value="allow"]');
  await page.waitForURL(`${aliceOrigin}/`);
  expect(await page.locator("h1").innerText()).toBe("This server belongs to someone else");
  await shot(page, "6-bob-someone-else");
  for (const path of ["/settings", "/browse", "/nothing-here"]) {
    const res = await page.goto(`${aliceOrigin}${path}`);
    expect(res?.status()).toBe(404);
  }
  await ctx.close();
});
