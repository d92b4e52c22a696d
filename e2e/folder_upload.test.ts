/**
 * Folder upload and name clashes in Chromium through a relay as alice (issue #15): "Upload folder"
 * takes a whole folder (its tree recreated, empty sub-folders aside: the picker does not list
 * them), and uploading names that exist asks once — Keep both numbers the new files, Replace puts
 * the old ones in the trash. Phone and desktop screenshots of the question, axe on it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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
  ({ browser, page, origin } = await aliceThroughRelay(h, ZONE));
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

/** The names in the listing of the folder the page shows. */
const names = async (p: Page) =>
  (await p.locator("ul.items li a.name, ul.items li .name").allInnerTexts()).map((t) => t.trim());
/** Names in a folder of alice's, by path from Home ("" is Home), as the server lists them. */
async function namesIn(p: Page, path: string): Promise<string[]> {
  return await p.evaluate(async (path) => {
    let url = "/browse";
    for (const part of path.split("/").filter(Boolean)) {
      const html = await (await fetch(url)).text();
      const doc = new DOMParser().parseFromString(html, "text/html");
      const link = [...doc.querySelectorAll<HTMLAnchorElement>("a.fm-open")].find((a) =>
        a.textContent?.trim() === part
      );
      if (!link) return [`(no ${part})`];
      url = link.getAttribute("href")!;
    }
    const doc = new DOMParser().parseFromString(await (await fetch(url)).text(), "text/html");
    return [...doc.querySelectorAll("a.fm-open")].map((a) => a.textContent!.trim()).sort();
  }, path);
}
const rowState = (p: Page, text: string) =>
  p.locator(".fm-up", { hasText: text }).first().getAttribute("data-state");

/** Waits until every upload in the panel is done, then shows the folder afresh; answers its names. */
async function afterUploads(p: Page): Promise<string[]> {
  await h.waitFor("the uploads to finish", async () =>
    (await p.locator(".fm-up").count()) > 0 &&
    (await p.locator('.fm-up:not([data-state="done"])').count()) === 0);
  await p.reload();
  return await names(p);
}

test("Upload folder recreates the chosen folder's tree", async () => {
  const root = mkdtempSync(join(tmpdir(), "hearth-pick-"));
  const trip = join(root, "Trip");
  mkdirSync(join(trip, "Day 1"), { recursive: true });
  mkdirSync(join(trip, "Day 2"), { recursive: true });
  writeFileSync(join(trip, "plan.txt"), "the plan");
  writeFileSync(join(trip, "Day 1", "beach.txt"), "sand");
  writeFileSync(join(trip, "Day 2", "hill.txt"), "grass");
  await page.goto(`${origin}/browse`);
  const storedBefore = await page.locator("#fm-usage").innerText();
  await page.locator("#fm-folder-files").setInputFiles(trip);
  await h.waitFor(
    "the three uploads",
    async () => (await page.locator('.fm-up[data-state="done"]').count()) === 3,
  );
  // The "… stored" figure follows without a reload.
  await h.waitFor(
    "the stored figure to follow",
    async () => (await page.locator("#fm-usage").innerText()) !== storedBefore,
  );
  expect(await afterUploads(page)).toContain("Trip");
  await page.getByRole("link", { name: "Trip", exact: true }).first().click();
  await h.waitFor("Trip's listing", async () => (await names(page)).includes("Day 1"));
  expect((await names(page)).sort()).toEqual(["Day 1", "Day 2", "plan.txt"]);
  await page.getByRole("link", { name: "Day 1", exact: true }).first().click();
  await h.waitFor("Day 1's listing", async () => (await names(page)).includes("beach.txt"));
}, 120_000);

