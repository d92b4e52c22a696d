/**
 * Search in Chromium through a relay as alice: a file dropped into Browse is found by a word of its
 * text from the header's search box; the results page searches as you type and keeps the query in
 * the address; a result opens the file; once the file is in the trash, the same search finds nothing.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { SCREENSHOTS } from "./browser.ts";
import { aliceThroughRelay } from "./sign_in.ts";

let h: Harness;
let browser: Browser;
let page: Page;
let origin: string;
const shot = (name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `search-${name}.png`), fullPage: true });

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"] });
  ({ browser, page, origin } = await aliceThroughRelay(h, ZONE));
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const hitNames = () => page.locator("#search-results .hit-name").allInnerTexts();

test("find by content from the header, as you type, open; gone once trashed", async () => {
  await page.goto(`${origin}/browse`);
  const file = { name: "voyage-notes.txt", text: "Day one: the zanzibar itinerary, then the spice farms." };
  const dt = await page.evaluateHandle((f) => {
    const d = new DataTransfer();
    d.items.add(new File([f.text], f.name, { type: "text/plain" }));
    return d;
  }, file);
  await page.dispatchEvent("section.files", "drop", { dataTransfer: dt });
  await h.waitFor("the upload", async () => (await page.locator('.fm-up[data-state="done"]').count()) === 1);

  // The header's box: Enter opens the results page.
  await h.waitFor("indexed", async () => {
    await page.fill("#header-search-q", "zanzibar");
    await page.press("#header-search-q", "Enter");
    await page.waitForURL(/\/search\?q=zanzibar/);
    return (await hitNames()).includes(file.name);
  });
  expect(await page.locator("#search-results mark").first().innerText()).toBe("zanzibar");
  await shot("results");

  // As you type on the results page: the list and the address follow the words.
  await page.fill("#search-q", "");
  await page.locator("#search-q").pressSequentially("qqxz", { delay: 40 });
  await h.waitFor(
    "as-you-type: no match",
    async () => (await page.locator("#search-results").innerText()).includes("Nothing matches"),
  );
  await page.fill("#search-q", "");
  await page.locator("#search-q").pressSequentially("spice fa", { delay: 40 });
  await h.waitFor("as-you-type results", async () => (await hitNames()).includes(file.name));
  await h.waitFor("the address follows", () => Promise.resolve(/q=spice(\+|%20)fa/.test(page.url())));
  await page.locator("#search-q").pressSequentially("rmz", { delay: 40 });
  await h.waitFor(
    "no match",
    async () => (await page.locator("#search-results").innerText()).includes("Nothing matches"),
  );

  // Open the result, then trash it: the same search finds nothing at once.
  await page.goto(`${origin}/search?q=zanzibar`);
  await page.locator("#search-results a", { hasText: file.name }).click();
  await page.waitForURL(/\/browse\/[^/?]+$/);
  const id = page.url().split("/").at(-1)!;
  const status = await page.evaluate(async (itemId) => {
    const body = new URLSearchParams({ ids: itemId, back: "/browse" });
    const res = await fetch("/files/trash", { method: "POST", body, redirect: "manual" });
    return res.status;
  }, id);
  expect(status).toBeLessThan(400);
  await page.goto(`${origin}/search?q=zanzibar`);
  expect(await page.locator("#search-results").innerText()).toContain("Nothing matches");
  await shot("gone");
});
