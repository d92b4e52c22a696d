/**
 * Photos in Chromium through a relay, as alice: photos uploaded with EXIF dates land in the
 * timeline by day and month, newest first; the scrubber jumps to the oldest month by keyboard;
 * the viewer opens, moves by arrow keys and by swipe (touch), shows the EXIF panel with the
 * position (the owner's only); a selection becomes an album; the album in the story skin, shared
 * by link, opened by an anonymous visitor: no position in the page, the viewer's details or the
 * bytes of the photos it is served.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import exifr from "exifr";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { makeTestVideo } from "../userserver/links/_test_video.ts";
import { seriousAxeViolations } from "./browser.ts";
import { aliceThroughRelay } from "./sign_in.ts";

let h: Harness;
let browser: Browser;
let page: Page;
let origin: string;
const SHOTS = process.env.HEARTH_SHOTS_DIR;

/** Dates (camera wall clock) of the photos uploaded: three months, two years. */
const DATES = [
  ...Array.from({ length: 8 }, (_, i) => `2026:11:${String(10 + i).padStart(2, "0")} 09:1${i}:00`),
  ...Array.from({ length: 6 }, (_, i) => `2025:07:0${1 + i} 18:00:00`),
  "2019:03:14 15:09:26",
];

async function jpeg(date: string, k: number, gps: boolean): Promise<string> {
  const hue = (k * 47) % 360;
  const buf = await sharp({
    create: { width: 480, height: 320, channels: 3, background: `hsl(${hue}, 60%, 50%)` },
  })
    .composite([{
      input: Buffer.from(
        `<svg width="480" height="320"><text x="20" y="180" font-size="90">${k}</text></svg>`,
      ),
    }])
    .withExif({
      IFD0: { Make: "Hearth", Model: "TestCam 2" },
      IFD2: { DateTimeOriginal: date, ExposureTime: "1/250", FNumber: "28/10", ISOSpeedRatings: "200" },
      ...(gps
        ? {
          IFD3: {
            GPSLatitudeRef: "N",
            GPSLatitude: "48/1 51/1 3000/100",
            GPSLongitudeRef: "E",
            GPSLongitude: "2/1 21/1 300/100",
          },
        }
        : {}),
    })
    .jpeg({ quality: 80 })
    .toBuffer();
  return buf.toString("base64");
}

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"] });
  ({ browser, page, origin } = await aliceThroughRelay(h, ZONE, {
    context: { viewport: { width: 1200, height: 800 } },
  }));
  const files = await Promise.all(DATES.map(async (d, k) => ({
    name: `IMG_${String(k).padStart(4, "0")}.jpg`,
    b64: await jpeg(d, k, k === 0 || k === 6),
    type: "image/jpeg",
  })));
  const dir = mkdtempSync(join(tmpdir(), "hearth-ph-"));
  // A video whose container says when it was shot (20 Nov 2026, the newest of all).
  makeTestVideo(join(dir, "clip.mp4"), 3, "320x240", 24, ["-metadata", "creation_time=2026-11-20T10:00:00Z"]);
  const video = await Bun.file(join(dir, "clip.mp4")).arrayBuffer();
  files.push({ name: "clip.mp4", b64: Buffer.from(video).toString("base64"), type: "video/mp4" });
  await page.goto(`${origin}/browse`);
  const status = await page.evaluate(async (files) => {
    const root = document.querySelector<HTMLElement>("section.files[data-folder]")!.dataset.folder!;
    await fetch(`/browse/${root}/mkdir`, { method: "POST", body: new URLSearchParams({ name: "Holiday" }) });
    const html = await (await fetch("/browse")).text();
    const folder = /href="\/browse\/([A-Za-z0-9_-]+)"[^>]*>Holiday</.exec(html)![1]!;
    const form = new FormData();
    for (const f of files) {
      const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      form.append("files", new File([bytes], f.name, { type: f.type }));
    }
    return (await fetch(`/browse/${folder}/upload`, { method: "POST", body: form })).status;
  }, files);
  expect(status).toBeLessThan(400);
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const headings = () => page.locator(".ph-layer h2.ph-month").allInnerTexts();

