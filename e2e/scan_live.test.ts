/**
 * The Collection's live scanner in Chromium with a fake camera: Chromium plays a video (made with
 * ffmpeg from a QR code and an EAN-13 image, each shown in turn, looped) as the phone's camera,
 * permission granted by its fake prompt. A paired phone opens the Collection, taps "Scan with the
 * camera", and both codes are added — read from the live picture (Chromium on Linux has no
 * BarcodeDetector, so this is the ZXing WebAssembly decoder this server serves).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import sharp from "sharp";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { SCREENSHOTS, seriousAxeViolations } from "./browser.ts";
import { aliceThroughRelay } from "./sign_in.ts";
import { codesVideo, ean13Png, qrPng } from "./codes.ts";
import { pairPhone } from "./pair_phone.ts";

const QR = "https://example.org/scanned-live-7";
const EAN = "4006381333931";

let h: Harness;
let browser: Browser;
let phone: BrowserContext;
let origin: string;

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"] });
  const video = codesVideo(mkdtempSync(join(tmpdir(), "hearth-scan-")), [
    await qrPng(QR),
    await ean13Png(EAN),
  ]);
  let owner: Page;
  ({ browser, page: owner, origin } = await aliceThroughRelay(h, ZONE, {
    chromiumArgs: [
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
      `--use-file-for-fake-video-capture=${video}`,
    ],
  }));
  phone = await pairPhone(browser, owner, origin);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

test("scan with the camera: a QR code and an EAN-13 held in front of it are added to the collection", async () => {
  const p = await phone.newPage();
  await p.goto(`${origin}/collection`);
  await p.getByRole("button", { name: "Scan with the camera" }).tap();
  await h.waitFor("the camera to show", () => p.locator("[data-scan-video]").isVisible());
  const list = p.locator("[data-collection-list]");
  for (const code of [QR, EAN]) {
    await h.waitFor(
      `${code} scanned`,
      async () => (await list.locator(`li[data-code="${code}"]`).count()) === 1,
      60_000,
    )
      .catch(async (e) => {
        console.log("STATUS", await p.locator("[data-scan-status]").innerText());
        throw e;
      });
  }
  expect(await seriousAxeViolations(p)).toEqual([]);
  await p.screenshot({ path: join(SCREENSHOTS, "scan-live.png"), fullPage: true });
  await p.getByRole("button", { name: "Stop" }).tap();
  // Stored, each once however many frames showed it, marked as scanned with its format.
  // Back to the Collection through its place (a boosted link: htmx swaps the page in, no reload).
  await p.evaluate(() => document.querySelector<HTMLElement>("[data-collection]")!.dataset.mark = "old");
  await p.locator('.fm-places a[href="/collection"]').tap();
  await h.waitFor(
    "the page swapped in",
    async () => (await p.locator("[data-collection]:not([data-mark])").count()) === 1,
  );
  expect(await list.locator("li").count()).toBe(2);
  const qrRow = await list.locator(`li[data-code="${QR}"]`).innerText();
  const eanRow = await list.locator(`li[data-code="${EAN}"]`).innerText();
  expect([qrRow.includes("QR code"), qrRow.includes("scanned")]).toEqual([true, true]);
  expect([eanRow.includes("EAN-13"), eanRow.includes("scanned")]).toEqual([true, true]);

  // A photo for a scanned entry, afterwards: its tile opens the camera or the gallery; the choice sends itself.
  const guitar = await sharp({ create: { width: 640, height: 480, channels: 3, background: "#8a5a2b" } })
    .jpeg()
    .toBuffer();
  const row = list.locator(`li[data-code="${QR}"]`);
  expect(await row.locator("img").count()).toBe(0);
  await row.locator(".coll-add-photo input[type=file]").setInputFiles({
    name: "guitar.jpg",
    mimeType: "image/jpeg",
    buffer: guitar,
  });
  await h.waitFor("the photo shown", async () => (await p.locator(".notice.ok").count()) > 0);
  expect(await p.locator(".notice.ok").innerText()).toContain(`Photo added to ${QR}`);
  const img = list.locator(`li[data-code="${QR}"] .coll-thumb img`);
  await h.waitFor("its thumbnail drawn", () => img.evaluate((i) => (i as HTMLImageElement).naturalWidth > 0));
  // It opens the stored file: the same bytes.
  const href = await list.locator(`li[data-code="${QR}"] a.coll-thumb`).getAttribute("href");
  const id = href!.split("/").pop()!;
  const bytes = await p.evaluate(
    async (u) => [...new Uint8Array(await (await fetch(u)).arrayBuffer())],
    `/files/${id}`,
  );
  expect(Buffer.from(bytes).equals(guitar)).toBe(true);
  expect(await seriousAxeViolations(p)).toEqual([]);
  await p.screenshot({ path: join(SCREENSHOTS, "scan-photo.png"), fullPage: true });
});
