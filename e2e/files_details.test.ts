/**
 * The file manager's smaller rough edges, each as a new user met them, in Chromium through a relay
 * as alice: icon view kept in a subfolder, first and last page, counts in words, a selection as
 * one zip, Trash saying where things came from, a notice shown once, a way home from "Not found",
 * a favicon, TypeScript named as such, readable primary buttons in both themes and the Upload
 * button's focus ring.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
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
    context: { viewport: { width: 1200, height: 800 }, acceptDownloads: true },
  }));
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const rowNames = () => page.locator("#listing .fm-open").allInnerTexts();
const countText = () => page.locator("[data-fm-count]").innerText();

/** A folder in `parent` (a folder id, or Home) with these small text files; its id. */
function makeFolder(name: string, files: string[], parent?: string): Promise<string> {
  return page.evaluate(async ([name, files, parent]) => {
    const root = parent || document.querySelector<HTMLElement>("section.files[data-folder]")!.dataset.folder!;
    await fetch(`/browse/${root}/mkdir`, { method: "POST", body: new URLSearchParams({ name }) });
    const html = await (await fetch(parent ? `/browse/${parent}` : "/browse")).text();
    const id = new RegExp(`href="/browse/([A-Za-z0-9_-]+)(?:\\?view=icons)?"[^>]*>${name}<`).exec(html)![1]!;
    if (files.length > 0) {
      const form = new FormData();
      for (const f of files) form.append("files", new File([`this is ${f}`], f, { type: "text/plain" }));
      await fetch(`/browse/${id}/upload`, { method: "POST", body: form });
    }
    return id;
  }, [name, files, parent ?? ""] as const);
}

test("icon view stays in a subfolder; first and last page; counts in words", async () => {
  await page.goto(`${origin}/browse`);
  const many = Array.from({ length: 130 }, (_, i) => `page-${String(i).padStart(3, "0")}.txt`);
  const album = await makeFolder("Album", many);
  const inner = await makeFolder("Inner", [], album);
  const single = await makeFolder("Single", ["only.txt"], album);

  // Icon view, then into a subfolder: still icons.
  await page.goto(`${origin}/browse/${album}`);
  await page.click('.fm-views a[title="Icon view"]');
  await h.waitFor(
    "icon view",
    async () => (await page.locator("#listing").getAttribute("class"))!.includes("fm-icons"),
  );
  await page.locator(".fm-open", { hasText: "Inner" }).click();
  await page.waitForURL((u) => u.pathname === `/browse/${inner}`);
  expect(new URL(page.url()).searchParams.get("view")).toBe("icons");
  expect(await page.locator("#listing").getAttribute("class")).toContain("fm-icons");
  // An empty folder says so in words (it once said "0–0 of 0 items").
  expect(await countText()).toBe("No items");
  await page.goto(`${origin}/browse/${single}`);
  expect(await countText()).toBe("1 item");

  // 132 items: the pager jumps to the last page and back to the first.
  await page.goto(`${origin}/browse/${album}`);
  expect(await countText()).toMatch(/^1–\d+ of 132 items/);
  const pager = page.locator(".fm-pager");
  expect(await pager.innerText()).toContain("Page 1 of 2");
  expect(await pager.locator('a[title="First page"]').count()).toBe(0);
  const firstRows = await rowNames();
  await pager.locator('a[title="Last page"]').click();
  await h.waitFor("the last page", async () => (await pager.innerText()).includes("Page 2 of 2"));
  const lastRows = await rowNames();
  expect(lastRows).toContain("page-129.txt");
  expect(lastRows.some((n) => firstRows.includes(n))).toBe(false);
  expect(firstRows.length + lastRows.length).toBe(132);
  await pager.locator('a[title="First page"]').click();
  await h.waitFor("the first page", async () => (await pager.innerText()).includes("Page 1 of 2"));
  expect(await rowNames()).toEqual(firstRows);
});