test("the timeline: newest first by month and day; the scrubber reaches the oldest month", async () => {
  await page.goto(`${origin}/photos`);
  // Photos are catalogued in the background: each moves to its day once its EXIF is read.
  await h.waitFor("every photo on its day", async () => {
    const days = await page.evaluate(async () => (await (await fetch("/photos/api/days")).json()).days);
    return JSON.stringify(days[0]) === "[20261120,1]" && days.length === 16 && days.at(-1)[0] === 20190314;
  }, 60_000);
  await page.reload();
  await page.locator(".ph-layer h2").first().waitFor();
  expect((await headings())[0]).toBe("November 2026");
  const days = await page.locator(".ph-layer h3.ph-day").allInnerTexts();
  expect(days.slice(0, 3)).toEqual(["Fri 20 Nov", "Tue 17 Nov", "Mon 16 Nov"]);
  // Thumbnails are drawn (the tiles on screen have pictures that loaded).
  await h.waitFor("thumbnails", () =>
    page.evaluate(() => {
      const imgs = [...document.querySelectorAll<HTMLImageElement>(".ph-tile[data-ph-id] img")];
      return imgs.length >= 3 && imgs.every((i) => i.complete && i.naturalWidth > 0);
    }));
  // The scrubber, by keyboard: End → the oldest month.
  await page.focus("[data-ph-scrubber]");
  await page.keyboard.press("End");
  await h.waitFor("March 2019 on screen", async () => (await headings()).includes("March 2019"));
  expect(await page.getAttribute("[data-ph-scrubber]", "aria-valuetext")).toBe("March 2019");
  await page.keyboard.press("Home");
  await h.waitFor("back at the newest", async () => (await headings())[0] === "November 2026");
  expect(await seriousAxeViolations(page)).toEqual([]);
  if (SHOTS) await page.screenshot({ path: join(SHOTS, "photos-timeline-desktop.png") });
});

test("the viewer: arrow keys, the EXIF panel with the owner's position, Escape", async () => {
  await page.goto(`${origin}/photos`);
  const first = page.locator(".ph-tile[data-ph-id]").first();
  await first.waitFor();
  await first.click();
  const viewer = page.locator("[data-ph-viewer]");
  await viewer.waitFor({ state: "visible" });
  const title = viewer.locator("[data-ph-title]");
  // The newest is the video: it plays, and seeks (the original is served in ranges).
  await h.waitFor("the video's title", async () => (await title.innerText()).includes("clip.mp4"));
  const seeked = await page.evaluate(async () => {
    const v = document.querySelector<HTMLVideoElement>("[data-ph-video]")!;
    if (v.readyState < 1) await new Promise((r) => v.addEventListener("loadedmetadata", r, { once: true }));
    const done = new Promise((r) => v.addEventListener("seeked", r, { once: true }));
    v.currentTime = 2;
    await done;
    return { hidden: v.hidden, duration: Math.round(v.duration), at: Math.round(v.currentTime) };
  });
  expect(seeked).toEqual({ hidden: false, duration: 3, at: 2 });
  await page.locator("[data-ph-close]").focus();
  await page.keyboard.press("ArrowRight");
  await h.waitFor("the next older photo", async () => (await title.innerText()).includes("IMG_0007.jpg"));
  await page.keyboard.press("ArrowLeft");
  await h.waitFor("back", async () => (await title.innerText()).includes("clip.mp4"));
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  // IMG_0006 carries a position; its panel shows the camera, exposure and where (to the owner).
  await h.waitFor("IMG_0006", async () => (await title.innerText()).includes("IMG_0006.jpg"));
  await page.keyboard.press("i");
  const facts = viewer.locator("[data-ph-facts]");
  await h.waitFor("the panel", async () => (await facts.innerText()).includes("TestCam 2"));
  const text = await facts.innerText();
  expect(text).toContain("Hearth TestCam 2");
  expect(text).toContain("1/250 s");
  expect(text).toContain("48.85833");
  expect(text).toContain("16 Nov 2026");
  if (SHOTS) await page.screenshot({ path: join(SHOTS, "photos-viewer-desktop.png") });
  await page.keyboard.press("Escape");
  await viewer.waitFor({ state: "hidden" });
});

