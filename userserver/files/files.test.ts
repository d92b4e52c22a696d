/**
 * The file manager through the relayed app (no listeners): listing pages of a 10,000-item folder,
 * actions, trash, tus uploads, ranges, zips and thumbnails; property tests for every parser.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import fc from "fast-check";
import sharp from "sharp";
import { eq, sql } from "drizzle-orm";
import { silentLogger } from "../../shared/log/mod.ts";
import { blobs, items } from "../../shared/db/userserver/schema.ts";
import { startUserServer, type UserServer } from "../boot/mod.ts";
import { CONFIG_VERSION, loadUserServerConfig } from "../config/mod.ts";
import { ROOT_ID } from "../store/mod.ts";
import { decodeCursor, encodeCursor, likePattern, listQueryString, parseListQuery } from "./listing.ts";
import { parseRange } from "./range.ts";
import { parseUploadMetadata, UploadMetadataError } from "./uploads.ts";
import { Thumbnailer } from "./thumbs.ts";
import { zipStream } from "./zip.ts";

const TOKEN = "files-test-owner-token-0123456789abcdef";
const dir = mkdtempSync(join(tmpdir(), "hearth-files-"));
// Files to store are written outside the data directory: the store never reads inside it.
const srcDir = mkdtempSync(join(tmpdir(), "hearth-files-src-"));
writeFileSync(
  join(dir, "config.json"),
  JSON.stringify({ version: CONFIG_VERSION, name: "alice", setupDone: true, testOwnerToken: TOKEN }),
);
let s: UserServer;
beforeAll(async () => {
  const { config } = loadUserServerConfig(dir, join(dir, "config.json"));
  s = await startUserServer({ config, log: silentLogger, listen: false });
});
afterAll(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(srcDir, { recursive: true, force: true });
});

const ORIGIN = "https://alice.hearth.localhost";
function req(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const extra = headers.get("cookie");
  headers.set("cookie", `${extra ? `${extra}; ` : ""}__Host-hearth-test-owner=${TOKEN}`);
  headers.set("origin", ORIGIN); // a browser on alice's own pages (the CSRF check wants it)
  return Promise.resolve(s.relayedApp.request(`${ORIGIN}${path}`, { ...init, headers }));
}
const post = (path: string, form: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
  return req(path, { method: "POST", body });
};
const store = () => s.core.store;
const names = (html: string) =>
  [...html.matchAll(/class="fm-open" href="\/browse\/[^"]+">([^<]+)</g)].map((m) => m[1]);
const sha = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");
const b64 = (v: string) => Buffer.from(v).toString("base64");

async function put(parentId: string, name: string, content: string | Uint8Array) {
  const p = join(srcDir, `src-${Math.random()}`);
  writeFileSync(p, content);
  const r = await store().importFile(parentId, name, p, { mtime: 1_700_000_000_000 });
  rmSync(p);
  return r.item;
}

describe("a 10,000-item folder", () => {
  let big: string;
  beforeAll(async () => {
    big = (await store().createFolder(ROOT_ID, "Big")).id;
    // Rows straight into the table (same shape the store writes), so the setup takes a moment.
    const blob = await store().blobs.putBytes(new TextEncoder().encode("x"));
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      id: `big-${i}`,
      parentId: big,
      name: `file-${String(i).padStart(5, "0")}.txt`,
      kind: "file" as const,
      type: "text/plain",
      size: (i * 7919) % 100_003,
      mtime: 1_700_000_000_000 + i,
      blobHash: blob.hash,
      aclSet: false,
      createdAt: 1,
    }));
    await s.db.write(async () => {
      for (let i = 0; i < rows.length; i += 500) await s.db.orm.insert(items).values(rows.slice(i, i + 500));
      await s.db.orm.insert(blobs).values({ hash: blob.hash, size: 1, refs: rows.length, createdAt: 1 });
    });
    await store().createFolder(big, "A folder");
  });

  test("first page, next page and sort by size are correct and paginated, with the count", async () => {
    const first = await (await req(`/browse/${big}`)).text();
    expect(first).toContain("1–100 of 10,001 items"); // DEFAULT_PER
    const n1 = names(first);
    expect(n1).toHaveLength(100);
    expect(n1[0]).toBe("A folder"); // folders first
    expect(n1[1]).toBe("file-00000.txt");
    const second = names(await (await req(`/browse/${big}?page=2`)).text());
    expect(second[0]).toBe("file-00099.txt");
    expect(second).toHaveLength(100);
    const last = await (await req(`/browse/${big}?page=101`)).text();
    expect(last).toContain("10,001–10,001 of 10,001");
    expect(names(last)).toEqual(["file-09999.txt"]);

    const bySize = await (await req(`/browse/${big}/listing?sort=size&dir=desc&per=100&page=2`)).text();
    const all = Array.from(
      { length: 10_000 },
      (_, i) => ({ name: `file-${String(i).padStart(5, "0")}.txt`, size: (i * 7919) % 100_003 }),
    )
      .sort((a, b) => b.size - a.size || b.name.localeCompare(a.name));
    // Page 2 of 100: the folder took one slot on page 1.
    expect(names(bySize)).toEqual(all.slice(99, 199).map((x) => x.name));
    const filtered = await (await req(`/browse/${big}/listing?q=file-0999`)).text();
    expect(names(filtered)).toEqual(Array.from({ length: 10 }, (_, i) => `file-0999${i}.txt`));
    expect(filtered).toContain(">10 items<"); // one page: no "1–10 of"
    const none = await (await req(`/browse/${big}/listing?q=%25_`)).text();
    expect(none).toContain("Nothing named like");
  });
});

describe("keyset pages", () => {
  let big: string;
  const N = 1_200;
  beforeAll(async () => {
    big = (await store().createFolder(ROOT_ID, "Keyset")).id;
    const blob = await store().blobs.putBytes(new TextEncoder().encode("y"));
    // Sizes repeat (ties broken by name) and names differ only in case in places ("B" and "b").
    const rows = Array.from({ length: N }, (_, i) => ({
      id: `ks-${i}`,
      parentId: big,
      name: `${i % 7 === 0 ? "K" : "k"}-${String(i).padStart(4, "0")}`,
      kind: "file" as const,
      type: "text/plain",
      size: i % 13,
      mtime: 1_700_000_000_000 + (i % 5),
      blobHash: blob.hash,
      aclSet: false,
      createdAt: 1,
    }));
    await s.db.write(async () => {
      await s.db.orm.insert(items).values(rows);
      await s.db.orm.insert(blobs).values({ hash: blob.hash, size: 1, refs: rows.length, createdAt: 1 });
    });
    for (const f of ["b", "B", "a"]) await store().createFolder(big, f);
  });
  const link = (html: string, rel: "next" | "prev") =>
    new RegExp(`rel="${rel}"\\s+href="([^"]+)"`).exec(html)?.[1]?.replaceAll("&amp;", "&");

  test(
    "Next and Previous links walk the whole folder once, in order, for every sort; page numbers agree",
    async () => {
      for (const sort of ["name", "size", "mtime", "type"] as const) {
        for (const dir of ["asc", "desc"] as const) {
          const seen: string[][] = [];
          let url: string | undefined = `/browse/${big}/listing?sort=${sort}&dir=${dir}&per=50`;
          const urls: string[] = [];
          while (url) {
            urls.push(url);
            const html = await (await req(url)).text();
            seen.push(names(html));
            url = link(html, "next");
            // Keyset: the link names the row the next page starts after, not a count to skip.
            if (url) expect(url).toContain("after=");
          }
          const flat = seen.flat();
          expect([sort, dir, flat.length, new Set(flat).size]).toEqual([sort, dir, N + 3, N + 3]);
          // The same pages by bare page number (no cursor), and backwards by the Previous links.
          for (const p of [2, 7, seen.length]) {
            const html = await (await req(`/browse/${big}/listing?sort=${sort}&dir=${dir}&per=50&page=${p}`))
              .text();
            expect([sort, dir, p, names(html)]).toEqual([sort, dir, p, seen[p - 1]]);
          }
          let back = link(await (await req(urls.at(-1)!)).text(), "prev");
          for (let p = seen.length - 1; back; p--) {
            const html = await (await req(back)).text();
            expect([sort, dir, p, names(html)]).toEqual([sort, dir, p, seen[p - 1]]);
            back = link(html, "prev");
            if (back) expect(back).toContain("before=");
          }
        }
      }
      // Name order: folders first, case-insensitive, ties by exact name.
      const first = names(await (await req(`/browse/${big}/listing?per=50`)).text());
      expect(first.slice(0, 4)).toEqual(["a", "B", "b", "K-0000"]);
    },
    120_000,
  );

  test("starred items show their star in the listing", async () => {
    const starred = await req(`/browse/${big}/listing?per=50`);
    expect(await starred.text()).not.toContain('class="fm-star"');
    expect((await post("/files/favorite", { ids: ["ks-7", "ks-14"], back: `/browse/${big}` })).status).toBe(
      303,
    );
    const html = await (await req(`/browse/${big}/listing?q=k-00&per=500`)).text();
    expect(html.match(/class="fm-star"/g)).toHaveLength(2);
  });

  test("a chosen page size survives filtering and sorting (the form keeps it)", async () => {
    const html = await (await req(`/browse/${big}?per=200`)).text();
    expect(html).toContain('<input type="hidden" name="per" value="200"');
    expect(await (await req(`/browse/${big}`)).text()).not.toContain('name="per" value=');
  });
});

describe("parsers (property tests)", () => {
  test("parseListQuery never throws and always yields a valid query that round-trips", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom("sort", "dir", "q", "page", "per", "view", "x"), fc.string()),
        (input) => {
          const q = parseListQuery(input);
          expect(["name", "size", "mtime", "type"]).toContain(q.sort);
          expect(q.page).toBeGreaterThanOrEqual(1);
          expect([50, 100, 200, 500]).toContain(q.per);
          const again = parseListQuery(Object.fromEntries(new URLSearchParams(listQueryString(q))));
          expect(again).toEqual(q);
        },
      ),
      { numRuns: 400 },
    );
    expect(likePattern("50%_a\\")).toBe("%50\\%\\_a\\\\%");
  });

  test("cursors: random and truncated strings never throw; encoded ones round-trip", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (raw) => {
        const c = decodeCursor(raw);
        if (c) expect(["folder", "file"]).toContain(c.kind);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.record({
          kind: fc.constantFrom("folder" as const, "file" as const),
          value: fc.oneof(fc.constant(null), fc.string(), fc.maxSafeInteger()),
          name: fc.string({ maxLength: 255 }),
        }),
        fc.nat(),
        (c, cut) => {
          const s = encodeCursor(c);
          expect(decodeCursor(s)).toEqual(c);
          const truncated = s.slice(0, cut % Math.max(1, s.length));
          const d = decodeCursor(truncated);
          if (d) expect(["folder", "file"]).toContain(d.kind);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("parseRange: table and random headers stay within the file", () => {
    expect(parseRange("bytes=0-99", 1000)).toEqual({ kind: "partial", start: 0, end: 99 });
    expect(parseRange("bytes=900-", 1000)).toEqual({ kind: "partial", start: 900, end: 999 });
    expect(parseRange("bytes=-100", 1000)).toEqual({ kind: "partial", start: 900, end: 999 });
    expect(parseRange("bytes=-5000", 1000)).toEqual({ kind: "partial", start: 0, end: 999 });
    expect(parseRange("bytes=0-5000", 1000)).toEqual({ kind: "partial", start: 0, end: 999 });
    expect(parseRange("bytes=1000-", 1000)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=0-1,5-6", 1000)).toEqual({ kind: "full" });
    expect(parseRange("items=0-1", 1000)).toEqual({ kind: "full" });
    expect(parseRange("bytes=5-1", 1000)).toEqual({ kind: "full" });
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `bytes=${a}-${b}`)),
        fc.nat(1e9),
        (h, size) => {
          const r = parseRange(h, size);
          if (r.kind === "partial") {
            expect(r.start).toBeGreaterThanOrEqual(0);
            expect(r.end).toBeLessThan(size);
            expect(r.start).toBeLessThanOrEqual(r.end);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  test("parseUploadMetadata round-trips any UTF-8 values and refuses malformed headers clearly", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/), fc.string({ unit: "grapheme" })),
        (meta) => {
          const header = Object.entries(meta).map(([k, v]) => (v ? `${k} ${b64(v)}` : k)).join(",");
          expect(parseUploadMetadata(header)).toEqual(meta);
        },
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string(), (h) => {
        try {
          parseUploadMetadata(h);
        } catch (e) {
          expect(e).toBeInstanceOf(UploadMetadataError);
        }
      }),
      { numRuns: 1000 },
    );
    expect(() => parseUploadMetadata("a YQ==,a YQ==")).toThrow('key "a" appears twice');
    expect(() => parseUploadMetadata("a !!!")).toThrow("is not base64");
  });
});

/** The notice an action's redirect leaves for the next page (a one-time `__Host-hearth-flash` cookie). */
function noticeOf(res: Response): string {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-hearth-flash="));
  if (!cookie) return "";
  const notice = JSON.parse(decodeURIComponent(cookie.split(";")[0].slice("__Host-hearth-flash=".length)));
  return notice.error ?? notice.ok ?? "";
}

