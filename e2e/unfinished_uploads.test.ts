/**
 * Uploads that did not finish (#15), in Chromium through a relay as alice (signed in through IdCloud):
 * after a reload Browse lists an interrupted upload with how much arrived and "choose the file
 * again to resume", Discard removes it on the server; a refused upload says why in text.
 * Screenshots on desktop (light) and phone (dark).
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
const shot = (name: string, p: Page = page) =>
  p.screenshot({ path: join(SCREENSHOTS, `unfinished-${name}.png`), fullPage: true });

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

/** Starts a tus upload of `size` bytes into the folder on screen and sends only `sent` of them. */
function beginUpload(p: Page, name: string, size: number, sent: number): Promise<string> {
  return p.evaluate(async ({ name, size, sent }) => {
    const folder = document.querySelector<HTMLElement>("section.files[data-folder]")!.dataset.folder!;
    const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
    const created = await fetch("/upload/tus", {
      method: "POST",
      headers: {
        "tus-resumable": "1.0.0",
        "upload-length": String(size),
        "upload-metadata": `filename ${b64(name)},parent ${b64(folder)}`,
      },
    });
    const url = created.headers.get("location")!;
    const patched = await fetch(url, {
      method: "PATCH",
      headers: {
        "tus-resumable": "1.0.0",
        "upload-offset": "0",
        "content-type": "application/offset+octet-stream",
      },
      body: new Uint8Array(sent),
    });
    return `${created.status} ${patched.status} ${url}`;
  }, { name, size, sent });
}

test("an interrupted upload is listed after a reload and can be discarded", async () => {
  await page.goto(`${origin}/browse`);
  expect(await page.locator("[data-fm-unfinished]").count()).toBe(0);
  const answer = await beginUpload(page, "holiday video.mp4", 3_000_000, 1_000_000);
  expect(answer).toMatch(/^201 204 /);
  await page.reload();
  const rows = page.locator(".fm-unfinished-row");
  await h.waitFor("the unfinished upload", async () => (await rows.count()) === 1);
  expect(await page.locator(".fm-unfinished p").innerText()).toBe("1 unfinished upload");
  const text = await rows.first().innerText();
  expect(text).toContain("holiday video.mp4");
  expect(text).toContain("choose the file again to resume");
  expect(text).toMatch(/1M?B? of 3/);
  expect(await seriousAxeViolations(page)).toEqual([]);
  await shot("desktop-light");

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "dark" });
  await phone.addCookies(await page.context().cookies(origin));
  const p = await phone.newPage();
  await p.goto(`${origin}/browse`);
  await h.waitFor("listed on the phone", async () => (await p.locator(".fm-unfinished-row").count()) === 1);
  await shot("phone-dark", p);
  await phone.close();

  await rows.first().getByRole("button", { name: /Discard/ }).click();
  await h.waitFor("discarded", async () => (await page.locator("[data-fm-unfinished]").count()) === 0);
  await page.reload();
  await page.locator("section.files").waitFor();
  const left = await page.evaluate(async () => {
    const folder = document.querySelector<HTMLElement>("section.files[data-folder]")!.dataset.folder!;
    return ((await (await fetch(`/upload/unfinished/${folder}`)).json()) as { uploads: unknown[] }).uploads
      .length;
  });
  expect(left).toBe(0);
}, 90_000);

test("a refused upload says why in text, not only in a tooltip", async () => {
  await page.goto(`${origin}/browse`);
  await page.locator("#fm-files").setInputFiles({
    name: " leading space.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("hello"),
  });
  const failed = page.locator('.fm-up[data-state="error"] .p');
  await h.waitFor("the failure", async () => (await failed.count()) === 1);
  expect(await failed.innerText()).toContain("cannot start or end with a space");
  await shot("failed");
}, 60_000);
