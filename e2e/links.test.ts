/**
 * Share links in Chromium through a relay (#16): alice (signed in through IdCloud) makes links on
 * an item's Share page; an anonymous visitor in a fresh browser context (no account, no cookies)
 * opens them — a public folder link with a zip, a password link with wrong passwords throttled,
 * a link switched off and on, expiry and a download limit, a preview-only link refusing the
 * original on every URL, and a file drop.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import sharp from "sharp";
import { type Harness, startHarness, ZONE } from "../testing/harness.ts";
import { SCREENSHOTS, seriousAxeViolations } from "./browser.ts";
import { aliceThroughRelay } from "./sign_in.ts";

let h: Harness;
let browser: Browser;
let owner: Page;
let origin: string;
let folder: string;
let visitor: BrowserContext;

const shot = (name: string, p: Page) => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return p.screenshot({ path: join(SCREENSHOTS, `links-${name}.png`), fullPage: true });
};

/** A new link on the Share page of `itemId`, through the form; returns its URL. */
async function makeLink(itemId: string, fill: (p: Page) => Promise<void>): Promise<string> {
  await owner.goto(`${origin}/browse/${itemId}/share`);
  const before = await owner.locator("[data-link-url]").count();
  const form = owner.locator("form[action='/links']");
  if (!(await form.isVisible())) await owner.getByText("New link").click();
  await fill(owner);
  await form.getByRole("button", { name: "Create link" }).click();
  await owner.waitForURL(`${origin}/browse/${itemId}/share`);
  await h.waitFor(
    "the new link",
    async () => (await owner.locator("[data-link-url]").count()) === before + 1,
  );
  return await owner.locator("[data-link-url]").first().inputValue();
}

