/**
 * The file manager in Chromium through a relay as alice (signed in through IdCloud): drop 3 files (tus uploads with
 * progress), rename one, move them into a new folder, preview an image and a text file,
 * download the folder as a zip and check its bytes, trash the folder and restore it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import sharp from "sharp";
import type { Browser, Page } from "playwright-core";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { SCREENSHOTS, seriousAxeViolations } from "./browser.ts";
import { aliceThroughRelay } from "./sign_in.ts";

let h: Harness;
let browser: Browser;
let page: Page;
let origin: string;
const cspViolations: string[] = [];
const shot = (name: string, p: Page = page) =>
  p.screenshot({ path: join(SCREENSHOTS, `files-${name}.png`), fullPage: true });
const sha = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

let png: Uint8Array;
const text = "first line\nsecond line\nthird line\n";
const other = new Uint8Array(50_000).map((_, i) => (i * 7) & 0xff);

beforeAll(async () => {
  png = new Uint8Array(
    await sharp({ create: { width: 800, height: 500, channels: 3, background: { r: 217, g: 101, b: 59 } } })
      .png()
      .toBuffer(),
  );
  h = await startHarness({ relays: 1, users: ["alice"] });
  ({ browser, page, origin } = await aliceThroughRelay(h, ZONE, {
    context: { viewport: { width: 1200, height: 800 }, acceptDownloads: true },
    // From the first page on (IdCloud's sign-in included), Chromium reports any CSP violation here.
    beforeSignIn: (p) =>
      p.on("console", (m) => {
        if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) {
          cspViolations.push(m.text());
        }
      }),
  }));
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const rowNames = () => page.locator("#listing .fm-open").allInnerTexts();

test("drop, rename, move, preview, zip, trash and restore", async () => {
  await page.goto(`${origin}/browse`);
  expect(await page.locator("h1").innerText()).toBe("Your files");

  // Drop three files on the folder (a real drop event carrying a DataTransfer of File objects).
  const files = [
    { name: "photo.png", type: "image/png", b64: Buffer.from(png).toString("base64") },
    { name: "notes.txt", type: "text/plain", b64: Buffer.from(text).toString("base64") },
    { name: "data.bin", type: "application/octet-stream", b64: Buffer.from(other).toString("base64") },
  ];
  const dt = await page.evaluateHandle((list) => {
    const d = new DataTransfer();
    for (const f of list) {
      d.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    }
    return d;
  }, files);
  await page.dispatchEvent("section.files", "dragenter", { dataTransfer: dt });
  await shot("dragging");
  await page.dispatchEvent("section.files", "drop", { dataTransfer: dt });
  await h.waitFor(
    "3 uploads done",
    async () => (await page.locator('.fm-up[data-state="done"]').count()) === 3,
  );
  await h.waitFor("3 rows", async () => (await rowNames()).length === 3);
  expect((await rowNames()).sort()).toEqual(["data.bin", "notes.txt", "photo.png"]);
  await shot("uploaded");

  // Rename notes.txt on its page.
  await page.locator(".fm-open", { hasText: "notes.txt" }).click();
  await page.waitForURL(/\/browse\/[^/]+$/);
  await page.fill("#fm-rename", "readme.txt");
  await page.click(".fm-rename button[type=submit]");
  await h.waitFor("the new name", async () => (await page.locator("h1").innerText()) === "readme.txt");

  // New folder, select all three, move them into it.
  await page.goto(`${origin}/browse`);
  await page.fill("#fm-new-name", "Trip");
  await page.click(".fm-mkdir button[type=submit]");
  await h.waitFor("the folder", async () => (await rowNames()).includes("Trip"));
  for (const n of ["data.bin", "photo.png", "readme.txt"]) {
    await page.check(`input[aria-label="Select ${n}"]`);
  }
  await page.click("[data-fm-move]");
  // The tree: nothing chosen yet; Home, where the items are, cannot be chosen; the filter finds Trip.
  const picker = page.locator("#fm-dialog .fm-picker");
  await h.waitFor("the folder tree", () => picker.isVisible());
  expect(await picker.locator("input[name=target]:checked").count()).toBe(0);
  expect(await picker.locator("label", { hasText: "Home" }).locator("input").isDisabled()).toBe(true);
  await page.fill("#fm-picker-q", "tri");
  expect(await seriousAxeViolations(page)).toEqual([]);
  await shot("move-dialog");
  await picker.locator("label", { hasText: "Trip" }).locator("input").check();
  await page.click("#fm-dialog button[type=submit]");
  await h.waitFor("only Trip in Home", async () => JSON.stringify(await rowNames()) === '["Trip"]');
  await page.locator(".fm-open", { hasText: "Trip" }).click();
  await h.waitFor("Trip's listing", async () => (await rowNames()).length === 3);
  const tripUrl = page.url();
  await page.click('.fm-views a[title="Icon view"]');
  await h.waitFor(
    "thumbnail shown",
    () =>
      page.locator("img.fm-thumb").evaluate((img: HTMLImageElement) =>
        img.complete && img.naturalWidth === 256
      ),
  );
  await shot("icons");

  // Previews: the image, then the text with line numbers.
  await page.locator(".fm-open", { hasText: "photo.png" }).click();
  await h.waitFor(
    "the image",
    () => page.locator(".fm-viewer img").evaluate((img: HTMLImageElement) => img.naturalWidth === 800),
  );
  await shot("preview-image");
  await page.goto(tripUrl);
  await page.locator(".fm-open", { hasText: "readme.txt" }).click();
  await h.waitFor("the text", async () => (await page.locator(".fm-code .ln").count()) === 3);
  expect(await page.locator(".fm-code").innerText()).toContain("second line");
  await shot("preview-text");

  // The folder as a zip: its bytes hold the three files.
  await page.goto(tripUrl);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(".fm-tools a[download]")]);
  const zipPath = join(h.baseDir, "trip.zip");
  await download.saveAs(zipPath);
  const py = Bun.spawnSync([
    "python3",
    "-c",
    `
import zipfile, hashlib, json, sys
z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None
print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))`,
    zipPath,
  ]);
  expect(JSON.parse(py.stdout.toString())).toEqual({
    "Trip/data.bin": sha(other),
    "Trip/photo.png": sha(png),
    "Trip/readme.txt": sha(text),
  });
  expect(readFileSync(zipPath).subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 3, 4]));

  // Trash the folder, then restore it from the trash.
  await page.goto(`${origin}/browse`);
  await page.check('input[aria-label="Select Trip"]');
  await shot("selected");
  await page.click("#fm-sel button.danger");
  await h.waitFor("Home empty", async () => (await page.locator("#listing .fm-open").count()) === 0);
  await page.click('.fm-places a[href="/trash"]');
  await h.waitFor("Trip in the trash", async () => (await page.locator(".fm-trash li").count()) === 1);
  await shot("trash");
  await page.click('button[aria-label="Restore Trip"]');
  await h.waitFor("trash empty", async () => (await page.locator(".fm-trash li").count()) === 0);
  await page.goto(`${origin}/browse`);
  expect(await rowNames()).toEqual(["Trip"]);
  expect(await page.locator(".files .meta.size").first().innerText()).toContain("· 3");
}, 120_000);

test("keyboard: / filters, ? shows the shortcuts; phone size in dark mode", async () => {
  await page.goto(`${origin}/browse`);
  await page.keyboard.press("?");
  await h.waitFor("help", () => page.locator("#fm-help").evaluate((d: HTMLDialogElement) => d.open));
  await shot("shortcuts");
  await page.keyboard.press("Escape");
  await page.keyboard.press("/");
  expect(await page.evaluate(() => document.activeElement?.id)).toBe("fm-q");
  await page.keyboard.type("nothing-like-this");
  await h.waitFor(
    "filtered",
    async () => (await page.locator(".fm-count").innerText()).includes("Nothing named like"),
  );

  const phone = await browser.newContext({ viewport: { width: 390, height: 800 }, colorScheme: "dark" });
  await phone.addCookies(await page.context().cookies(origin)); // alice's session on her server
  const p = await phone.newPage();
  await p.goto(`${origin}/browse`);
  await p.locator(".fm-open", { hasText: "Trip" }).click();
  await h.waitFor("Trip", async () => (await p.locator("#listing .fm-open").count()) === 3);
  await shot("phone-dark", p);
  await phone.close();
}, 60_000);

test(
  "pages work under the strict CSP: htmx and the file manager load, no violation on any page",
  async () => {
    for (const path of ["/browse", "/add", "/settings", "/notifications", "/trash"]) {
      const res = await page.goto(`${origin}${path}`);
      expect(res!.headers()["content-security-policy"]).toContain("script-src 'self'");
      await page.waitForLoadState("load");
      await h.waitFor(`htmx on ${path}`, () => page.evaluate(() => "htmx" in globalThis));
    }
    // The file manager's bundle runs: the filter (htmx) and a shortcut (files.js) both work.
    await page.goto(`${origin}/browse`);
    await h.waitFor("files.js", () => page.evaluate(() => "hearthFiles" in globalThis));
    await page.fill("#fm-q", "Tri");
    await h.waitFor("filtered to Trip", async () => JSON.stringify(await rowNames()) === '["Trip"]');
    await h.waitFor("the address follows the filter", () => new URL(page.url()).search === "?q=Tri");
    await page.selectOption("#fm-sort", "size");
    await h.waitFor(
      "sorted by size, in the address too",
      () => new URL(page.url()).searchParams.get("sort") === "size",
    );
    await h.waitFor(
      "the listing sorted by size",
      async () => (await page.locator(".fm-colheads a[aria-sort]").textContent())?.includes("Size"),
    );
    // A column heading sorts in place (htmx): the listing, the selects and the address follow.
    await page.evaluate(() => document.querySelector<HTMLElement>(".fm-places")!.dataset.mark = "kept");
    await page.click('.fm-colheads a:has-text("Name")');
    await h.waitFor("sorted by name again", () => new URL(page.url()).searchParams.get("sort") === null);
    await h.waitFor(
      "the select follows",
      () => page.locator("#fm-sort").evaluate((s: HTMLSelectElement) => s.value === "name"),
    );
    expect(await page.locator("#fm-q").inputValue()).toBe("Tri");
    expect(await page.locator(".fm-places").getAttribute("data-mark")).toBe("kept"); // not a new page
    // Nothing refused on any page so far: IdCloud's sign-in, uploads, dialogs, previews, these pages.
    expect(cspViolations).toEqual([]);
    // And the policy is really enforced: an injected inline script does not run.
    const ran = await page.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "globalThis.inlineRan = true";
      document.head.append(s);
      return "inlineRan" in globalThis;
    });
    expect(ran).toBe(false);
    // …and reported where the check above looks, so that check can fail.
    await h.waitFor("the refusal reported", () => cspViolations.some((v) => v.includes("inline script")));
    cspViolations.length = 0;
  },
  60_000,
);

test(
  "an upload cut off by a reload resumes where it stopped when the same file is dropped again (tus-js-client)",
  async () => {
    await page.goto(`${origin}/browse`);
    await h.waitFor("files.js", () => page.evaluate(() => "hearthFiles" in globalThis));
    // 80 MiB: three 32 MiB chunks; the same name, size and date each time, so the same upload.
    const drop = () =>
      page.evaluate(() => {
        const bytes = new Uint8Array(80 * 1024 * 1024).map((_, i) => i & 0xff);
        const file = new File([bytes], "resume.bin", {
          type: "application/octet-stream",
          lastModified: 1_700_000_000_000,
        });
        const dt = new DataTransfer();
        dt.items.add(file);
        document.querySelector("section.files")!.dispatchEvent(
          new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }),
        );
      });
    const firstChunk = page.waitForResponse((r) => r.request().method() === "PATCH" && r.status() === 204);
    await drop();
    await firstChunk;
    await page.reload(); // cuts the second chunk off
    expect(await page.evaluate(() => Object.keys(localStorage).some((k) => k.includes("hearth-tus:")))).toBe(
      true,
    );
    await h.waitFor("files.js", () => page.evaluate(() => "hearthFiles" in globalThis));

    const offsets: number[] = [];
    const onRequest = (r: { method(): string; headers(): Record<string, string> }) => {
      if (r.method() === "PATCH") offsets.push(Number(r.headers()["upload-offset"]));
    };
    page.on("request", onRequest);
    try {
      await drop();
      await h.waitFor(
        "the upload done",
        async () => (await page.locator('.fm-up[data-state="done"]').count()) === 1,
      );
    } finally {
      page.off("request", onRequest);
    }
    expect(offsets[0]).toBeGreaterThanOrEqual(32 * 1024 * 1024); // resumed, not sent again from 0
    await h.waitFor(
      "listed once",
      async () => (await rowNames()).filter((n) => n === "resume.bin").length === 1,
    );
    expect(await page.evaluate(() => Object.keys(localStorage).some((k) => k.includes("hearth-tus:")))).toBe(
      false,
    );
  },
  120_000,
);

test("the editor: a save conflict keeps my text beside the newer one; leaving with unsaved changes asks", async () => {
  // A text file, opened in two tabs.
  await page.goto(`${origin}/browse`);
  await h.waitFor("files.js", () => page.evaluate(() => "hearthFiles" in globalThis));
  const created = await uploadText(page, "conflict.txt", "hello");
  expect(created).toBeTruthy();
  const other = await page.context().newPage();
  await other.goto(`${origin}/browse/${created}/edit`);
  await page.goto(`${origin}/browse/${created}/edit`);
  await other.locator("#fm-text").fill("their version");
  await other.locator("button", { hasText: "Save" }).click();
  await other.waitForURL(`${origin}/browse/${created}`);
  await other.close();

  await page.locator("#fm-text").fill("my version");
  await page.locator("button", { hasText: "Save" }).click();
  await page.locator("#fm-theirs").waitFor();
  expect(await page.locator("#fm-text").inputValue()).toBe("my version");
  expect(await page.locator("#fm-theirs").inputValue()).toBe("their version");
  await shot("editor-conflict");
  expect(await seriousAxeViolations(page)).toEqual([]);
  await page.locator("button", { hasText: "Save as a copy" }).click();
  await page.waitForURL((u) => u.pathname.startsWith("/browse/") && !u.pathname.endsWith(created!));

  // Unsaved changes: closing the tab asks first (beforeunload).
  const tab = await page.context().newPage();
  await tab.goto(`${origin}/browse/${created}/edit`);
  await h.waitFor("files.js", () => tab.evaluate(() => "hearthFiles" in globalThis));
  await tab.locator("#fm-text").click();
  await tab.keyboard.type(" and more");
  const asked = new Promise<string>((resolve) =>
    tab.once("dialog", (d) => (resolve(d.type()), void d.accept()))
  );
  await tab.close({ runBeforeUnload: true });
  expect(await asked).toBe("beforeunload");
});

test("times show in the viewer's time zone, with the UTC time on hover", async () => {
  await page.goto(`${origin}/browse`);
  await uploadText(page, "when.txt", "a file with a time");
  const ny = await browser.newContext({ timezoneId: "America/New_York", locale: "en-US" });
  await ny.addCookies(await page.context().cookies(origin)); // alice's session on her server
  const p = await ny.newPage();
  await p.goto(`${origin}/browse`);
  const when = p.locator("#listing time").first();
  await h.waitFor("times localised", async () => !(await when.innerText()).endsWith("UTC"));
  const title = await when.getAttribute("title");
  expect(title).toMatch(/UTC$/);
  const iso = await when.getAttribute("datetime");
  const expected = new Intl.DateTimeFormat("en-US", {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "America/New_York",
  })
    .format(new Date(iso!));
  expect(await when.innerText()).toBe(expected);
  await ny.close();
});

/** A small text file in Home through tus, from inside the page (its session and Origin); its item id. */
function uploadText(p: Page, name: string, body: string): Promise<string | null> {
  return p.evaluate(async ([name, body]) => {
    const res = await fetch("/upload/tus", {
      method: "POST",
      headers: {
        "tus-resumable": "1.0.0",
        "upload-length": String(new TextEncoder().encode(body).length),
        "upload-metadata": `filename ${btoa(name)},parent ${btoa("root")}`,
      },
    });
    const patch = await fetch(res.headers.get("location")!, {
      method: "PATCH",
      headers: {
        "tus-resumable": "1.0.0",
        "upload-offset": "0",
        "content-type": "application/offset+octet-stream",
      },
      body,
    });
    return patch.headers.get("hearth-item-id");
  }, [name, body]);
}

