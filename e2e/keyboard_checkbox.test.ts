/**
 * Shortcuts with a row's checkbox focused, and F2 on the ticked item (#15), in Chromium through a
 * relay as alice (signed in through IdCloud).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
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
  await page.goto(`${origin}/browse`);
  const made = await page.evaluate(async () => {
    const folder = document.querySelector<HTMLElement>("section.files[data-folder]")!.dataset.folder!;
    let ok = 0;
    for (const name of ["alpha", "beta", "gamma"]) {
      const res = await fetch(`/browse/${folder}/mkdir`, {
        method: "POST",
        body: new URLSearchParams({ name }),
      });
      if (res.ok) ok++;
    }
    return ok;
  });
  expect(made).toBe(3);
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const focusedName = () =>
  page.evaluate(() =>
    document.activeElement?.closest("#listing .items > li")?.querySelector(".fm-open")?.textContent
  );
const row = (name: string) => page.locator("#listing .items > li", { hasText: name });

test("with a row's checkbox focused, j moves down and x toggles it", async () => {
  await page.goto(`${origin}/browse`);
  await h.waitFor("files.js", () => page.evaluate(() => "hearthFiles" in globalThis));
  await row("alpha").locator(".fm-check").focus();
  expect(await focusedName()).toBe("alpha");
  await page.keyboard.press("j");
  expect(await focusedName()).toBe("beta");
  await row("beta").locator(".fm-check").focus();
  await page.keyboard.press("x");
  expect(await row("beta").locator(".fm-check").isChecked()).toBe(true);
  await page.keyboard.press("Escape");
  expect(await row("beta").locator(".fm-check").isChecked()).toBe(false);
}, 60_000);

test("F2 renames the one ticked item, not the focused row", async () => {
  await page.goto(`${origin}/browse`);
  await h.waitFor("files.js", () => page.evaluate(() => "hearthFiles" in globalThis));
  await row("gamma").locator(".fm-check").check();
  await row("alpha").locator(".fm-open").focus();
  await page.keyboard.press("F2");
  await h.waitFor(
    "the rename dialog",
    () => page.locator("#fm-dialog").evaluate((d: HTMLDialogElement) => d.open),
  );
  expect(await page.locator("#fm-ask").inputValue()).toBe("gamma");
  await page.keyboard.press("Escape");
  // Nothing ticked: the focused row.
  await row("gamma").locator(".fm-check").uncheck();
  await row("beta").locator(".fm-open").focus();
  await page.keyboard.press("F2");
  await h.waitFor(
    "the rename dialog",
    () => page.locator("#fm-dialog").evaluate((d: HTMLDialogElement) => d.open),
  );
  expect(await page.locator("#fm-ask").inputValue()).toBe("beta");
}, 60_000);
