/**
 * IdCloud in Chromium: sign up, open the verification link from the mail the cloud wrote
 * (file transport: `<cloud>/mail/*.eml`), enrol TOTP from the QR's otpauth URI, sign out, and
 * sign in again with a code. Screenshots of each page (light and dark) go to test-results/.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import * as OTPAuth from "otpauth";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { clickAndNavigate, launchChromium, SCREENSHOTS, seriousAxeViolations } from "./browser.ts";

let h: Harness;
let browser: Browser;
let base: string;

beforeAll(async () => {
  h = await startHarness({ relays: 0, users: [] });
  base = `https://id.${ZONE}:${new URL(h.cloudUrl).port}`;
  browser = await launchChromium({ trustCaPem: h.caPem, resolverRules: [`MAP id.${ZONE} 127.0.0.1`] });
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

async function mailLink(to: string, path: string): Promise<string> {
  const dir = join(h.dirs.cloud, "mail");
  return (await h.waitFor(`a mail to ${to}`, () => {
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith(".eml")).sort();
    } catch { /* not yet */ }
    for (const f of files.reverse()) {
      const raw = readFileSync(join(dir, f), "utf8").replace(/=\r?\n/g, "").replace(/=3D/g, "=");
      if (!raw.includes(`To: ${to}`)) continue;
      const m = new RegExp(`https://id\\.[a-z.]+:\\d+${path}[A-Za-z0-9_.-]+`).exec(raw);
      if (m) return m[0];
    }
    return undefined;
  }, 30_000))!;
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(SCREENSHOTS, `id-${name}.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: join(SCREENSHOTS, `id-${name}-dark.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: "light" });
}

test("sign-up, verification link, TOTP enrolment, sign-out, sign-in with TOTP", async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 }, acceptDownloads: true });
  const email = "pia@example.com";
  const password = "tea kettle on the hob";

  await page.goto(`${base}/signup`);
  await shot(page, "signup");
  await page.fill("#f-email", email);
  await page.fill("#f-password", password);
  await clickAndNavigate(page, "main button[type=submit]");
  await expect(page.locator("h1").innerText()).resolves.toBe("Check your email");
  await shot(page, "check-mail");

  await page.goto(await mailLink(email, "/verify/"));
  await expect(page.locator("h1").innerText()).resolves.toBe("Email confirmed");
  await shot(page, "verified");
  await clickAndNavigate(page, "text=Sign in");

  // A first sign-in is not greeted as a return.
  expect(await page.locator("h1").innerText()).toBe("Sign in");
  expect(await page.locator("main").innerText()).not.toContain("Welcome back");
  expect(await seriousAxeViolations(page)).toEqual([]);
  await page.fill("#f-email", email);
  await page.fill("#f-password", password);
  await shot(page, "login");
  await clickAndNavigate(page, "main button[type=submit]");
  expect(new URL(page.url()).pathname).toBe("/account");
  await shot(page, "account");

  expect(await seriousAxeViolations(page)).toEqual([]);
  await page.goto(`${base}/account/totp`);
  const uri = await page.locator("[data-otpauth-uri]").getAttribute("data-otpauth-uri");
  const totp = OTPAuth.URI.parse(uri!) as OTPAuth.TOTP;
  expect(await page.locator(".qr svg").count()).toBe(1);
  expect(await seriousAxeViolations(page)).toEqual([]);
  await shot(page, "totp-enrol");
  // The phone scanned that QR; a reload must not change the key behind it.
  await page.reload();
  expect(await page.locator("[data-otpauth-uri]").getAttribute("data-otpauth-uri")).toBe(uri);
  // A wrong code says so (not "codes work once"), and the key still stands.
  const now = totp.generate();
  await page.fill("#f-code", now === "000000" ? "111111" : "000000");
  await clickAndNavigate(page, "main button[type=submit]");
  const refusal = await page.locator("main").innerText();
  expect(refusal).toContain("didn't match");
  expect(refusal).not.toMatch(/work once|already used/);
  expect(await page.locator("[data-otpauth-uri]").getAttribute("data-otpauth-uri")).toBe(uri);
  await page.fill("#f-code", totp.generate());
  await clickAndNavigate(page, "main button[type=submit]");
  await expect(page.locator("h1").innerText()).resolves.toBe("Two-step verification is on");
  const codes = (await page.locator(".codes li").allInnerTexts()).map((c) => c.trim());
  expect(codes.length).toBe(10);
  // Copy: the clipboard holds the ten codes. Download: a text file with them.
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  const copy = page.locator("button[data-copy-codes]"); // its name changes to "Copied"
  expect(await copy.innerText()).toBe("Copy the codes");
  await h.waitFor("the copy button", () => copy.isVisible());
  await copy.click();
  await h.waitFor("Copied", async () => (await copy.innerText()) === "Copied");
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  expect(clip.trim().split("\n")).toEqual(codes);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download as a text file" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("hearth-recovery-codes.txt");
  const saved = readFileSync((await download.path())!, "utf8");
  for (const c of codes) expect(saved).toContain(c);
  expect(await seriousAxeViolations(page)).toEqual([]);
  await shot(page, "recovery-codes");

  await page.goto(`${base}/account/security`);
  await shot(page, "security");
  await clickAndNavigate(page, 'header button:has-text("Sign out")');
  expect(new URL(page.url()).pathname).toBe("/login");

  await page.fill("#f-email", email);
  await page.fill("#f-password", password);
  await clickAndNavigate(page, "main button[type=submit]");
  expect(new URL(page.url()).pathname).toBe("/login/totp");
  await shot(page, "login-totp");
  // The enrolment used this step's code; the next step's is within the ±1 window and unused.
  await page.fill("#f-code", totp.generate({ timestamp: Date.now() + 30_000 }));
  await clickAndNavigate(page, "main button[type=submit]");
  expect(new URL(page.url()).pathname).toBe("/account");
  expect(await page.locator("main").innerText()).toContain(email);
  await page.close();
});

test("a used verification link shows a clear page; narrow screens stay usable", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 780 } });
  await page.goto(`${base}/signup`);
  await page.fill("#f-email", "quin@example.com");
  await page.fill("#f-password", "another fine passphrase");
  await clickAndNavigate(page, "main button[type=submit]");
  const link = await mailLink("quin@example.com", "/verify/");
  await page.goto(link);
  const res = await page.goto(link);
  expect(res?.status()).toBe(410);
  await expect(page.locator("h1").innerText()).resolves.toBe("Link already used");
  await shot(page, "link-used-mobile");
  await page.goto(`${base}/login`);
  await shot(page, "login-mobile");
  await page.close();
});