test("Recent and Favorites on a phone: the folder's rows (names on one line, the time kept), star and unstar", async () => {
  const p = await page.context().newPage();
  await p.setViewportSize({ width: 390, height: 844 });
  await p.emulateMedia({ colorScheme: "dark" });
  await p.goto(`${origin}/browse`);
  const name = "a-rather-long-holiday-report.txt";
  await p.evaluate(async (name) => {
    const root = document.querySelector<HTMLElement>("section.files[data-folder]")!.dataset.folder!;
    const form = new FormData();
    form.append("files", new File(["report"], name, { type: "text/plain" }));
    await fetch(`/browse/${root}/upload`, { method: "POST", body: form });
  }, name);
  await p.goto(`${origin}/browse`);
  await p.check(`input[aria-label="Select ${name}"]`);
  await p.getByRole("button", { name: "Star", exact: true }).click();
  await p.goto(`${origin}/favorites`);
  const link = p.locator("#listing .fm-open", { hasText: name });
  await h.waitFor("the starred file", () => link.isVisible());
  // The name takes the row's room (not a column of 3-letter pieces), and the time stays on a phone.
  const li = p.locator("#listing li", { hasText: name });
  const column = (await li.locator(".name").boundingBox())!;
  const row = (await li.boundingBox())!;
  expect(column.width / row.width).toBeGreaterThan(0.4);
  expect(await p.locator("#listing li .when").first().isVisible()).toBe(true);
  expect(await seriousAxeViolations(p)).toEqual([]);
  await shot("favorites-phone", p);
  await p.check(`input[aria-label="Select ${name}"]`);
  await p.getByRole("button", { name: "Unstar" }).click();
  await h.waitFor(
    "unstarred",
    async () => (await p.locator("main").innerText()).includes("Star files and folders"),
  );
  await p.goto(`${origin}/recent`);
  expect(await p.locator("#listing .fm-open", { hasText: name }).count()).toBe(1);
  await p.close();
});