describe("views", () => {
  test("in icon view a subfolder opens in icon view too; files open as before", async () => {
    const parent = await store().createFolder(ROOT_ID, "Icons here");
    const sub = await store().createFolder(parent.id, "Sub");
    const f = await put(parent.id, "pic.txt", "x");
    const icons = await (await req(`/browse/${parent.id}?view=icons`)).text();
    expect(icons).toContain(`href="/browse/${sub.id}?view=icons"`);
    expect(icons).toContain(`href="/browse/${f.id}"`);
    const list = await (await req(`/browse/${parent.id}`)).text();
    expect(list).toContain(`href="/browse/${sub.id}"`);
  });
});

describe("actions", () => {
  test("a notice is shown once on the page the action returns to, not again on reload", async () => {
    const dup = await post(`/browse/${ROOT_ID}/mkdir`, { name: "a/b" });
    expect(dup.headers.get("location")).toBe("/browse");
    const flash = dup.headers.getSetCookie().find((c) => c.startsWith("__Host-hearth-flash="))!.split(";")[0];
    const first = await req("/browse", { headers: { cookie: flash } });
    expect(await first.text()).toContain("cannot contain &quot;/&quot;");
    // The page clears it: a reload (without the cookie, as the browser then has none) shows nothing.
    expect(first.headers.getSetCookie().some((c) => /^__Host-hearth-flash=;/.test(c))).toBe(true);
    expect(await (await req("/browse")).text()).not.toContain("cannot contain");
  });

  test("the Move picker: a tree with nothing chosen, the items' folder disabled, moved folders left out", async () => {
    await post(`/browse/${ROOT_ID}/mkdir`, { name: "Pick A" });
    const a = (await store().items.childByName(ROOT_ID, "Pick A"))!;
    await post(`/browse/${a.id}/mkdir`, { name: "Inside A" });
    await post(`/browse/${ROOT_ID}/mkdir`, { name: "Pick B" });
    const b = (await store().items.childByName(ROOT_ID, "Pick B"))!;
    await post(`/browse/${b.id}/mkdir`, { name: "Inside B" });
    const html = await (await req(`/files-ui/picker?action=move&ids=${a.id}`)).text();
    expect(html).not.toContain("Pick A"); // the folder being moved …
    expect(html).not.toContain("Inside A"); // … and what is inside it
    expect(html).toContain("Inside B"); // other folders' subfolders are in the tree
    expect(html).not.toContain("checked");
    expect(html).toMatch(new RegExp(`value="${ROOT_ID}"[^>]*disabled`)); // Home: the items are there
    const copy = await (await req(`/files-ui/picker?action=copy&ids=${a.id}`)).text();
    expect(copy).not.toMatch(new RegExp(`value="${ROOT_ID}"[^>]*disabled`)); // a copy may land beside
  });

  test("Recent and Favorites use the folder's rows and selection bar; unstar from it; Trash says where from", async () => {
    await post(`/browse/${ROOT_ID}/mkdir`, { name: "Starred place" });
    const place = (await store().items.childByName(ROOT_ID, "Starred place"))!;
    const f = await put(place.id, "starred.txt", "star me");
    await post("/files/favorite", { ids: [f.id], on: "1", back: "/favorites" });
    const favs = await (await req("/favorites")).text();
    expect(favs).toContain(`aria-label="Select starred.txt"`); // the listing's own row …
    expect(favs).toContain('id="fm-sel"'); // … and its selection bar
    expect(favs).toContain("Unstar");
    const off = await post("/files/favorite", { ids: [f.id], on: "0", back: "/favorites" });
    expect(off.headers.get("location")).toBe("/favorites");
    expect(await (await req("/favorites")).text()).not.toContain("starred.txt");
    await req(`/browse/${f.id}`); // opened: recent
    expect(await (await req("/recent")).text()).toContain(`aria-label="Select starred.txt"`);
    await post("/files/trash", { ids: [f.id], back: "/browse" });
    const trash = await (await req("/trash")).text();
    expect(trash).toContain(`from <a href="/browse/${place.id}">Home / Starred place</a>`);
  });

  test(
    "select all across pages: the pager's first/last links; trash all of a filtered folder; a selection as one zip",
    async () => {
      await post(`/browse/${ROOT_ID}/mkdir`, { name: "Many" });
      const many = (await store().items.childByName(ROOT_ID, "Many"))!;
      for (let i = 0; i < 230; i++) {
        await put(many.id, `${i % 2 ? "odd" : "even"}-${String(i).padStart(3, "0")}.txt`, `${i}`);
      }
      const first = await (await req(`/browse/${many.id}`)).text();
      expect(first).toContain('title="Last page"');
      expect(first).not.toContain('title="First page"');
      expect(first).toContain(`href="/browse/${many.id}?page=3"`);
      const last = await (await req(`/browse/${many.id}?page=3`)).text();
      expect(last).toContain('title="First page"');
      expect(last).toContain("Page 3 of 3");
      // A selection as one zip: the ticked files, and a folder with what is below it.
      const zip = await post("/files/zip", {
        ids: [(await store().items.childByName(many.id, "even-000.txt"))!.id, many.id],
        from: ROOT_ID,
      });
      expect(zip.headers.get("content-type")).toBe("application/zip");
      const bytes = new Uint8Array(await zip.arrayBuffer());
      const zpath = join(srcDir, "sel.zip");
      writeFileSync(zpath, bytes);
      const listed = Bun.spawnSync(["zipinfo", "-1", zpath]).stdout.toString().trim().split("\n");
      expect(listed).toContain("even-000.txt");
      expect(listed).toContain("Many/odd-229.txt");
      expect(listed.filter((n) => n.startsWith("Many/")).length).toBe(231); // the folder and its 230 files
      // "Select all" with a filter: every "odd" file on every page goes, the others stay.
      const gone = await post("/files/trash", { all: many.id, allq: "odd", back: `/browse/${many.id}` });
      expect(noticeOf(gone)).toContain("115 items moved to the trash");
      const left = await store().items.children(many.id);
      expect(left.length).toBe(115);
      expect(left.every((i) => i.name.startsWith("even"))).toBe(true);
    },
    120_000,
  );

  test("mkdir, rename, move, copy (same blob), trash, restore and empty", async () => {
    const made = await post(`/browse/${ROOT_ID}/mkdir`, { name: "Work" });
    expect(made.status).toBe(303);
    const work = (await store().items.childByName(ROOT_ID, "Work"))!;
    const bad = await post(`/browse/${ROOT_ID}/mkdir`, { name: "a/b" });
    expect(noticeOf(bad)).toContain('cannot contain "/"');
    const dup = await post(`/browse/${ROOT_ID}/mkdir`, { name: "Work" });
    expect(noticeOf(dup)).toContain('"Work" already exists in Home');

    const a = await put(ROOT_ID, "a.txt", "alpha");
    await post(`/browse/${a.id}/rename`, { name: "alpha.txt" });
    expect((await store().items.get(a.id))!.name).toBe("alpha.txt");
    await post("/files/move", { ids: [a.id], target: work.id });
    expect((await store().items.get(a.id))!.parentId).toBe(work.id);
    const cyc = await post("/files/move", { ids: [work.id], target: work.id, back: "/browse" });
    expect(noticeOf(cyc)).toContain("cannot be moved into itself");
    const same = await post("/files/move", { ids: [a.id], target: work.id, back: "/browse" });
    expect(noticeOf(same)).toBe("Already in Work: choose another folder");

    await post("/files/copy", { ids: [a.id], target: work.id });
    const copy = (await store().items.childByName(work.id, "alpha (copy).txt"))!;
    expect(copy.blobHash).toBe(a.blobHash);
    const ref = await s.db.orm.select().from(blobs).where(eq(blobs.hash, a.blobHash!)).get();
    expect(ref!.refs).toBe(2);

    await post("/files/trash", { ids: [work.id], back: "/browse" });
    expect(await store().items.childByName(ROOT_ID, "Work")).toBeUndefined();
    expect(await (await req("/trash")).text()).toContain("Work");
    expect((await req(`/browse/${work.id}`)).status).toBe(404);
    await post(`/trash/${work.id}/restore`, {});
    expect((await store().items.childByName(ROOT_ID, "Work"))!.id).toBe(work.id);

    await post("/files/trash", { ids: [work.id] });
    await post("/trash/empty", {});
    expect(await store().items.get(a.id)).toBeUndefined();
    expect(store().blobs.has(a.blobHash!)).toBe(false);
    expect(
      (await s.db.orm.select({ n: sql<number>`count(*)` }).from(items).where(eq(items.parentId, "trash"))
        .get())!.n,
    )
      .toBe(0);
  });

  test("a text file previews with line numbers, edits and saves; stale edits are refused", async () => {
    const f = await put(ROOT_ID, "notes.md", "line one\nline two\n");
    const page = await (await req(`/browse/${f.id}`)).text();
    expect(page.match(/class="ln"/g)).toHaveLength(2);
    const saved = await post(`/browse/${f.id}/edit`, { content: "new text", base: f.blobHash! });
    expect(saved.status).toBe(303);
    const after = (await store().items.get(f.id))!;
    expect(after.blobHash).toBe(sha("new text"));
    // A stale save keeps the user's text in the editor and shows the newer version beside it.
    const stale = await post(`/browse/${f.id}/edit`, { content: "my <edit> & more", base: f.blobHash! });
    expect(stale.status).toBe(409);
    const conflict = await stale.text();
    expect(conflict).toContain("changed since you opened it");
    expect(conflict).toContain("my &lt;edit&gt; &amp; more");
    expect(conflict).toContain('id="fm-theirs"');
    expect(conflict).toContain("new text");
    expect((await store().items.get(f.id))!.blobHash).toBe(sha("new text"));
    expect(await (await req("/recent")).text()).toContain("notes.md");
    // "Save as a copy" keeps both; "Overwrite" replaces the newer version.
    const copy = await post(`/browse/${f.id}/edit`, {
      content: "my edit",
      base: f.blobHash!,
      action: "copy",
    });
    expect(copy.status).toBe(303);
    const copied = (await store().items.children(ROOT_ID)).find((i) => i.name === "notes (copy).md");
    expect(copied?.blobHash).toBe(sha("my edit"));
    expect((await store().items.get(f.id))!.blobHash).toBe(sha("new text"));
    const over = await post(`/browse/${f.id}/edit`, {
      content: "mine wins",
      base: f.blobHash!,
      action: "overwrite",
    });
    expect(over.status).toBe(303);
    expect((await store().items.get(f.id))!.blobHash).toBe(sha("mine wins"));
  });

  test("downloads support ranges; folders stream as a zip whose contents match", async () => {
    const folder = await store().createFolder(ROOT_ID, "Zipped ü");
    const sub = await store().createFolder(folder.id, "sub");
    const big = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff);
    const f1 = await put(folder.id, "big.bin", big);
    await put(sub.id, "hello.txt", "hello");
    const range = await req(`/files/${f1.id}`, { headers: { range: "bytes=100-199" } });
    expect(range.status).toBe(206);
    expect(range.headers.get("content-range")).toBe("bytes 100-199/300000");
    expect(new Uint8Array(await range.arrayBuffer())).toEqual(big.subarray(100, 200));
    expect((await req(`/files/${f1.id}`, { headers: { range: "bytes=400000-" } })).status).toBe(416);

    const zip = new Uint8Array(await (await req(`/browse/${folder.id}/zip`)).arrayBuffer());
    const zpath = join(dir, "out.zip");
    writeFileSync(zpath, zip);
    const py = Bun.spawnSync([
      "python3",
      "-c",
      `
import zipfile, hashlib, json, sys
z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None
print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))`,
      zpath,
    ]);
    expect(py.stderr.toString()).toBe("");
    expect(JSON.parse(py.stdout.toString())).toEqual({
      "Zipped ü/big.bin": sha(big),
      "Zipped ü/sub/": sha(""),
      "Zipped ü/sub/hello.txt": sha("hello"),
    });
  });

  // Speed-independent: fast-check only builds the zips (in-process, quick); ONE python process then
  // reads them all, so a loaded machine pays one interpreter start, not one per run. The timeout
  // is explicit and generous; the comparison still fails on any wrong byte or name.
  test("the zip writer: random trees round-trip through python's zipfile", async () => {
    const cases: Array<{ path: string; want: Record<string, string> }> = [];
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.tuple(fc.stringMatching(/^[a-zA-Z0-9 éü._-]{1,12}$/), fc.uint8Array({ maxLength: 2000 })),
          {
            selector: (x) => x[0],
            maxLength: 6,
          },
        ),
        async (files) => {
          const out = new Uint8Array(
            await new Response(
              zipStream(files.map(([n, b]) => ({
                path: `d/${n}`,
                mtime: 0,
                size: b.length,
                open: () => new Blob([b]).stream(),
              }))),
            ).arrayBuffer(),
          );
          const path = join(dir, `prop-${cases.length}.zip`);
          writeFileSync(path, out);
          cases.push({ path, want: Object.fromEntries(files.map(([n, b]) => [`d/${n}`, sha(b)])) });
        },
      ),
      { numRuns: 15 },
    );
    const py = Bun.spawn([
      "python3",
      "-c",
      `
import zipfile, hashlib, json, sys
out = []
for p in sys.argv[1:]:
    z = zipfile.ZipFile(p); assert z.testzip() is None
    out.append({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()})
print(json.dumps(out))`,
      ...cases.map((c) => c.path),
    ], { stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr] = await Promise.all([
      new Response(py.stdout).text(),
      new Response(py.stderr).text(),
    ]);
    expect(stderr).toBe("");
    expect(await py.exited).toBe(0);
    expect(JSON.parse(stdout)).toEqual(cases.map((c) => c.want));
  }, 60_000);
});

