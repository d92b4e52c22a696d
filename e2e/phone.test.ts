/**
 * A phone (Pixel 7 profile: touch, small screen), paired with alice's server, as an installable
 * web app: the manifest, icons and service worker; pages opened are readable offline. Camera
 * upload: 20 photos chosen from the gallery; the app is killed mid-way (its storage kept, as a
 * phone keeps it), started again, the same 20 chosen again — every photo stored once, byte-exact.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import sharp from "sharp";
import { type Browser, type BrowserContext, devices, type Page, type Route } from "playwright-core";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { launchPersistentChromium, SCREENSHOTS, seriousAxeViolations } from "./browser.ts";
import { aliceThroughRelay } from "./sign_in.ts";
import { ean13Png, qrPng } from "./codes.ts";
import { pairPhone } from "./pair_phone.ts";

let h: Harness;
let browser: Browser;
let owner: Page;
let origin: string;
let phone: BrowserContext;

const shot = (p: Page, name: string) =>
  p.screenshot({ path: join(SCREENSHOTS, `phone-${name}.png`), fullPage: true });

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"] });
  ({ browser, page: owner, origin } = await aliceThroughRelay(h, ZONE));
  phone = await pairPhone(browser, owner, origin);
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

/** A PNG's format and size as sharp reads it, fetched by the page (with its credentials). */
async function pngOf(
  p: Page,
  src: string,
): Promise<[string | undefined, number | undefined, number | undefined]> {
  const bytes = await p.evaluate(async (u) => [...new Uint8Array(await (await fetch(u)).arrayBuffer())], src);
  const meta = await sharp(Buffer.from(bytes)).metadata();
  return [meta.format, meta.width, meta.height];
}