test("a selection downloads as one zip; a notice shows once; Trash says where each item came from", async () => {
  await page.goto(`${origin}/browse`);
  const docs = await makeFolder("Docs", ["a.txt", "b.txt", "c.txt"]);
  await page.goto(`${origin}/browse/${docs}`);
  await page.check('input[aria-label="Select a.txt"]');
  await page.check('input[aria-label="Select c.txt"]');
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.locator("#fm-sel").getByRole("button", { name: "Download" }).click(),
  ]);
  const zipPath = (await download.path())!;
  const names = execFileSync("python3", [
    "-c",
    "import zipfile,sys,json; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(json.dumps(sorted(z.namelist())))",
    zipPath,
  ]).toString();
  expect(JSON.parse(names)).toEqual(["a.txt", "c.txt"]);

  // Rename b.txt on its page: the notice shows once, and not from the address.
  await page.goto(`${origin}/browse/${docs}`);
  await page.locator(".fm-open", { hasText: "b.txt" }).click();
  await page.waitForURL(/\/browse\/[^/?]+$/);
  await page.fill("#fm-rename", "bee.txt");
  await page.click(".fm-rename button[type=submit]");
  await h.waitFor("the new name", async () => (await page.locator("h1").innerText()) === "bee.txt");
  const notice = page.locator(".notice.ok");
  expect(await notice.count()).toBe(1);
  expect(page.url()).not.toContain("ok=");
  await page.reload();
  expect(await page.locator("h1").innerText()).toBe("bee.txt");
  expect(await page.locator(".notice.ok").count()).toBe(0);

  // Into the trash from Docs: the trash links back to Docs.
  await page.goto(`${origin}/browse/${docs}`);
  await page.check('input[aria-label="Select bee.txt"]');
  await page.locator("#fm-sel").getByRole("button", { name: "Delete" }).click();
  await h.waitFor("bee.txt gone", async () => !(await rowNames()).includes("bee.txt"));
  await page.goto(`${origin}/trash`);
  const row = page.locator(".fm-trash li", { hasText: "bee.txt" });
  expect(await row.locator(".fm-from").innerText()).toBe("from Home / Docs");
  expect(await row.locator(".fm-from a").getAttribute("href")).toBe(`/browse/${docs}`);
});

/** WCAG contrast ratio of two `rgb(…)` colours. */
function contrast(fg: string, bg: string): number {
  const lum = (c: string) => {
    const [r, g, b] = c.match(/[\d.]+/g)!.slice(0, 3).map(Number).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a! + 0.05) / (b! + 0.05);
}

test("Not found has a way home; a favicon; .ts is TypeScript; primary buttons readable in both themes; Upload's focus ring", async () => {
  const res = await page.goto(`${origin}/browse/NoSuchItem00000000000`);
  expect(res?.status()).toBe(404);
  expect(await page.locator("main h1").innerText()).toBe("Not found");
  await page.getByRole("link", { name: "Back to your files" }).click();
  await page.waitForURL((u) => u.pathname === "/browse");
  expect(await page.locator('link[rel="icon"]').count()).toBe(1);

  // A TypeScript file is named as one (it once said text/javascript).
  const id = await page.evaluate(async () => {
    const root = document.querySelector<HTMLElement>("section.files[data-folder]")!.dataset.folder!;
    const form = new FormData();
    form.append("files", new File(["export const x: number = 1;\n"], "util.ts"));
    await fetch(`/browse/${root}/upload`, { method: "POST", body: form });
    const html = await (await fetch("/browse")).text();
    return /href="\/browse\/([A-Za-z0-9_-]+)"[^>]*>util\.ts</.exec(html)![1]!;
  });
  await page.goto(`${origin}/browse/${id}`);
  const about = await page.locator("main").innerText();
  expect(about).toContain("typescript");
  expect(about).not.toContain("javascript");

  await page.goto(`${origin}/browse`);
  const upload = page.locator('label.button[for="fm-files"]');
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.mouse.move(0, 0); // not hovering
    await page.waitForTimeout(300); // the buttons' .15 s colour transition
    const { color, background } = await upload.evaluate((el) => {
      const s = getComputedStyle(el);
      return { color: s.color, background: s.backgroundColor };
    });
    expect([scheme, contrast(color, background) >= 4.5]).toEqual([scheme, true]);
  }
  await page.emulateMedia({ colorScheme: "light" });
  // Keyboard focus on the hidden file input shows a ring on the Upload button people see.
  await page.locator("#fm-files").focus();
  const ring = await upload.evaluate((el) => {
    const s = getComputedStyle(el);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
  expect(ring.style).not.toBe("none");
  expect(ring.width).toBeGreaterThanOrEqual(2);
  // Touch targets: the toolbar's buttons at least 24×24 px.
  for (const b of await page.locator(".fm-tools .button, .fm-tools button").all()) {
    if (!(await b.isVisible())) continue;
    const box = (await b.boundingBox())!;
    expect(box.width >= 24 && box.height >= 24).toBe(true);
  }
});