describe("tus uploads", () => {
  test("create, send half, ask the offset, send the rest: the item lands with the right hash", async () => {
    const data = new Uint8Array(1_000_000).map((_, i) => (i * 13) & 0xff);
    const meta = `filename ${b64("upload ü.bin")},parent ${b64(ROOT_ID)},mtime ${b64("1700000000000")}`;
    const created = await req("/upload/tus", {
      method: "POST",
      headers: { "tus-resumable": "1.0.0", "upload-length": String(data.length), "upload-metadata": meta },
    });
    expect(created.status).toBe(201);
    const url = created.headers.get("location")!;
    expect(url).toStartWith("/upload/tus/");
    const patch = (from: number, to: number) =>
      req(url, {
        method: "PATCH",
        headers: {
          "tus-resumable": "1.0.0",
          "upload-offset": String(from),
          "content-type": "application/offset+octet-stream",
        },
        body: data.slice(from, to),
      });
    expect((await patch(0, 400_000)).status).toBe(204);
    expect(await store().items.childByName(ROOT_ID, "upload ü.bin")).toBeUndefined(); // not visible yet
    const head = await req(url, { method: "HEAD", headers: { "tus-resumable": "1.0.0" } });
    expect(head.headers.get("upload-offset")).toBe("400000");
    const done = await patch(400_000, data.length);
    expect(done.status).toBe(204);
    const item = (await store().items.childByName(ROOT_ID, "upload ü.bin"))!;
    expect(item.blobHash).toBe(sha(data));
    expect(done.headers.get("hearth-item-id")).toBe(item.id);
    expect(sha(readFileSync(store().blobs.pathOf(item.blobHash!)))).toBe(sha(data));

    const badName = await req("/upload/tus", {
      method: "POST",
      headers: {
        "tus-resumable": "1.0.0",
        "upload-length": "1",
        "upload-metadata": `filename ${b64("..")},parent ${b64(ROOT_ID)}`,
      },
    });
    expect(badName.status).toBe(400);
    expect(await badName.text()).toContain('Name ".." is reserved');
    const noFolder = await req("/upload/tus", {
      method: "POST",
      headers: {
        "tus-resumable": "1.0.0",
        "upload-length": "1",
        "upload-metadata": `filename ${b64("x")},parent ${b64("nope")}`,
      },
    });
    expect(noFolder.status).toBe(404);
  });
});