test("swipe on a phone moves to the next photo; double tap zooms", async () => {
  const phone = await browser.newContext({
    viewport: { width: 390, height: 800 },
    hasTouch: true,
    isMobile: true,
    storageState: await page.context().storageState(),
  });
  const p = await phone.newPage();
  try {
    await p.goto(`${origin}/photos`);
    await p.locator(".ph-tile[data-ph-id]").first().waitFor();
    await p.locator(".ph-tile[data-ph-id]").first().tap();
    const title = p.locator("[data-ph-title]");
    await h.waitFor("opened", async () => (await title.innerText()).includes("clip.mp4"));
    await p.keyboard.press("ArrowRight");
    await h.waitFor("a photo", async () => (await title.innerText()).includes("IMG_0007.jpg"));
    const swipe = (from: number, to: number) =>
      p.evaluate(([from, to]) => {
        const stage = document.querySelector<HTMLElement>("[data-ph-stage]")!;
        const ev = (type: string, x: number) =>
          stage.dispatchEvent(
            new PointerEvent(type, {
              pointerId: 7,
              pointerType: "touch",
              clientX: x,
              clientY: 400,
              bubbles: true,
              isPrimary: true,
            }),
          );
        ev("pointerdown", from);
        for (let x = from; from > to ? x >= to : x <= to; x += from > to ? -20 : 20) ev("pointermove", x);
        ev("pointerup", to);
      }, [from, to] as const);
    await swipe(320, 60);
    await h.waitFor(
      "swiped to the older photo",
      async () => (await title.innerText()).includes("IMG_0006.jpg"),
    );
    await swipe(60, 320);
    await h.waitFor("swiped back", async () => (await title.innerText()).includes("IMG_0007.jpg"));
    // A double tap (two taps 100 ms apart).
    await p.evaluate(async () => {
      const stage = document.querySelector<HTMLElement>("[data-ph-stage]")!;
      const tap = (type: string) =>
        stage.dispatchEvent(
          new PointerEvent(type, {
            pointerId: 9,
            pointerType: "touch",
            clientX: 200,
            clientY: 400,
            bubbles: true,
          }),
        );
      tap("pointerdown");
      tap("pointerup");
      await new Promise((r) => setTimeout(r, 100));
      tap("pointerdown");
      tap("pointerup");
    });
    await h.waitFor(
      "zoomed",
      async () => (await p.getAttribute("[data-ph-viewer]", "class"))!.includes("zoomed"),
    );
    if (SHOTS) await p.screenshot({ path: join(SHOTS, "photos-viewer-phone.png") });
    await p.keyboard.press("Escape");
    if (SHOTS) await p.screenshot({ path: join(SHOTS, "photos-timeline-phone.png") });
  } finally {
    await phone.close();
  }
});