test("select all across pages: the offer after a full page, then every item of the folder at once", async () => {
  await page.goto(`${origin}/browse`);
  const folder = await page.evaluate(async () => {
    const root = document.querySelector<HTMLElement>("section.files[data-folder]")!.dataset.folder!;
    await fetch(`/browse/${root}/mkdir`, { method: "POST", body: new URLSearchParams({ name: "Scans" }) });
    const html = await (await fetch("/browse")).text();
    const id = /href="\/browse\/([A-Za-z0-9_-]+)"[^>]*>Scans</.exec(html)![1]!;
    const form = new FormData();
    for (let i = 0; i < 130; i++) {
      form.append("files", new File([String(i)], `scan-${String(i).padStart(3, "0")}.txt`));
    }
    await fetch(`/browse/${id}/upload`, { method: "POST", body: form });
    return id;
  });
  await page.goto(`${origin}/browse/${folder}`);
  const rows = page.locator("#listing .fm-check");
  const onPage = await rows.count();
  expect(onPage).toBeLessThan(130);
  await rows.first().focus();
  await page.keyboard.press("Control+a"); // every row of this page
  await h.waitFor(
    "the page ticked",
    async () => (await page.locator("#listing .fm-check:checked").count()) === onPage,
  );
  const offer = page.locator("[data-fm-select-all]");
  await h.waitFor("the offer", () => offer.isVisible());
  expect(await offer.innerText()).toBe("Select all 130 items in this folder");
  await offer.click();
  expect(await page.locator("[data-fm-selcount]").innerText()).toBe("All 130 items selected");
  expect(await seriousAxeViolations(page)).toEqual([]);
  await page.getByRole("button", { name: "Star", exact: true }).click();
  await h.waitFor("all starred", async () => {
    await page.goto(`${origin}/favorites`);
    return (await page.locator("#listing .fm-open").count()) >= 130;
  });
});

test("axe on a preview page and on Settings; an empty file uploads like any other", async () => {
  await page.goto(`${origin}/browse`);
  // An empty file: uploaded, listed, "done" (it once said "failed" and was stored anyway).
  await page.locator("#fm-files").setInputFiles({
    name: "empty.txt",
    mimeType: "text/plain",
    buffer: Buffer.alloc(0),
  });
  await h.waitFor(
    "the empty upload done",
    async () =>
      (await page.locator(".fm-up", { hasText: "empty.txt" }).getAttribute("data-state")) === "done",
  );
  await page.goto(`${origin}/browse`);
  await page.locator("#listing .fm-open", { hasText: "empty.txt" }).click();
  await page.waitForURL((u) => /^\/browse\/[A-Za-z0-9_-]+$/.test(u.pathname));
  expect(await page.locator("main").innerText()).toContain("empty.txt");
  expect(await seriousAxeViolations(page)).toEqual([]);
  await page.goto(`${origin}/settings`);
  expect(await page.locator("h1").first().innerText()).toBe("Settings");
  expect(await seriousAxeViolations(page)).toEqual([]);
});