describe("thumbnails", () => {
  test("made once per content: a renamed or copied image reuses the cached one", async () => {
    const png = await sharp({
      create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 80, b: 40 } },
    })
      .png().toBuffer();
    const img = await put(ROOT_ID, "photo.png", png);
    const res = await req(`/files/${img.id}/thumb`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/webp");
    const meta = await sharp(new Uint8Array(await res.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([256, 256]);
    const thumbFile = join(dir, "thumbs", img.blobHash!.slice(0, 2), `${img.blobHash}.webp`);
    const before = readFileSync(thumbFile);
    await post(`/browse/${img.id}/rename`, { name: "renamed.png" });
    expect((await req(`/files/${img.id}/thumb`)).status).toBe(200);
    expect(readFileSync(thumbFile)).toEqual(before);
    expect((await req(`/files/${(await put(ROOT_ID, "x.txt", "x")).id}/thumb`)).status).toBe(404);
  });

  test("what is on screen jumps the queue; concurrency stays bounded", async () => {
    const tdir = mkdtempSync(join(tmpdir(), "hearth-thumbq-"));
    const t = new Thumbnailer(tdir, silentLogger, 1);
    const srcs = await Promise.all(Array.from({ length: 6 }, async (_, i) => {
      const p = join(tdir, `${i}.png`);
      writeFileSync(
        p,
        await sharp({
          create: { width: 300, height: 200, channels: 3, background: { r: i * 40, g: 0, b: 0 } },
        }).png().toBuffer(),
      );
      return { p, h: sha(String(i)).replace(/^../, `${i}${i}`) };
    }));
    const order: number[] = [];
    const bg = srcs.slice(0, 5).map((s, i) => t.get(s.h, s.p, "background").then(() => void order.push(i)));
    expect(t.status().running).toBe(1);
    const vis = t.get(srcs[5].h, srcs[5].p, "visible").then(() => void order.push(5));
    await Promise.all([...bg, vis]);
    // Job 0 was already running; the visible one went next, before the queued background ones.
    expect(order.slice(0, 2)).toEqual([0, 5]);
    expect(t.stats.generated).toBe(6);
    rmSync(tdir, { recursive: true, force: true });
  });
});

test("the stored figure follows a new file at once, not after its cache runs out", async () => {
  const stored = async () =>
    /([0-9.,]+ (?:B|KB|MB|GB)) stored/.exec(await (await req("/browse")).text())?.[1];
  const before = await stored();
  expect(before).toBeDefined();
  await put(ROOT_ID, `usage-${Date.now()}.bin`, new Uint8Array(300_000).map((_, i) => (i * 7 + 3) & 0xff));
  expect(await stored()).not.toBe(before);
});