test("a selection becomes an album; shared by link in the story skin, without positions", async () => {
  await page.goto(`${origin}/photos`);
  await page.locator(".ph-tile[data-ph-id]").first().waitFor();
  await page.click("[data-ph-select]");
  const tiles = page.locator(".ph-tile[data-ph-id]");
  const picked: string[] = [];
  for (const k of [0, 1, 2]) {
    await tiles.nth(k).click();
    picked.push((await tiles.nth(k).getAttribute("data-ph-id"))!);
  }
  await h.waitFor("3 selected", async () => (await page.innerText("[data-ph-selcount]")) === "3 selected");
  await page.fill("[data-ph-newtitle]", "Best of");
  await page.click("[data-ph-selbar] button[type=submit]");
  await page.waitForURL((u) => u.pathname.startsWith("/photos/albums/"), { timeout: 15_000 }).catch(
    async (e) => {
      await page.screenshot({ path: "/tmp/shots19/fail-album.png" });
      throw e;
    },
  );
  await page.locator(".ph-grid").waitFor();
  expect(await page.locator(".ph-grid [data-ph-id]").count()).toBe(3);
  expect(await page.innerText("h1")).toBe("Best of");
  expect(await seriousAxeViolations(page)).toEqual([]);

  // Story skin, shared by link (positions not shared).
  await page.click(".ph-edit summary");
  await page.check('input[name="skin"][value="story"]');
  await page.click('form[action$="/edit"] button[type="submit"]');
  await page.locator(".ph-story").waitFor();
  await page.click(".ph-edit summary");
  await page.check('input[name="share"]');
  await page.click('form[action$="/share"] button[type="submit"]');
  const link = page.locator("[data-ph-share-link]");
  await link.waitFor();
  const shared = new URL((await link.getAttribute("href"))!, origin).href;
  if (SHOTS) await page.screenshot({ path: join(SHOTS, "photos-album-story-desktop.png"), fullPage: true });

  // An anonymous visitor: no cookies at all.
  const visitor = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const v = await visitor.newPage();
  try {
    const res = await v.goto(shared);
    expect(res!.status()).toBe(200);
    await v.locator(".ph-story [data-ph-id]").first().waitFor();
    expect(await v.locator(".ph-story [data-ph-id]").count()).toBe(3);
    const html = await v.content();
    expect(html).not.toContain("48.85");
    expect(html).not.toContain("/browse");
    // The viewer's details for the photo with a position: no position.
    const withGps = picked[2]!;
    await v.locator(`.ph-story [data-ph-id="${withGps}"]`).click();
    await v.locator("[data-ph-viewer]").waitFor({ state: "visible" });
    await v.keyboard.press("i");
    await h.waitFor("details", async () => (await v.innerText("[data-ph-facts]")).includes("TestCam 2"));
    expect(await v.innerText("[data-ph-facts]")).not.toContain("Where");
    // Every byte served to the visitor for that photo: no GPS.
    const base = new URL(shared).pathname;
    for (const what of ["original", "download", "preview", "thumb", "info"]) {
      const bytes = await v.evaluate(async (url) => {
        const r = await fetch(url);
        return { status: r.status, b64: btoa(String.fromCharCode(...new Uint8Array(await r.arrayBuffer()))) };
      }, `${base}/p/${withGps}/${what}`);
      expect([what, bytes.status]).toEqual([what, 200]);
      const buf = Buffer.from(bytes.b64, "base64");
      expect([what, buf.includes("GPS"), buf.includes("48.85")]).toEqual([what, false, false]);
      if (what === "original") {
        const tags = await exifr.parse(buf, { gps: true });
        expect(tags.latitude).toBeUndefined();
        expect(tags.Make).toBe("Hearth"); // the rest of the EXIF is kept
      }
    }
    // A photo outside the album is not reachable through the link.
    const outside = await v.evaluate(
      async (url) => (await fetch(url)).status,
      `${base}/p/${picked[0]!.slice(0, -1)}x/original`,
    );
    expect(outside).toBe(404);
    expect(await seriousAxeViolations(v)).toEqual([]);
    if (SHOTS) await v.screenshot({ path: join(SHOTS, "photos-shared-visitor.png") });
  } finally {
    await visitor.close();
  }
  // The owner turns the link off: the visitor's link stops working.
  await page.click(".ph-edit summary");
  await page.uncheck('input[name="share"]');
  await page.click('form[action$="/share"] button[type="submit"]');
  await page.locator("[data-ph-share-link]").waitFor({ state: "detached" });
  const after = await page.evaluate(async (url) => (await fetch(url)).status, shared);
  expect(after).toBe(404);
});