test("installable (Lighthouse's checks, and Chromium's own): manifest, icons, worker, offline start page", async () => {
  const p = await phone.newPage();
  await p.goto(`${origin}/browse`);
  // Served over HTTPS, a secure context (service workers and installation need one).
  expect(new URL(p.url()).protocol).toBe("https:");
  expect(await p.evaluate(() => isSecureContext)).toBe(true);
  expect(await p.locator('meta[name="viewport"]').getAttribute("content")).toContain("width=device-width");
  // The manifest: linked, parsed, with what installation asks for.
  const manifestHref = await p.locator('link[rel="manifest"]').getAttribute("href");
  const manifestUrl = new URL(manifestHref!, p.url()).href;
  const m = await p.evaluate(async (href) => await (await fetch(href)).json(), manifestUrl);
  expect([typeof m.name, typeof m.short_name]).toEqual(["string", "string"]);
  expect(m.short_name).toBe("Hearth");
  expect(m.display).toBe("standalone");
  const scope = new URL(m.scope ?? "./", manifestUrl).href;
  const start = new URL(m.start_url, manifestUrl).href;
  expect(start.startsWith(scope)).toBe(true);
  expect(start).toBe(`${origin}/browse`);
  expect(m.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(await p.locator('meta[name="theme-color"]').getAttribute("content")).toBe(m.theme_color);
  expect(m.share_target.action).toBe("/camera/share");
  for (const size of [192, 512]) {
    const icon = m.icons.find((i: { sizes: string; type: string }) => i.sizes === `${size}x${size}`);
    expect(icon.type).toBe("image/png");
    expect(await pngOf(p, icon.src)).toEqual(["png", size, size]);
  }
  // iOS reads its home-screen icon from the page, not the manifest.
  const apple = await p.locator('link[rel="apple-touch-icon"]').getAttribute("href");
  expect((await pngOf(p, apple!))[0]).toBe("png");

  // A service worker for the whole site, controlling the page once reloaded.
  const swScope = await p.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  expect(swScope).toBe(`${origin}/`);
  await p.reload();
  await h.waitFor("controlled", () => p.evaluate(() => navigator.serviceWorker.controller !== null));

  // Chromium's own verdict (what Lighthouse's installability audit reports): no errors, asked of
  // a browser with a profile on disk, as the phone's is (Playwright's contexts are incognito, where
  // Chromium never installs), holding the phone's device cookie.
  const own = await launchPersistentChromium({
    trustCaPem: h.caPem,
    resolverRules: [`MAP alice.${ZONE} ${h.relay("relay-a").browserAddresses[0]}`],
  }, { ...devices["Pixel 7"] });
  try {
    await own.addCookies((await phone.storageState()).cookies);
    const q = await own.newPage();
    await q.goto(start);
    await h.waitFor("controlled", () => q.evaluate(() => navigator.serviceWorker.controller !== null));
    const cdp = await own.newCDPSession(q);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    expect(installabilityErrors).toEqual([]);
    const parsed = await cdp.send("Page.getAppManifest");
    expect([parsed.url, parsed.errors]).toEqual([manifestUrl, []]);
  } finally {
    await own.close();
  }

  // Offline: the start page answers 200 from what was kept; a page never opened, the offline page.
  await p.goto(start);
  await phone.setOffline(true);
  const again = await p.goto(start);
  expect(again?.status()).toBe(200);
  expect(await p.locator("h1").innerText()).toBe("Your files");
  await p.reload();
  expect(await p.locator("h1").innerText()).toBe("Your files");
  const never = await p.goto(`${origin}/recent`); // never opened: the offline page
  expect(never?.status()).toBe(200);
  expect(await p.locator("h1").innerText()).toBe("You are offline");
  await shot(p, "offline");
  await phone.setOffline(false);
  await p.close();
});

test("camera upload: 20 photos, the app killed mid-way and started again — each stored once, byte-exact", async () => {
  const photos = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
    const raw = Buffer.alloc(400 * 300 * 3).map((_, j) => (j * (i + 3) + i * 17) & 0xff);
    const buffer = await sharp(raw, { raw: { width: 400, height: 300, channels: 3 } }).jpeg({ quality: 90 })
      .toBuffer();
    return { name: `IMG_${String(1000 + i)}.jpg`, mimeType: "image/jpeg", buffer };
  }));
  const sums = photos.map((f) => createHash("sha256").update(f.buffer).digest("hex")).sort();

  // First run: the network holds every upload after the eighth, as if the app were killed then.
  const p = await phone.newPage();
  let created = 0;
  const held: Route[] = [];
  await p.route("**/upload/tus", async (route) => {
    if (route.request().method() === "POST" && ++created > 8) held.push(route);
    else await route.continue();
  });
  await p.goto(`${origin}/camera`);
  expect(await seriousAxeViolations(p)).toEqual([]);
  await p.locator("#cam-pick").setInputFiles(photos);
  await h.waitFor(
    "eight sent",
    async () => (await p.locator('.cam-queue li[data-state="sent"]').count()) >= 8,
  ).catch(async (e) => {
    console.log("QUEUE", await p.locator(".cam").innerText());
    throw e;
  });
  await shot(p, "camera-busy");
  // Killed: the page and context go; a phone keeps its storage (cookies, the uploads it remembers).
  const storage = await phone.storageState();
  await phone.close();
  for (const r of held) await r.abort().catch(() => {});

  // Started again, the same 20 chosen: what is stored is skipped, the rest is sent.
  phone = await browser.newContext({ ...devices["Pixel 7"], storageState: storage });
  const again = await phone.newPage();
  await again.goto(`${origin}/camera`);
  await again.locator("#cam-pick").setInputFiles(photos);
  const section = again.locator("[data-camera-folder]");
  await h.waitFor("all done", async () => (await section.getAttribute("data-cam-left")) === "0", 60_000);
  const summary = await again.locator("[data-cam-summary]").innerText();
  expect(summary).toMatch(/^12 sent, 8 already on your server/);
  await shot(again, "camera-done");

  // alice's Camera folder: the 20 contents, each once.
  const db = createClient({ url: `file:${join(h.dirs.users.alice!, "userserver.db")}`, timeout: 10_000 });
  try {
    const rows = await db.execute(
      "select i.blob_hash from items i join items f on i.parent_id = f.id where f.name = 'Camera' and f.parent_id = 'root'",
    );
    expect(rows.rows.map((r) => String(r.blob_hash)).sort()).toEqual(sums);
  } finally {
    db.close();
  }
  // And choosing them a third time sends nothing.
  await again.reload();
  await again.locator("#cam-pick").setInputFiles(photos.slice(0, 5));
  await h.waitFor(
    "checked",
    async () => (await again.locator('.cam-queue li[data-state="skipped"]').count()) === 5,
  );
});

test("barcodes: a QR code and an EAN-13 read from photos, a code typed; the collection lists and filters them", async () => {
  const qr = await qrPng("https://example.org/guitar-42");
  const ean = await ean13Png("4006381333931");
  const p = await phone.newPage();
  await p.goto(`${origin}/collection`);
  expect(await seriousAxeViolations(p)).toEqual([]);
  const status = p.locator("[data-scan-status]");
  for (
    const [name, buffer, code] of [
      ["qr.png", qr, "https://example.org/guitar-42"],
      ["ean.png", ean, "4006381333931"],
    ] as const
  ) {
    await p.locator("#scan-photo").setInputFiles({ name, mimeType: "image/png", buffer });
    await h.waitFor(`${code} added`, async () => (await status.innerText()) === `Added ${code}`).catch(
      async (e) => {
        console.log("STATUS", await status.innerText());
        throw e;
      },
    );
  }
  await p.locator("summary", { hasText: "Type a code" }).tap();
  await p.fill("#coll-code", "LIBRARY-0007");
  await p.fill("#coll-note", "borrowed book");
  // With a photo of the book, taken or picked (no `capture`: the phone offers both).
  const book = await sharp({ create: { width: 480, height: 640, channels: 3, background: "#2a6f97" } }).jpeg()
    .toBuffer();
  await p.locator("#coll-photo").setInputFiles({ name: "book.jpg", mimeType: "image/jpeg", buffer: book });
  await p.locator("form[action='/collection'] button[type=submit]").tap();
  await h.waitFor("typed", async () => (await p.locator(".notice.ok").count()) > 0);
  const list = p.locator("[data-collection-list] li");
  expect(await list.count()).toBe(3);
  const text = await p.locator("[data-collection-list]").innerText();
  expect(text).toContain("QR code");
  expect(text).toContain("EAN-13");
  expect(text).toContain("borrowed book");
  // Each entry shows its photo (the photo a code was read from is kept as the entry's), drawn.
  const thumbs = p.locator("[data-collection-list] li .coll-thumb img");
  expect(await thumbs.count()).toBe(3);
  await h.waitFor(
    "thumbnails drawn",
    async () =>
      (await thumbs.evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth > 0)))
        .every(Boolean),
  );
  // Stored as files in the Collection folder, byte-exact, named after their codes.
  const db = createClient({ url: `file:${join(h.dirs.users.alice!, "userserver.db")}`, timeout: 10_000 });
  try {
    const rows = await db.execute(
      "select i.name, i.blob_hash from items i join items f on i.parent_id = f.id where f.name = 'Collection' and f.parent_id = 'root' order by i.name",
    );
    const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    expect(rows.rows.map((r) => [String(r.name), String(r.blob_hash)])).toEqual([
      ["4006381333931.png", sha(ean)],
      ["LIBRARY-0007.jpg", sha(book)],
      ["https___example.org_guitar-42.png", sha(qr)],
    ]);
  } finally {
    db.close();
  }
  await shot(p, "collection");
  await p.goto(`${origin}/collection?q=4006`);
  expect(await p.locator("[data-collection-list] li").count()).toBe(1);
});

