/**
 * Pairing a phone in Chromium: alice (signed in through IdCloud, desktop) asks for a pairing code;
 * the test screenshots the QR code and decodes it with Debian's `zbarimg`; a phone (Pixel 7 profile:
 * touch, small viewport, no session) opens the decoded URL and taps "Pair" — paired, and alice's
 * page says so without a reload. The phone opens the files; revoked, its next request is refused.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { createClient } from "@libsql/client";
import { join } from "node:path";
import { type Browser, devices, type Page } from "playwright-core";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { SCREENSHOTS, seriousAxeViolations } from "./browser.ts";
import { aliceThroughRelay } from "./sign_in.ts";

let h: Harness;
let browser: Browser;
let page: Page;
let origin: string;

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"] });
  ({ browser, page, origin } = await aliceThroughRelay(h, ZONE));
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const shot = (p: Page, name: string) =>
  p.screenshot({ path: join(SCREENSHOTS, `devices-${name}.png`), fullPage: true });

test("scan the code, tap Pair: paired, and the desktop page follows live; revoked, the phone is out", async () => {
  await page.goto(`${origin}/settings`);
  await page.getByRole("link", { name: /Pair a phone/ }).click();
  await page.waitForURL((u) => u.pathname === "/devices");
  expect(await seriousAxeViolations(page)).toEqual([]);
  await page.getByRole("button", { name: "Pair a phone" }).click();
  await page.waitForURL((u) => u.pathname.startsWith("/devices/pairings/"));
  const qr = page.locator(".pair-qr [role=img]");
  const png = join(h.baseDir, "pairing-qr.png");
  await qr.screenshot({ path: png });
  await shot(page, "pairing");
  // What a phone's camera would read.
  const url = execFileSync("zbarimg", ["--quiet", "--raw", png]).toString().trim();
  expect(url).toMatch(new RegExp(`^${origin}/pair/[A-Za-z0-9_-]{43}$`));
  expect(await page.locator("#pairing-state").getAttribute("data-state")).toBe("waiting");

  const phone = await browser.newContext({ ...devices["Pixel 7"] });
  const p = await phone.newPage();
  const started = performance.now();
  await p.goto(url);
  expect(await p.locator("#pair-name").inputValue()).toBe("Android phone");
  expect(await seriousAxeViolations(p)).toEqual([]);
  await shot(p, "phone-pair");
  await p.getByRole("button", { name: "Pair this device" }).tap();
  await p.waitForSelector("text=can now open alice's files");
  console.log(`scan to paired: ${Math.round(performance.now() - started)} ms (goal ≤ 15 s)`);
  await shot(p, "phone-paired");
  // The desktop page turns to "Paired" by itself.
  await h.waitFor(
    "the desktop page to follow",
    async () => (await page.locator("#pairing-state").getAttribute("data-state")) === "paired",
  );
  // The code, now used, is gone: the phone's name in its place, and a way to pair the next one.
  expect(await page.locator("#pairing-state").innerText()).toContain("Paired: Android phone");
  expect(await page.locator(".pair-qr").count()).toBe(0);
  expect(await page.getByRole("button", { name: "Pair another phone" }).isVisible()).toBe(true);
  expect(await seriousAxeViolations(page)).toEqual([]);
  await shot(page, "paired");

  await p.getByRole("link", { name: "Open the files" }).tap();
  await p.waitForURL((u) => u.pathname === "/browse");
  expect(await p.locator("h1").innerText()).toBe("Your files");
  // The phone's shell: the tabs it may open, none of the owner's widgets (bell, search, account).
  expect(await p.locator("nav.tabs a").allInnerTexts()).toEqual(["Browse", "Photos"]);
  expect(await p.locator("#bell").count()).toBe(0);
  expect(await seriousAxeViolations(p)).toEqual([]);
  await shot(p, "phone-browse");

  // A second phone with the same code: refused.
  const other = await (await browser.newContext({ ...devices["iPhone 14"] })).newPage();
  const again = await other.goto(url);
  expect(again?.status()).toBe(410);
  expect(await other.locator("h1").innerText()).toBe("This pairing link was already used");

  await page.goto(`${origin}/devices`);
  await page.getByRole("button", { name: "Revoke Android phone" }).click();
  await h.waitFor("revoked", async () => (await page.locator(".notice.ok").count()) > 0);
  const after = await p.goto(`${origin}/browse`);
  expect(new URL(p.url()).pathname === "/browse" && after?.status() === 200).toBe(false);
  await phone.close();
});

test("an expired code gives way to 'make a new one'; 'Make a new code' gives a fresh one", async () => {
  await page.goto(`${origin}/devices`);
  await page.getByRole("button", { name: "Pair a phone" }).click();
  await page.waitForURL((u) => u.pathname.startsWith("/devices/pairings/"));
  const first = new URL(page.url()).pathname;
  await page.waitForSelector(".pair-qr [role=img]");
  // Five minutes pass (the server reads the expiry from its database on every poll).
  const db = createClient({ url: `file:${join(h.dirs.users.alice!, "userserver.db")}`, timeout: 10_000 });
  try {
    await db.execute({
      sql: "update pairings set expires_at = ? where id = ?",
      args: [Date.now() - 1, first.split("/").pop()!],
    });
  } finally {
    db.close();
  }
  await h.waitFor(
    "the code to expire on the page",
    async () => (await page.locator("#pairing-state").getAttribute("data-state")) === "expired",
  );
  expect(await page.locator("#pairing-state").innerText()).toContain("This code expired — make a new one");
  expect(await page.locator(".pair-qr").count()).toBe(0);
  await shot(page, "expired");
  await page.getByRole("button", { name: "Make a new code" }).click();
  await page.waitForURL((u) => u.pathname.startsWith("/devices/pairings/") && u.pathname !== first);
  await page.waitForSelector(".pair-qr [role=img]");
  expect(await page.locator("#pairing-state").getAttribute("data-state")).toBe("waiting");
});