/** What the visitor gets at `url` (status and page text), in the visitor's own browser. */
async function visit(url: string): Promise<{ status: number; text: string; page: Page }> {
  const page = await visitor.newPage();
  const res = await page.goto(url);
  return { status: res?.status() ?? 0, text: await page.locator("body").innerText(), page };
}

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"] });
  ({ browser, page: owner, origin } = await aliceThroughRelay(h, ZONE));
  await owner.goto(`${origin}/browse`);
  const root = await owner.locator("section.files[data-folder]").getAttribute("data-folder");
  const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: "#2a7" } }).png()
    .toBuffer();
  folder = await owner.evaluate(async ({ root, png }) => {
    await fetch(`/browse/${root}/mkdir`, { method: "POST", body: new URLSearchParams({ name: "Holiday" }) });
    const page = await (await fetch("/browse")).text();
    const id = /href="\/browse\/([A-Za-z0-9_-]+)"[^>]*>Holiday</.exec(page)![1]!;
    const form = new FormData();
    form.append("files", new File(["sunny all week"], "notes.txt", { type: "text/plain" }));
    form.append("files", new File([new Uint8Array(png)], "beach.png", { type: "image/png" }));
    await fetch(`/browse/${id}/upload`, { method: "POST", body: form });
    return id;
  }, { root, png: [...png] });
  visitor = await browser.newContext({ viewport: { width: 390, height: 844 }, acceptDownloads: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

test("a public folder link: the visitor browses, previews and downloads the folder as a zip", async () => {
  const url = await makeLink(folder, async (p) => {
    await p.locator("#l-label-new").fill("Holiday photos");
    await p.locator("#l-note-new").fill("Pictures from our trip");
  });
  expect(url).toMatch(new RegExp(`^${origin}/s/[A-Za-z0-9_-]{32}$`));
  expect(await seriousAxeViolations(owner)).toEqual([]);
  await shot("share-page", owner);
  const v = await visit(url);
  expect(v.status).toBe(200);
  expect(v.text).toContain("beach.png");
  expect(v.text).toContain("Pictures from our trip");
  expect(await seriousAxeViolations(v.page)).toEqual([]);
  await shot("visitor-folder-phone", v.page);
  await v.page.getByRole("link", { name: "notes.txt" }).click();
  expect(await v.page.locator("pre").innerText()).toContain("sunny all week");
  await v.page.goBack();
  const [download] = await Promise.all([
    v.page.waitForEvent("download"),
    v.page.getByRole("link", { name: "Download all as zip" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("Holiday.zip");
  // The owner sees it counted.
  await owner.goto(`${origin}/links`);
  expect(await owner.locator("[data-link-figures]").first().innerText()).toMatch(/1 view · 1 download/);
  expect(await seriousAxeViolations(owner)).toEqual([]);
}, 120_000);

test("a password link: wrong passwords are refused, then throttled with when to try again", async () => {
  const url = await makeLink(folder, async (p) => {
    await p.locator("#l-label-new").fill("Locked");
    await p.locator("#l-pw-new").fill("open sesame");
  });
  const v = await visit(url);
  expect(v.status).toBe(401);
  expect(v.text).toContain("is protected");
  for (let i = 0; i < 9; i++) {
    await v.page.locator("#g-password").fill(`guess ${i}`);
    await v.page.getByRole("button", { name: "Open" }).click();
    await h.waitFor(
      "That password is wrong",
      async () => (await v.page.locator("[role=alert]").innerText()).includes("That password is wrong"),
    );
  }
  await v.page.locator("#g-password").fill("guess 9");
  await v.page.getByRole("button", { name: "Open" }).click();
  await h.waitFor(
    "Try again after",
    async () => (await v.page.locator("[role=alert]").innerText()).includes("Try again after"),
  );
  await shot("visitor-throttled", v.page);
  // The owner's browser (signed in) previews it without the password, and sees the failures counted.
  await owner.goto(`${origin}/links`);
  expect(await owner.locator("[data-link-figures]").first().innerText()).toContain("10 failed passwords");
}, 120_000);

test("switched off → 404 and back; expiry and the download limit", async () => {
  const url = await makeLink(folder, async (p) => {
    await p.locator("#l-label-new").fill("Toggle");
    await p.locator("#l-lim-new").fill("1");
  });
  expect((await visit(url)).status).toBe(200);
  // Off, in the link's settings on the Share page.
  const card = owner.locator("article.fm-link").first();
  await card.locator("summary", { hasText: "Settings" }).click();
  await card.getByLabel(/Active/).uncheck();
  await card.getByRole("button", { name: "Save" }).click();
  await owner.waitForLoadState();
  expect((await visit(url)).status).toBe(404);
  await owner.locator("article.fm-link").first().locator("summary", { hasText: "Settings" }).click();
  await owner.locator("article.fm-link").first().getByLabel(/Active/).check();
  await owner.locator("article.fm-link").first().getByRole("button", { name: "Save" }).click();
  await owner.waitForLoadState();
  const again = await visit(url);
  expect(again.status).toBe(200);
  // One download allowed: the second is refused.
  const zip = (u: string) => again.page.evaluate(async (u) => (await fetch(u)).status, u);
  const zipUrl = `${new URL(url).pathname}/zip/${folder}`;
  expect(await zip(zipUrl)).toBe(200);
  expect(await zip(zipUrl)).toBe(403);
  // Expired yesterday → 404.
  await owner.locator("article.fm-link").first().locator("summary", { hasText: "Settings" }).click();
  const yesterday = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
  await owner.locator("article.fm-link").first().locator("input[name=expires]").fill(yesterday);
  await owner.locator("article.fm-link").first().getByRole("button", { name: "Save" }).click();
  await owner.waitForLoadState();
  expect((await visit(url)).status).toBe(404);
}, 120_000);

test("preview only: the visitor sees a rendered image, and every URL for the original refuses", async () => {
  const url = await makeLink(folder, async (p) => {
    await p.locator("#l-label-new").fill("Preview");
    await p.locator("form[action='/links']").getByLabel(/Preview only/).check();
  });
  const v = await visit(url);
  await v.page.getByRole("link", { name: "beach.png" }).click();
  const img = v.page.locator(".g-view img");
  await h.waitFor(
    "the rendition",
    () => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0),
  );
  expect(await img.getAttribute("src")).toContain("/render/");
  const item = /\/i\/([A-Za-z0-9_-]+)/.exec(v.page.url())![1]!;
  const base = new URL(url).pathname;
  const statuses = await v.page.evaluate(async (paths) => {
    const out: number[] = [];
    for (const p of paths) out.push((await fetch(p)).status);
    return out;
  }, [`${base}/files/${item}`, `${base}/files/${item}?download=1`, `${base}/zip/${folder}`]);
  expect(statuses).toEqual([403, 403, 403]);
  expect(await v.page.getByText("Download").count()).toBe(0);
}, 120_000);

test("file drop: the visitor sends a file and sees nothing of the folder; alice finds it", async () => {
  const url = await makeLink(folder, async (p) => {
    await p.locator("#l-label-new").fill("Inbox");
    await p.locator("form[action='/links']").getByLabel(/File drop/).check();
  });
  const v = await visit(url);
  expect(v.text).toContain("Send files to");
  expect(v.text).not.toContain("beach.png");
  await v.page.locator("[data-drop-input]").setInputFiles({
    name: "from-a-friend.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("hello alice"),
  });
  await h.waitFor(
    "the upload",
    () => v.page.locator("[data-drop-list] li[data-done]").count().then((n) => n === 1),
  );
  await shot("visitor-drop", v.page);
  await owner.goto(`${origin}/browse/${folder}`);
  expect(await owner.locator("#listing").innerText()).toContain("from-a-friend.txt");
}, 120_000);

test(
  "comments: a visitor comments on a shared file; alice replies, edits, deletes and resolves; activity shows it coalesced",
  async () => {
    await owner.goto(`${origin}/browse/${folder}`);
    const notes = await owner.locator("#listing a.fm-open", { hasText: "notes.txt" }).getAttribute("href");
    const noteId = notes!.split("/").at(-1)!;
    const url = await makeLink(noteId, async (p) => {
      await p.locator("#l-label-new").fill("Review");
      await p.locator("form[action='/links']").getByLabel(/Allow comments/).check();
    });
    const v = await visit(url);
    await v.page.locator("#cm-new-name").fill("Bob");
    await v.page.locator("#cm-new-text").fill("Looks **great**");
    await v.page.getByRole("button", { name: "Comment" }).click();
    await h.waitFor(
      "Looks great",
      async () => (await v.page.locator(".cm-section").innerText()).includes("Looks great"),
    );
    expect(await seriousAxeViolations(v.page)).toEqual([]);
    // alice sees it on the file's page, and in the bell.
    await owner.goto(`${origin}/browse/${noteId}`);
    const thread = owner.locator(".cm-thread").first();
    expect(await thread.innerText()).toContain("Bob");
    await thread.locator("summary", { hasText: "Reply" }).click();
    await thread.locator("textarea[name=content]").last().fill("Thanks Bob");
    await thread.getByRole("button", { name: "Reply" }).click();
    await h.waitFor(
      "the reply",
      async () => (await owner.locator(".cm-thread li", { hasText: "Thanks Bob" }).count()) === 1,
    );
    const reply = owner.locator(".cm-thread li", { hasText: "Thanks Bob" });
    await reply.locator("summary", { hasText: "Edit" }).click();
    await reply.locator("textarea").fill("Thanks, Bob!");
    await reply.getByRole("button", { name: "Save" }).click();
    await h.waitFor(
      "Thanks, Bob!",
      async () => (await owner.locator(".cm-thread").first().innerText()).includes("Thanks, Bob!"),
    );
    await owner.locator(".cm-thread li", { hasText: "Thanks, Bob!" }).getByRole("button", { name: "Delete" })
      .click();
    await h.waitFor(
      "This comment was removed.",
      async () =>
        (await owner.locator(".cm-thread").first().innerText()).includes("This comment was removed."),
    );
    await owner.locator(".cm-thread").first().getByRole("button", { name: "Resolve" }).click();
    await h.waitFor(
      "Resolved",
      async () => (await owner.locator(".cm-thread").first().innerText()).includes("Resolved"),
    );
    expect(await seriousAxeViolations(owner)).toEqual([]);
    await shot("comments-owner", owner);
    // The activity page: the files added to Holiday are one entry; the link's visits are counted.
    await owner.goto(`${origin}/activity`);
    const text = await owner.locator(".act-list").innerText();
    // alice's two uploads are one entry; the file dropped through "Inbox" is the link's, apart.
    expect(text).toContain("2 files added to Holiday");
    expect(text).toContain("from-a-friend.txt dropped into Holiday through link “Inbox”");
    expect(text).not.toContain("notes.txt added");
    expect(text).toMatch(/Link “Review” opened 1 time/);
    expect(text).toContain("Bob commented");
    expect(await seriousAxeViolations(owner)).toEqual([]);
    await shot("activity", owner);
  },
  120_000,
);
