/**
 * A session that ends during an upload (#15), in Chromium through a relay as alice: the panel says
 * "Signed out — sign in to continue", sign-in happens in a new tab, and the upload resumes on the
 * same tus URL from the server's offset. The second PATCH is held by a Playwright route so nothing
 * depends on the machine's speed. (Ported from the uploads helper's branch.)
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page, Route } from "playwright-core";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { clickAndNavigate, SCREENSHOTS, seriousAxeViolations } from "./browser.ts";
import { aliceThroughRelay } from "./sign_in.ts";

let h: Harness;
let browser: Browser;
let page: Page;
let origin: string;

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"] });
  ({ browser, page, origin } = await aliceThroughRelay(h, ZONE, {
    context: { viewport: { width: 1200, height: 800 } },
  }));
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const rowState = (p: Page, text: string) =>
  p.locator(".fm-up", { hasText: text }).first().getAttribute("data-state");

/** Holds every upload PATCH after the first chunk (offset > 0) until released; other tus requests pass. */
async function holdLaterPatches(p: Page): Promise<{ held: Route[]; release(): Promise<void> }> {
  const held: Route[] = [];
  const pattern = "**/upload/tus/*";
  await p.route(pattern, async (route) => {
    const r = route.request();
    if (r.method() === "PATCH" && (await r.headerValue("upload-offset")) !== "0") held.push(route);
    else void route.continue();
  });
  return {
    held,
    release: async () => {
      await p.unroute(pattern);
      for (const r of held.splice(0)) await r.abort("connectionreset").catch(() => {});
    },
  };
}

test("signed out mid-upload: the panel offers sign-in in a new tab, then the upload resumes", async () => {
  await page.goto(`${origin}/browse`);
  const creations: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().endsWith("/upload/tus")) creations.push(r.url());
  });
  // Two chunks (the client sends 32 MiB per PATCH): the first goes through, the second is held.
  const size = 32 * 1024 * 1024 + 100_000;
  const hold = await holdLaterPatches(page);
  await page.locator("#fm-files").setInputFiles({
    name: "long.bin",
    mimeType: "application/octet-stream",
    buffer: Buffer.alloc(size, 7),
  });
  await h.waitFor("the second PATCH is held", () => hold.held.length === 1, 60_000);
  const patchOffsets: string[] = [];
  page.on("request", async (r) => {
    if (r.method() === "PATCH") patchOffsets.push((await r.headerValue("upload-offset")) ?? "");
  });
  await page.context().clearCookies(); // the session ends
  await hold.release();
  const notice = page.locator(".fm-up-auth");
  await notice.waitFor();
  expect(await notice.innerText()).toContain("Signed out — sign in to continue");
  expect(await seriousAxeViolations(page)).toEqual([]);
  await page.screenshot({ path: join(SCREENSHOTS, "upload-signed-out-desktop.png") });

  const [popup] = await Promise.all([
    page.context().waitForEvent("page"),
    notice.getByRole("button", { name: "Sign in" }).click(),
  ]);
  const account = h.accounts.find((a) => a.name === "alice")!;
  await popup.waitForURL((u) => u.pathname === "/login");
  await popup.fill('input[name="email"]', account.email);
  await popup.fill('input[name="password"]', account.password!);
  await clickAndNavigate(popup, 'form[action="/login"] button[type="submit"]');
  await popup.waitForURL((u) => u.origin === origin && !u.pathname.startsWith("/auth/"));
  await popup.close();

  await h.waitFor("done", async () => (await rowState(page, "long.bin")) === "done", 60_000);
  expect(await notice.count()).toBe(0);
  expect(creations).toHaveLength(1); // resumed on the same upload, not begun again
  // …from where it stopped: every PATCH after signing in starts past the first chunk.
  expect(patchOffsets.length).toBeGreaterThan(0);
  expect(patchOffsets.every((o) => Number(o) === 32 * 1024 * 1024)).toBe(true);
  await page.reload();
  expect(await page.locator("#listing .fm-open", { hasText: "long.bin" }).count()).toBe(1);
}, 180_000);
