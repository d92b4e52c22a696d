/**
 * Alice's shell in Chromium through a relay: Browse / Add / Settings, an import of a folder of
 * 200 files with live progress and a notification when it is done. Alice signs in for real:
 * her server sends the browser to IdCloud's login and back (OpenID Connect).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { restartUserWith } from "../testing/userserver_helpers.ts";
import { launchChromium, SCREENSHOTS, seriousAxeViolations } from "./browser.ts";
import { idResolverRule, signInAsOwner } from "./sign_in.ts";

let h: Harness;
let browser: Browser;
let page: Page;
let origin: string;
let root: string;
/** Bounded polls (no fixed sleeps): the element's text equals / contains `want`. */
const textIs = (l: Locator, want: string) =>
  h.waitFor(`text "${want}"`, async () => (await l.textContent({ timeout: 1000 }))?.trim() === want);
const textHas = (l: Locator, want: string) =>
  h.waitFor(
    `text containing "${want}"`,
    async () => (await l.textContent({ timeout: 1000 }))?.includes(want),
  );
const shot = (name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `shell-${name}.png`), fullPage: true });

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"] });
  root = join(h.baseDir, "import-root");
  mkdirSync(join(root, "Holiday 2024", "Beach"), { recursive: true });
  for (let i = 0; i < 200; i++) {
    const sub = i < 120 ? "Beach" : "";
    writeFileSync(
      join(root, "Holiday 2024", sub, `photo-${String(i).padStart(3, "0")}.txt`),
      `photo ${i} `.repeat(50 + i),
    );
  }
  mkdirSync(join(root, "Documents"));
  await restartUserWith(h, "alice", {
    importRoots: [root],
    importPauseMs: 20,
  });
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length === 1);
  const r = h.relay("relay-a");
  origin = `https://alice.${ZONE}:${r.browserPort}`;
  browser = await launchChromium({
    trustCaPem: h.caPem,
    resolverRules: [`MAP alice.${ZONE} ${r.browserAddresses[0]}`, idResolverRule(h, ZONE)],
  });
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  page = await context.newPage();
  await signInAsOwner(page, h, "alice", origin);
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

test("without a session the shell shows nothing: the browser is sent to sign in", async () => {
  const other = await browser.newPage();
  await other.goto(`${origin}/browse`);
  await other.waitForURL((u) => u.pathname === "/login");
  expect(new URL(other.url()).hostname).toBe(`id.${ZONE}`);
  expect(await other.content()).not.toContain("Your files");
  await other.close();
});

test("the shell and each tab", async () => {
  const res = await page.goto(`${origin}/`);
  expect(res?.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe("/browse");
  expect((await res!.securityDetails())?.subjectName).toBe(`alice.${ZONE}`);
  expect(await page.locator("nav.tabs a").allInnerTexts()).toEqual([
    "Browse",
    "Photos",
    "Add",
    "Friends",
    "Settings",
  ]);
  expect(await page.locator("h1").innerText()).toBe("Your files");
  await shot("browse-empty");

  await page.locator("nav.tabs a", { hasText: "Settings" }).click();
  await page.waitForURL(`${origin}/settings`);
  expect(await page.locator("#importRoots").inputValue()).toBe(root);
  expect(await page.locator('nav.tabs a[aria-current="page"]').innerText()).toBe("Settings");
  await shot("settings");

  await page.locator("nav.tabs a", { hasText: "Add" }).click();
  await page.waitForURL(`${origin}/add`);
  await textIs(page.locator("h1"), "Add files");
  await shot("add");

  await page.locator("nav.tabs a", { hasText: "Friends" }).click();
  await page.waitForURL(`${origin}/friends`);
  await textIs(page.locator("h1"), "Friends");
  expect(await seriousAxeViolations(page)).toEqual([]);
  await shot("friends");

  // Photos with no photos yet: says where they come from.
  await page.locator("nav.tabs a", { hasText: "Photos" }).click();
  await page.waitForURL(`${origin}/photos`);
  await page.locator(".ph-empty").waitFor();
  expect(await page.locator(".ph-empty").innerText()).toContain("No photos yet");
  expect(await seriousAxeViolations(page)).toEqual([]);
  await shot("photos-empty");
});

test("the account menu opens from the keyboard: who is signed in, IdCloud's pages, sign-out; no serious axe findings", async () => {
  await page.goto(`${origin}/browse`);
  await page.locator(".account-menu > summary").focus();
  await page.keyboard.press("Enter");
  const panel = page.locator(".account-panel");
  await panel.waitFor({ state: "visible" });
  expect(await panel.innerText()).toContain("Signed in as");
  const account = await page.locator(".account-panel a", { hasText: "Your Hearth account" }).getAttribute(
    "href",
  );
  expect(account).toBe(`https://id.${ZONE}:${new URL(h.cloudUrl).port}/account`);
  expect(await page.locator('.account-panel button[type="submit"]').innerText()).toBe("Sign out");
  await shot("account-menu");
  expect(await seriousAxeViolations(page)).toEqual([]);
  await page.keyboard.press("Escape");
});

test("Add imports 200 files with live progress, then a notification arrives", async () => {
  await page.goto(`${origin}/add`);
  // A path outside the roots is refused with a sentence.
  await page.fill("#path", "/etc");
  await page.click("form[action='/add'] button[type=submit] >> nth=0");
  await textHas(page.locator(".notice.error"), "is outside the import roots");

  await page.locator(".dirs a", { hasText: root }).click();
  await page.locator(`button[aria-label="Import ${join(root, "Holiday 2024")}"]`).click();
  await page.waitForURL(/\/add\/jobs\//);
  // Live: the file count rises while the page stays put (SSE swaps the panel).
  const counts = new Set<string>();
  await h.waitFor("the import to show progress", async () => {
    counts.add(await page.locator('[data-figure="files"]').innerText());
    return counts.size >= 3;
  }, 60_000);
  await shot("import-progress");
  await h.waitFor(
    "the import to finish",
    async () => (await page.locator("#job > div").getAttribute("data-status")) === "done",
    60_000,
  );
  expect(await page.locator('[data-figure="files"]').innerText()).toBe("200 / 200");
  // The bell's count arrives over SSE without a reload.
  await textIs(page.locator("#bell .count"), "1");
  await shot("import-done");

  await page.locator("#bell a").click();
  await page.waitForURL(`${origin}/notifications`);
  await textHas(page.locator(".notes li").first(), "Import finished: 200 files from Holiday 2024");
  await shot("notifications");
  await page.click("text=Mark all seen");
  await textIs(page.locator("#bell .count"), "0");

  await page.locator("nav.tabs a", { hasText: "Browse" }).click();
  await page.locator(".items a", { hasText: "Holiday 2024" }).click();
  await h.waitFor("the folder listing", async () => (await page.locator(".items li").count()) === 81); // Beach/ + 80 files
  await shot("browse-folder");
});

test("on a phone-sized screen in dark mode", async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 800 }, colorScheme: "dark" });
  await phone.addCookies(await page.context().cookies(origin)); // alice's session on her server
  const p = await phone.newPage();
  await p.goto(`${origin}/add`);
  await p.screenshot({ path: join(SCREENSHOTS, "shell-phone-dark-add.png"), fullPage: true });
  await p.goto(`${origin}/browse`);
  await p.screenshot({ path: join(SCREENSHOTS, "shell-phone-dark-browse.png"), fullPage: true });
  // Keyboard: the first Tab reaches the skip link, and it leads to the content.
  await p.keyboard.press("Tab");
  expect(await p.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
  await phone.close();
});
