/**
 * Search in Chromium through a relay as alice: a file dropped into Browse is found by a word of its
 * text from the header's search box; the results page searches as you type and keeps the query in
 * the address; a result opens the file; once the file is in the trash, the same search finds nothing.
 * The keyboard: the header box's suggestions (a combobox) and the results page (roving focus over the
 * result links) are walked with the arrows, opened with Enter, closed with Escape; axe on both.
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

/** Drops text files into Browse's root and waits for their uploads. */
async function dropIntoBrowse(files: Array<{ name: string; text: string }>): Promise<void> {
  await page.goto(`${origin}/browse`);
  const dt = await page.evaluateHandle((fs) => {
    const d = new DataTransfer();
    for (const f of fs) d.items.add(new File([f.text], f.name, { type: "text/plain" }));
    return d;
  }, files);
  await page.dispatchEvent("section.files", "drop", { dataTransfer: dt });
  await h.waitFor(
    "the uploads",
    async () => (await page.locator('.fm-up[data-state="done"]').count()) === files.length,
  );
}

const hitNames = () => page.locator("#search-results .hit-name").allInnerTexts();

test("find by content from the header, as you type, open; gone once trashed", async () => {
  const file = { name: "voyage-notes.txt", text: "Day one: the zanzibar itinerary, then the spice farms." };
  await dropIntoBrowse([file]);

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

test("the keyboard: header suggestions as a combobox, the results page with roving focus", async () => {
  const files = [
    { name: "kestrel-survey.txt", text: "Counted the kestrel pair on the ridge." },
    { name: "kestrel-nest.txt", text: "A kestrel nest box by the barn." },
  ];
  await dropIntoBrowse(files);
  await h.waitFor("both indexed", async () => {
    const list = await page.evaluate(() => fetch("/search/suggest?q=kestrel").then((r) => r.text()));
    return files.every((f) => list.includes(f.name));
  });

  // The header: typing shows the list; the arrows move the active option while focus stays in the box.
  const box = page.locator("#header-search-q");
  const list = page.locator("#header-search-list");
  const options = list.locator('[role="option"]');
  await page.goto(`${origin}/browse`);
  await box.focus();
  await box.pressSequentially("kestrel", { delay: 30 });
  await list.waitFor({ state: "visible" });
  expect(await options.count()).toBe(3); // two files, then "All results"
  expect(await box.getAttribute("aria-expanded")).toBe("true");
  const active = () => box.getAttribute("aria-activedescendant");
  const focusedId = () => page.evaluate(() => document.activeElement?.id ?? "");
  await page.keyboard.press("ArrowDown");
  expect(await active()).toBe(await options.nth(0).getAttribute("id"));
  expect(await options.nth(0).getAttribute("aria-selected")).toBe("true");
  await page.keyboard.press("ArrowDown");
  expect(await active()).toBe(await options.nth(1).getAttribute("id"));
  expect(await options.nth(0).getAttribute("aria-selected")).toBe("false");
  await page.keyboard.press("ArrowUp");
  expect(await active()).toBe(await options.nth(0).getAttribute("id"));
  expect(await focusedId()).toBe("header-search-q");
  await shot("suggestions");
  expect(await seriousAxeViolations(page)).toEqual([]);

  // Escape closes the list and keeps the words and the focus; ArrowDown opens it again.
  await page.keyboard.press("Escape");
  await list.waitFor({ state: "hidden" });
  expect(await box.getAttribute("aria-expanded")).toBe("false");
  expect(await active()).toBeNull();
  expect(await box.inputValue()).toBe("kestrel");
  expect(await focusedId()).toBe("header-search-q");
  await page.keyboard.press("ArrowDown");
  await list.waitFor({ state: "visible" });
  const first = (await options.nth(0).getAttribute("href"))!;
  expect(first).toMatch(/^\/browse\/[^/]+$/);
  await page.keyboard.press("Enter");
  await page.waitForURL((u) => u.pathname === first);

  // "All results" (the last option, ArrowUp from the box) opens the results page.
  await box.focus();
  await box.pressSequentially("kestrel", { delay: 30 });
  await list.waitFor({ state: "visible" });
  await page.keyboard.press("ArrowUp");
  expect(await active()).toBe("header-search-list-all");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/search\?q=kestrel$/);

  // The results page: ArrowDown from the box to the results, between them, ArrowUp/Escape back.
  const links = page.locator("#search-results a");
  await h.waitFor("two results", async () => (await links.count()) === 2);
  await page.locator("#search-q").focus();
  const focusedHref = () => page.evaluate(() => document.activeElement?.getAttribute("href") ?? "");
  const hrefOf = async (i: number) => (await links.nth(i).getAttribute("href")) ?? "missing";
  await page.keyboard.press("ArrowDown");
  expect(await focusedHref()).toBe(await hrefOf(0));
  await page.keyboard.press("ArrowDown");
  expect(await focusedHref()).toBe(await hrefOf(1));
  await page.keyboard.press("ArrowDown"); // the last stays
  expect(await focusedHref()).toBe(await hrefOf(1));
  await page.keyboard.press("ArrowUp");
  expect(await focusedHref()).toBe(await hrefOf(0));
  await page.keyboard.press("ArrowUp");
  expect(await focusedId()).toBe("search-q");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Escape");
  expect(await focusedId()).toBe("search-q");
  expect(await seriousAxeViolations(page)).toEqual([]);
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  const second = await hrefOf(1);
  await page.keyboard.press("Enter");
  await page.waitForURL((u) => u.pathname === second);
});
