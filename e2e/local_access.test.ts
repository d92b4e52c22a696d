/**
 * Chromium on the machine that runs alice's server (issue #21): signed in through a relay, her
 * account menu offers "Open on this computer" only once the local listener answered the page's
 * challenge; following it, she signs in there with Hearth ID (the challenge confirmed at IdCloud)
 * and lands in Browse served directly; a file's page offers "Open with the default application",
 * which hands a copy to the desktop's opener. axe on the local sign-in and Browse pages.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { clickAndNavigate, SCREENSHOTS, seriousAxeViolations } from "./browser.ts";
import { aliceThroughRelay } from "./sign_in.ts";

let h: Harness;
let browser: Browser;
let page: Page;
let origin: string;
let localOrigin: string;
// The desktop's opener, replaced: it writes down what it was asked to open.
const openerDir = mkdtempSync(join(tmpdir(), "hearth-opener-"));
const opened = join(openerDir, "opened.txt");

beforeAll(async () => {
  const opener = join(openerDir, "opener.sh");
  writeFileSync(opener, `#!/bin/sh\ncat "$1" > "${opened}.content"\nprintf '%s' "$1" > "${opened}"\n`);
  chmodSync(opener, 0o755);
  process.env.HEARTH_OPENER = opener; // the stack passes the environment to alice's server
  h = await startHarness({ relays: 1, users: ["alice"] });
  localOrigin = `https://local.alice.${ZONE}:${h.user("alice").localPort}`;
  ({ browser, page, origin } = await aliceThroughRelay(h, ZONE, {
    resolverRules: [`MAP local.alice.${ZONE} 127.0.0.1`],
  }));
}, 120_000);
afterAll(async () => {
  delete process.env.HEARTH_OPENER;
  await browser?.close();
  await h?.stop();
});

const shot = (name: string) => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return page.screenshot({ path: join(SCREENSHOTS, `local-${name}.png`), fullPage: true });
};

test("the relayed page finds this computer's local listener and offers the direct way in", async () => {
  await page.goto(`${origin}/browse`);
  const item = page.locator("#open-locally");
  await h.waitFor(
    "the probe to answer",
    async () => !(await item.getAttribute("hidden").then((v) => v !== null)),
  );
  await page.locator(".account-menu summary").click();
  const link = item.getByRole("link", { name: /Open on this computer/ });
  expect(await link.getAttribute("href")).toBe(`${localOrigin}/browse`);
  expect(await seriousAxeViolations(page)).toEqual([]);
  await shot("menu");
});

test("signing in there with Hearth ID, then Browse and a file's page are served directly", async () => {
  await page.goto(`${origin}/browse`);
  const root = await page.locator("section.files[data-folder]").getAttribute("data-folder");
  await page.evaluate(async (root) => {
    const form = new FormData();
    form.append("files", new File(["opened on this computer"], "letter.txt", { type: "text/plain" }));
    await fetch(`/browse/${root}/upload`, { method: "POST", body: form });
  }, root);
  await page.goto(`${localOrigin}/browse`);
  await page.waitForURL((u) => u.origin === localOrigin && u.pathname === "/local/signin");
  expect(await seriousAxeViolations(page)).toEqual([]);
  await shot("signin");
  await clickAndNavigate(page, 'form[action="/local/challenge"] button');
  // IdCloud asks alice (signed in there by the relayed sign-in) to confirm.
  await page.waitForURL((u) => u.pathname.startsWith("/local/confirm/"));
  expect(await page.locator("h1").innerText()).toContain("Sign in on this computer?");
  await clickAndNavigate(page, 'form[action^="/local/confirm/"] button');
  await page.waitForURL((u) => u.origin === localOrigin && u.pathname === "/browse");
  const row = page.getByRole("link", { name: "letter.txt" });
  expect(await row.count()).toBeGreaterThan(0);
  expect(await page.locator(".account-panel").textContent()).toContain("On this computer");
  expect(await seriousAxeViolations(page)).toEqual([]);
  await shot("browse");
  await clickAndNavigate(page, 'a:text-is("letter.txt")');
  const fileId = new URL(page.url()).pathname.split("/").at(-1)!;
  await clickAndNavigate(page, "text=Open with the default application");
  expect(await page.getByRole("status").innerText()).toContain("Opened with the default application");
  await h.waitFor("the opener to run", () => {
    try {
      return readFileSync(`${opened}.content`, "utf8") === "opened on this computer";
    } catch {
      return false;
    }
  });
  expect(readFileSync(opened, "utf8")).toEndWith("/letter.txt");
  // Never through the relay: the route does not exist there.
  await page.goto(`${origin}/browse`);
  const throughRelay = await page.evaluate(
    async (id) => (await fetch(`/local/open-with/${id}`, { method: "POST" })).status,
    fileId,
  );
  expect(throughRelay).toBe(404);
}, 120_000);
