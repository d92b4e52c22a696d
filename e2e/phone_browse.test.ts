/**
 * Browse on a phone (#15), in Chromium through a relay as alice at 390×844: the first files show in
 * the top third of the screen (one header row, tabs at the bottom, one row of places, Upload and
 * More in the toolbar); "More" holds a new folder, the folder upload, the zip, sort and view. Light
 * and dark screenshots, axe with the menu open, touch targets at least 24×24 px.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { SCREENSHOTS, seriousAxeViolations } from "./browser.ts";
import { aliceThroughRelay } from "./sign_in.ts";

let h: Harness;
let browser: Browser;
let page: Page;
let origin: string;

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"] });
  ({ browser, page, origin } = await aliceThroughRelay(h, ZONE, {
    context: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  }));
  await page.goto(`${origin}/browse`);
  await page.evaluate(async () => {
    const root = document.querySelector<HTMLElement>("section.files[data-folder]")!.dataset.folder!;
    const form = new FormData();
    for (const n of ["budget.xlsx", "notes.txt", "photo.jpg", "plan.pdf"]) {
      form.append("files", new File([n], n));
    }
    await fetch(`/browse/${root}/upload`, { method: "POST", body: form });
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

for (const scheme of ["light", "dark"] as const) {
  test(`the first files are in the top third of the screen (${scheme})`, async () => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${origin}/browse`);
    const first = page.locator("#listing .items li").first();
    const box = (await first.boundingBox())!;
    await page.screenshot({ path: join(SCREENSHOTS, `phone-browse-${scheme}.png`) });
    expect(box.y).toBeLessThan(844 / 3);
    // The tabs are at the bottom of the screen, in reach of a thumb.
    const tabs = (await page.locator("nav.tabs").boundingBox())!;
    expect(tabs.y + tabs.height).toBeGreaterThan(800);
    // Touch targets: the toolbar's and the tabs' controls are at least 24×24 px.
    for (const sel of ["label[for=fm-files]", ".fm-more > summary", "nav.tabs a", ".fm-places a"]) {
      const b = (await page.locator(sel).first().boundingBox())!;
      expect([sel, b.width >= 24 && b.height >= 24]).toEqual([sel, true]);
    }
  });
}

test("More holds a new folder, the zip, sort and view; axe finds nothing serious with it open", async () => {
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto(`${origin}/browse`);
  await page.locator(".fm-more > summary").click();
  const panel = page.locator(".fm-more-panel");
  await h.waitFor("the menu", () => panel.isVisible());
  expect(await panel.innerText()).toContain("Download as zip");
  expect(await seriousAxeViolations(page)).toEqual([]);
  await page.screenshot({ path: join(SCREENSHOTS, "phone-browse-more.png") });
  await panel.getByRole("link", { name: /Size/ }).click();
  await h.waitFor("sorted by size", () => new URL(page.url()).searchParams.get("sort") === "size");
  await page.locator(".fm-more > summary").click();
  await panel.getByRole("button", { name: "New folder" }).click();
  await page.fill("#fm-ask", "From my phone");
  await page.locator("#fm-dialog button[type=submit]").click();
  await h.waitFor(
    "the new folder",
    async () => (await page.locator("#listing .fm-open").allInnerTexts()).includes("From my phone"),
  );
});