for (
  const [viewport, label] of [[{ width: 390, height: 844 }, "phone"], [
    { width: 1200, height: 800 },
    "desktop",
  ]] as const
) {
  test(`a taken name asks once: keep both, then replace (${label})`, async () => {
    const p = await page.context().newPage();
    await p.setViewportSize(viewport);
    await p.emulateMedia({ colorScheme: label === "phone" ? "dark" : "light" });
    await p.goto(`${origin}/browse`);
    const name = `report-${label}.txt`;
    const file = (text: string) => ({ name, mimeType: "text/plain", buffer: Buffer.from(text) });
    await p.locator("#fm-files").setInputFiles(file("one"));
    expect(await afterUploads(p)).toContain(name);
    // Again: the question, Keep both.
    await p.locator("#fm-files").setInputFiles(file("two"));
    const dialog = p.getByRole("dialog");
    await h.waitFor("the question", () => dialog.isVisible());
    expect(await dialog.innerText()).toContain(`“${name}” already exists here`);
    expect(await seriousAxeViolations(p)).toEqual([]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await p.screenshot({ path: join(SCREENSHOTS, `upload-clash-${label}.png`) });
    await dialog.getByRole("button", { name: "Keep both" }).click();
    expect(await afterUploads(p)).toContain(name.replace(".txt", " (2).txt"));
    // Once more: Replace — the name stays single, the old file goes to the trash.
    await p.locator("#fm-files").setInputFiles(file("three"));
    await h.waitFor("the question", () => dialog.isVisible());
    await dialog.getByRole("button", { name: "Replace" }).click();
    expect((await afterUploads(p)).filter((n) => n === name)).toHaveLength(1);
    await h.waitFor("the replaced file in the trash", async () => {
      await p.goto(`${origin}/trash`);
      return (await p.locator("main").innerText()).includes(name);
    });
    await p.goto(`${origin}/browse`);
    expect((await names(p)).filter((n) => n === name)).toHaveLength(1);
    await p.close();
  }, 120_000);
}

// Ported from the uploads helper's branch (up15), against this implementation.
test(
  "a dropped folder is read whole (empty subfolders too); a hostile name fails on its own row",
  async () => {
    await page.goto(`${origin}/browse`);
    // Chromium's drop of a real folder cannot be scripted; the drop event carries entries that act
    // as the browser's do (readEntries answers in batches of two, then an empty one).
    await page.evaluate(() => {
      type Fake = Record<string, unknown>;
      const file = (name: string, text: string): Fake => ({
        name,
        isFile: true,
        isDirectory: false,
        file: (ok: (f: File) => void) => ok(new File([text], name)),
      });
      const dir = (name: string, children: Fake[]): Fake => ({
        name,
        isFile: false,
        isDirectory: true,
        createReader: () => {
          let at = 0;
          return {
            readEntries: (ok: (e: Fake[]) => void) => {
              const batch = children.slice(at, at + 2);
              at += batch.length;
              setTimeout(() => ok(batch), 0);
            },
          };
        },
      });
      const tree = dir("album", [
        file("1.txt", "one"),
        file("2.txt", "two"),
        file("3.txt", "three"),
        dir("empty", []),
        dir("sub", [file("4.txt", "four"), file("../escape.txt", "bad")]),
      ]);
      const items = [{ kind: "file", webkitGetAsEntry: () => tree }];
      const ev = new DragEvent("drop", { bubbles: true, cancelable: true });
      Object.defineProperty(ev, "dataTransfer", {
        value: { items, files: [], types: ["Files"] },
      });
      document.querySelector("section.files")!.dispatchEvent(ev);
    });
    for (const name of ["album/1.txt", "album/2.txt", "album/3.txt", "album/sub/4.txt"]) {
      await h.waitFor(`${name} done`, async () => (await rowState(page, name)) === "done");
    }
    const bad = page.locator(".fm-up", { hasText: "escape.txt" });
    await h.waitFor("escape refused", async () => (await bad.getAttribute("data-state")) === "error");
    expect(await bad.locator(".p").innerText()).toContain("failed:");
    expect(await seriousAxeViolations(page)).toEqual([]); // the panel with done and failed rows
    expect(await namesIn(page, "album")).toEqual(["1.txt", "2.txt", "3.txt", "empty", "sub"]);
    expect(await namesIn(page, "album/sub")).toEqual(["4.txt"]);
    expect(await namesIn(page, "album/empty")).toEqual([]);
    expect((await namesIn(page, "")).some((n) => n.includes("escape"))).toBe(false);
  },
  120_000,
);