/** How many Camera uploads the page keeps in IndexedDB for the service worker (camera/client/pending.ts). */
function keptForTheWorker(p: Page): Promise<number> {
  return p.evaluate(() =>
    new Promise<number>((resolve, reject) => {
      const req = indexedDB.open("hearth-camera");
      req.onsuccess = () => {
        const count = req.result.transaction("pending").objectStore("pending").count();
        count.onsuccess = () => resolve(count.result);
        count.onerror = () => reject(count.error);
      };
      req.onerror = () => reject(req.error);
    })
  );
}

test("background sync: photos chosen offline, the app closed, the network back — the service worker sends them", async () => {
  const photos = await Promise.all([0, 1, 2].map(async (i) => ({
    name: `BG_${i}.jpg`,
    mimeType: "image/jpeg",
    buffer: await sharp({ create: { width: 320, height: 240, channels: 3, background: `#${i}0a0c${i}` } })
      .jpeg().toBuffer(),
  })));
  const sums = photos.map((f) => createHash("sha256").update(f.buffer).digest("hex")).sort();
  const p = await phone.newPage();
  await p.goto(`${origin}/camera`);
  await h.waitFor("controlled", () => p.evaluate(() => navigator.serviceWorker.controller !== null), 30_000)
    .catch(async () => {
      await p.reload();
      await h.waitFor("controlled", () => p.evaluate(() => navigator.serviceWorker.controller !== null));
    });
  // Chromium has SyncManager: the page says uploads go on in the background.
  expect(await p.locator("[data-camera-folder]").getAttribute("data-cam-background")).toBe("true");
  expect(await p.locator("[data-cam-platform]").innerText()).toContain("even after this page is closed");
  await shot(p, "camera-background");
  await phone.setOffline(true);
  await p.locator("#cam-pick").setInputFiles(photos);
  const pendingCount = () => keptForTheWorker(p);
  await h.waitFor("three kept for the worker", async () => (await pendingCount()) === 3);
  // The app is closed while offline; then the network is back.
  const blank = await phone.newPage();
  await p.close();
  await phone.setOffline(false);
  // What the browser does when connectivity returns: fire the registered sync (here, through CDP).
  const cdp = await phone.newCDPSession(blank);
  const registrations: Array<{ registrationId: string; scopeURL: string }> = [];
  cdp.on("ServiceWorker.workerRegistrationUpdated", (e) => registrations.push(...e.registrations));
  await cdp.send("ServiceWorker.enable");
  const reg = await h.waitFor(
    "the worker's registration",
    () => registrations.find((r) => r.scopeURL === `${origin}/`),
  );
  await cdp.send("ServiceWorker.dispatchSyncEvent", {
    origin,
    registrationId: reg!.registrationId,
    tag: "hearth-camera-uploads",
    lastChance: false,
  });
  // All three land in the Camera folder, byte-exact, and nothing is left kept.
  const db = createClient({ url: `file:${join(h.dirs.users.alice!, "userserver.db")}`, timeout: 10_000 });
  try {
    await h.waitFor("the three sent in the background", async () => {
      const rows = await db.execute(
        "select i.blob_hash from items i join items f on i.parent_id = f.id where f.name = 'Camera' and f.parent_id = 'root' and i.name like 'BG_%'",
      );
      return JSON.stringify(rows.rows.map((r) => String(r.blob_hash)).sort()) === JSON.stringify(sums);
    }, 60_000);
  } finally {
    db.close();
  }
  await blank.goto(`${origin}/camera`);
  const left = await keptForTheWorker(blank);
  expect(left).toBe(0);
  await cdp.detach();
  await blank.close();
});
