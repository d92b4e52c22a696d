/**
 * Friends in Chromium: alice and bob, each signed in to their own server through IdCloud in their
 * own browser context, do the handshake (alice types the CAPTCHA bob's server set), bob accepts,
 * alice shares a folder with him from its Share page, bob finds it in Shared with me and opens a
 * file; then bob opens alice's server himself (his own account) and sees what she shares with him —
 * nothing else. axe on each page; phone and desktop, light and dark screenshots.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import sharp from "sharp";
import exifr from "exifr";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { restartUserWith } from "../testing/userserver_helpers.ts";
import { captchaAnswer } from "../testing/friends_helpers.ts";
import { clickAndNavigate, launchChromium, SCREENSHOTS, seriousAxeViolations } from "./browser.ts";
import { idResolverRule, signInAsOwner } from "./sign_in.ts";

let h: Harness;
let browser: Browser;
const origin: Record<string, string> = {};
const contexts: Record<string, BrowserContext> = {};
const pages: Record<string, Page> = {};

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice", "bob"] });
  for (const u of ["alice", "bob"]) {
    await restartUserWith(h, u, { captchaAnswersInLog: true, friendCheckSeconds: 1 });
  }
  for (const u of ["alice", "bob"]) {
    await h.waitFor(`${u}'s tunnel`, async () => (await h.tunnelsOf(u)).length === 1);
  }
  const r = h.relay("relay-a");
  browser = await launchChromium({
    trustCaPem: h.caPem,
    resolverRules: [
      `MAP alice.${ZONE} ${r.browserAddresses[0]}`,
      `MAP bob.${ZONE} ${r.browserAddresses[0]}`,
      idResolverRule(h, ZONE),
    ],
  });
  for (const [u, scheme] of [["alice", "light"], ["bob", "dark"]] as const) {
    origin[u] = `https://${u}.${ZONE}:${r.browserPort}`;
    contexts[u] = await browser.newContext({ viewport: { width: 1200, height: 800 }, colorScheme: scheme });
    pages[u] = await contexts[u]!.newPage();
    await signInAsOwner(pages[u]!, h, u, origin[u]!);
  }
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const shot = (p: Page, name: string) =>
  p.screenshot({ path: join(SCREENSHOTS, `friends-${name}.png`), fullPage: true });

test("alice asks bob (answering his server's CAPTCHA), bob accepts", async () => {
  const a = pages.alice!;
  await a.goto(`${origin.alice}/friends`);
  expect(await seriousAxeViolations(a)).toEqual([]);
  await a.fill("#fr-name", "bob");
  await a.click("form.fr-ask button[type=submit]");
  await a.waitForURL((u) => u.pathname === "/friends/ask/bob");
  const img = a.locator("img.fr-captcha");
  expect(await img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
  expect(await seriousAxeViolations(a)).toEqual([]);
  await shot(a, "captcha");
  const id = await a.locator('input[name="challengeId"]').inputValue();
  await a.fill("#fr-answer", captchaAnswer(h, "bob", id));
  await a.click("main form.row button[type=submit]");
  await a.waitForURL((u) => u.pathname === "/friends");
  await h.waitFor("the notice", async () => (await a.locator(".notice.ok").count()) > 0);
  expect(await a.locator(".notice.ok").innerText()).toContain("Request sent to bob");

  const b = pages.bob!;
  await b.goto(`${origin.bob}/friends`);
  const row = b.locator('li[data-friend="alice"]');
  expect(await row.innerText()).toContain("Asks to be your friend");
  expect(await seriousAxeViolations(b)).toEqual([]);
  await shot(b, "request-dark");
  await b.click('li[data-friend="alice"] button:has-text("Accept")');
  await h.waitFor("accepted", async () => (await b.locator(".notice.ok").count()) > 0);
  expect(await b.locator(".notice.ok").innerText()).toContain("You and alice are friends");
  await a.goto(`${origin.alice}/friends`);
  expect(await a.locator('li[data-friend="bob"]').innerText()).toContain("Friend");
});

test("alice shares a folder with bob; bob finds it in Shared with me and opens its file", async () => {
  const a = pages.alice!;
  await a.goto(`${origin.alice}/browse`);
  const folder = await a.evaluate(async () => {
    const root = document.querySelector<HTMLElement>("section.files[data-folder]")!.dataset.folder!;
    await fetch(`/browse/${root}/mkdir`, {
      method: "POST",
      body: new URLSearchParams({ name: "Trip photos" }),
    });
    const html = await (await fetch("/browse")).text();
    const id = /href="\/browse\/([A-Za-z0-9_-]+)"[^>]*>Trip photos</.exec(html)![1]!;
    const form = new FormData();
    form.append("files", new File(["Day 1: the lake\n"], "itinerary.txt", { type: "text/plain" }));
    await fetch(`/browse/${id}/upload`, { method: "POST", body: form });
    return id;
  });
  await a.goto(`${origin.alice}/browse/${folder}/share`);
  await a.selectOption('.fr-share select[name="principal"]', "user:bob");
  await a.click(".fr-share button[type=submit]");
  await h.waitFor("shared", async () => (await a.locator(".notice.ok").count()) > 0);
  expect(await a.locator(".fr-share").innerText()).toContain("can view");
  expect(await seriousAxeViolations(a)).toEqual([]);
  await shot(a, "share-page");

  const b = pages.bob!;
  await h.waitFor("Trip photos in bob's Shared with me", async () => {
    await b.goto(`${origin.bob}/shared`);
    return (await b.locator('section[data-friend="alice"]').innerText()).includes("Trip photos");
  });
  expect(await seriousAxeViolations(b)).toEqual([]);
  await shot(b, "shared-with-me-dark");
  await b.click('section[data-friend="alice"] a:has-text("Trip photos")');
  await b.waitForURL((u) => u.pathname.startsWith("/shared/alice/"));
  await b.click('a:has-text("itinerary.txt")');
  await h.waitFor("the file's page", async () => (await b.locator("h1").innerText()) === "itinerary.txt");
  const text = await b.evaluate(
    async (href) => await (await fetch(href)).text(),
    new URL("content", b.url() + "/").pathname,
  );
  expect(text).toBe("Day 1: the lake\n");
  // On a phone.
  await b.setViewportSize({ width: 390, height: 844 });
  await b.goto(`${origin.bob}/shared`);
  await shot(b, "shared-with-me-phone-dark");
  await b.setViewportSize({ width: 1200, height: 800 });
});

test("bob opens alice's server with his own account: only what she shares with him", async () => {
  const b = await contexts.bob!.newPage();
  await b.goto(`${origin.alice}/`);
  // Signed in at IdCloud already: alice's server asks for consent once, then shows /f.
  await b.waitForURL((u) => u.pathname.startsWith("/oidc/authorize") || u.origin === origin.alice);
  if (new URL(b.url()).pathname.startsWith("/oidc/authorize")) {
    await clickAndNavigate(b, 'button[value="allow"]');
  }
  await b.waitForURL((u) => u.origin === origin.alice && u.pathname === "/f/");
  expect(await b.locator("h1").innerText()).toContain("alice shares with you, bob");
  expect(await b.locator("main").innerText()).toContain("Trip photos");
  expect(await seriousAxeViolations(b)).toEqual([]);
  await shot(b, "bob-at-alice");
  await clickAndNavigate(b, 'a:has-text("Trip photos")');
  expect(await b.locator("main").innerText()).toContain("itinerary.txt");
  // Nothing else of alice's exists for him.
  for (const path of ["/browse", "/settings", "/friends", "/friends/groups", "/shared", "/f", "/links"]) {
    expect([path, (await b.goto(`${origin.alice}${path}`))?.status()]).toEqual([path, 404]);
  }
  await b.close();
});

test("alice shares an album with bob; he sees it at his own server in its skin, with the viewer, without positions", async () => {
  const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: "#3a8fb7" } })
    .withExif({
      IFD0: { Make: "Hearth", Model: "Beach cam" },
      IFD3: {
        GPSLatitudeRef: "N",
        GPSLatitude: "48/1 51/1 3000/100",
        GPSLongitudeRef: "E",
        GPSLongitude: "2/1 21/1 300/100",
      },
    })
    .jpeg().toBuffer();
  const a = pages.alice!;
  await a.goto(`${origin.alice}/browse`);
  const albumPath = await a.evaluate(async (b64) => {
    const root = document.querySelector<HTMLElement>("section.files[data-folder]")!.dataset.folder!;
    const form = new FormData();
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    form.append("files", new File([bytes], "beach.jpg", { type: "image/jpeg" }));
    await fetch(`/browse/${root}/upload`, { method: "POST", body: form });
    const html = await (await fetch("/browse")).text();
    const id = /href="\/browse\/([A-Za-z0-9_-]+)"[^>]*>beach\.jpg</.exec(html)![1]!;
    const made = await fetch("/photos/albums", {
      method: "POST",
      body: new URLSearchParams({ title: "Beach", ids: id }),
    });
    return new URL(made.url).pathname;
  }, jpeg.toString("base64"));
  expect(albumPath).toMatch(/^\/photos\/albums\/[A-Za-z0-9_-]+$/);
  await a.goto(`${origin.alice}${albumPath}`);
  await a.click(".ph-edit summary");
  await a.selectOption('[data-ph-friends] select[name="principal"]', "user:bob");
  await a.click('[data-ph-friends] button:has-text("Share")');
  await h.waitFor("shared with bob", async () => (await a.locator(".notice.ok").count()) > 0);
  await a.click(".ph-edit summary");
  expect(await a.locator("[data-ph-friends]").innerText()).toContain("Stop sharing with bob");
  expect(await seriousAxeViolations(a)).toEqual([]);

  const b = pages.bob!;
  await b.goto(`${origin.bob}/shared`);
  const link = b.locator('section[data-friend="alice"] [data-fr-albums] a:has-text("Beach")');
  await link.waitFor({ timeout: 15_000 });
  expect(await seriousAxeViolations(b)).toEqual([]);
  await clickAndNavigate(b, 'section[data-friend="alice"] [data-fr-albums] a:has-text("Beach")');
  expect(new URL(b.url()).pathname).toMatch(/^\/shared\/alice\/albums\//);
  expect(await b.locator("h1").innerText()).toBe("Beach");
  await h.waitFor(
    "the thumbnail drawn",
    async () =>
      await b.locator(".ph-grid img").first().evaluate((i: HTMLImageElement) =>
        i.complete && i.naturalWidth > 0
      ),
  );
  expect(await seriousAxeViolations(b)).toEqual([]);
  await shot(b, "album-at-bob-dark");
  // The same viewer as a link's visitor gets: opened, its details without where it was taken.
  await b.locator(".ph-grid [data-ph-id]").first().click();
  await b.locator("[data-ph-viewer]").waitFor({ state: "visible" });
  await b.keyboard.press("i");
  await h.waitFor("details", async () => (await b.innerText("[data-ph-facts]")).includes("Beach cam"));
  expect(await b.innerText("[data-ph-facts]")).not.toContain("Where");
  await shot(b, "album-viewer-at-bob-dark");
  await b.keyboard.press("Escape");
  const original = await b.evaluate(async () => {
    const id = document.querySelector<HTMLElement>(".ph-grid [data-ph-id]")!.dataset.phId!;
    const r = await fetch(`${location.pathname}/p/${id}/original`);
    return { status: r.status, b64: btoa(String.fromCharCode(...new Uint8Array(await r.arrayBuffer()))) };
  });
  expect(original.status).toBe(200);
  const buf = Buffer.from(original.b64, "base64");
  expect((await exifr.parse(buf, { gps: true })).latitude).toBeUndefined();
  expect(buf.includes("GPS")).toBe(false);
  await b.setViewportSize({ width: 390, height: 844 });
  await shot(b, "album-at-bob-phone-dark");
  await b.setViewportSize({ width: 1200, height: 800 });
});

test("bob's search finds alice's shared file by its content, marked as hers; with her server stopped his search still answers", async () => {
  const b = pages.bob!;
  await b.goto(`${origin.bob}/search`);
  await b.fill("#search-q", "lake");
  const fromFriends = b.locator("#search-friends");
  await h.waitFor("alice's itinerary among bob's results", async () => {
    if (!(await fromFriends.count())) return false;
    const text = await fromFriends.innerText();
    if (text.includes("itinerary.txt")) return true;
    await b.fill("#search-q", ""); // the index may still be catching up: search again
    await b.fill("#search-q", "lake");
    return false;
  });
  expect(await fromFriends.innerText()).toContain("shared by alice");
  expect(await seriousAxeViolations(b)).toEqual([]);
  await shot(b, "search-from-friends-dark");
  // The as-you-type search may still swap its results in once more (a request from the typing above
  // answering late) and take the clicked link with it: a click on the replaced node is tried again.
  for (let attempt = 1;; attempt++) {
    await b.locator("#search-friends a", { hasText: "itinerary.txt" }).click();
    const went = await b.waitForURL((u) => u.pathname.startsWith("/shared/alice/"), { timeout: 10_000 })
      .then(() => true, () => false);
    if (went) break;
    if (attempt === 3) throw new Error(`clicking alice's result never opened it (still at ${b.url()})`);
  }

  // alice's server stops: bob's own results come as ever, hers are named as not searched.
  await h.processes.get("user:alice")!.stop();
  await b.goto(`${origin.bob}/search?q=lake`);
  expect(await b.locator("#search-results").count()).toBe(1);
  await h.waitFor(
    "alice named as not searched",
    async () => /alice \((offline|did not answer in time)\)/.test(await fromFriends.innerText()),
  );
});
