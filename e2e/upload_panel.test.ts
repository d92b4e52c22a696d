/**
 * Upload feedback (#15) in Chromium through a relay as alice: the progress panel stays in view below
 * a long listing, each upload can be cancelled (the server drops its bytes), and offline an upload
 * says "offline — retrying" and completes once the network is back. The upload's PATCH is held
 * by a Playwright route, so nothing depends on how fast the machine is.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page, Route } from "playwright-core";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { SCREENSHOTS } from "./browser.ts";
import { aliceThroughRelay } from "./sign_in.ts";

let h: Harness;
let browser: Browser;
let page: Page;
let origin: string;
const shot = (name: string, p: Page = page) =>
  p.screenshot({ path: join(SCREENSHOTS, `upload-panel-${name}.png`) });

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

/** Holds every upload PATCH until released; other tus requests pass. */
async function holdPatches(p: Page): Promise<{ held: Route[]; release(): Promise<void> }> {
  const held: Route[] = [];
  const pattern = "**/upload/tus/*";
  await p.route(pattern, (route) => {
    if (route.request().method() === "PATCH") held.push(route);
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
const unfinishedCount = (p: Page) =>
  p.evaluate(async () => {
    const folder = document.querySelector<HTMLElement>("section.files[data-folder]")!.dataset.folder!;
    return ((await (await fetch(`/upload/unfinished/${folder}`)).json()) as { uploads: unknown[] }).uploads
      .length;
  });
const file = (name: string) => ({
  name,
  mimeType: "application/octet-stream",
  buffer: Buffer.alloc(200_000, 1),
});

test(
  "the panel is in view below a long listing; Cancel stops an upload and the server drops it",
  async () => {
    await page.goto(`${origin}/browse`);
    // A listing taller than the window (the New folder form's own request, 40 times).
    const made = await page.evaluate(async () => {
      const folder = document.querySelector<HTMLElement>("section.files[data-folder]")!.dataset.folder!;
      let ok = 0;
      for (let i = 0; i < 40; i++) {
        const name = `folder ${String(i).padStart(2, "0")}`;
        const res = await fetch(`/browse/${folder}/mkdir`, {
          method: "POST",
          body: new URLSearchParams({ name }),
        });
        if (res.ok) ok++;
      }
      return ok;
    });
    expect(made).toBe(40);
    await page.goto(`${origin}/browse`);
    expect(await page.evaluate(() => document.body.scrollHeight > innerHeight)).toBe(true);
    const hold = await holdPatches(page);
    await page.locator("#fm-files").setInputFiles(file("big.bin"));
    await h.waitFor("the PATCH is held", () => hold.held.length === 1);
    const row = page.locator(".fm-up", { hasText: "big.bin" });
    const box = (await page.locator("[data-fm-uploads]").boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(800);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(await row.getAttribute("data-state")).toBe("uploading");
    await shot("desktop");
    await row.getByRole("button", { name: /Cancel/ }).click();
    await h.waitFor("cancelled", async () => (await row.getAttribute("data-state")) === "cancelled");
    expect(await row.locator(".p").innerText()).toBe("cancelled");
    await hold.release();
    await h.waitFor("the server dropped it", async () => (await unfinishedCount(page)) === 0);
    expect(await page.locator(".fm-open", { hasText: "big.bin" }).count()).toBe(0);
  },
  120_000,
);

test("offline, an upload says so and finishes once the network is back", async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "dark" });
  await phone.addCookies(await page.context().cookies(origin));
  const p = await phone.newPage();
  await p.goto(`${origin}/browse`);
  const hold = await holdPatches(p);
  await p.locator("#fm-files").setInputFiles(file("trip.bin"));
  await h.waitFor("the PATCH is held", () => hold.held.length === 1);
  await phone.setOffline(true);
  const row = p.locator(".fm-up", { hasText: "trip.bin" });
  await h.waitFor(
    "offline shown",
    async () => (await row.locator(".p").innerText()) === "offline — retrying",
  );
  await shot("phone-dark-offline", p);
  await hold.release(); // the held request fails as the network would
  await phone.setOffline(false);
  await h.waitFor("done", async () => (await row.getAttribute("data-state")) === "done");
  await h.waitFor("listed", async () => (await p.locator(".fm-open", { hasText: "trip.bin" }).count()) === 1);
  await phone.close();
}, 120_000);
