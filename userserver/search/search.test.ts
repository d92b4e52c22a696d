import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import fc from "fast-check";
import JSZip from "jszip";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { type TestCore, testCore } from "../_test_core.ts";
import { Comments } from "../comments/store.ts";
import { ROOT_ID } from "../store/mod.ts";
import { makeDocx, makeMp3, makeOds, makeOdt, makePdf, makeXlsx } from "./_fixtures.ts";
import { parseQuery, Search, type SearchOptions } from "./mod.ts";

let core: TestCore;
let search: Search;

async function open(options: SearchOptions = {}): Promise<Search> {
  const s = new Search(core.db, core.store, core.signals, core.log, options);
  await s.start();
  return s;
}

async function put(name: string, content: Uint8Array | string, parentId = ROOT_ID): Promise<string> {
  const path = join(core.dir, `src-${name}`);
  writeFileSync(path, content);
  const { item } = await core.store.importFile(parentId, name, path, { mtime: Date.now() });
  return item.id;
}

async function names(q: string, extra: Record<string, unknown> = {}): Promise<string[]> {
  return (await search.search({ q, ...extra })).hits.map((h) => h.name);
}

beforeEach(async () => {
  core = await testCore();
});
afterEach(async () => {
  await search?.stop();
  core.close();
});

describe("search: extraction and queries", () => {
  test("finds files by content of every supported kind, with highlighted snippets", async () => {
    search = await open();
    await put("notes.md", "# Garden\nThe **tomatoes** need water on Tuesday.");
    await put(
      "page.html",
      "<html><script>var hidden = 'scriptword'</script><p>Visit the lighthouse</p></html>",
    );
    await put("legacy.txt", new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x63, 0x72, 0xe8, 0x6d, 0x65])); // "café crème" in Latin-1
    await put("report.pdf", makePdf(["Quarterly report", "The zeppelin budget"]));
    await put("minutes.docx", await makeDocx(["Minutes of the orchard committee"]));
    await put("budget.xlsx", await makeXlsx({ Hangar: [["Dirigible mooring", 1200]] }));
    await put("letter.odt", await makeOdt("Dear neighbour", ["About the quince tree."]));
    await put("plants.ods", await makeOds({ Beds: [["Lavender", 3]] }));
    await put("song.mp3", makeMp3({ title: "Blue Moon", artist: "Fitzgerald", album: "Songbook" }));
    const jpg = await sharp({ create: { width: 8, height: 8, channels: 3, background: "red" } }).jpeg()
      .withExif({ IFD0: { Make: "Canon", Model: "EOS 5D", ImageDescription: "Sunset at the pier" } })
      .toBuffer();
    await put("IMG_0001.jpg", jpg);
    await search.indexer.idle();

    expect(await names("tomatoes")).toEqual(["notes.md"]);
    expect(await names("lighthouse")).toEqual(["page.html"]);
    expect(await names("scriptword")).toEqual([]); // script text is not page text
    expect(await names("creme")).toEqual(["legacy.txt"]); // charset detected, diacritics folded
    expect(await names("zeppelin")).toEqual(["report.pdf"]);
    expect(await names("orchard")).toEqual(["minutes.docx"]);
    expect(await names("dirigible hangar")).toEqual(["budget.xlsx"]); // a cell and the sheet's name
    expect(await names("quince")).toEqual(["letter.odt"]);
    expect(await names("lavender")).toEqual(["plants.ods"]);
    expect(await names("fitzgerald")).toEqual(["song.mp3"]);
    expect(await names("canon pier")).toEqual(["IMG_0001.jpg"]);
    const hit = (await search.search({ q: "zeppelin" })).hits[0]!;
    expect(hit.snippet).toContain("<mark>zeppelin</mark>");
    expect(hit.path).toBe("");
  });

  test("prefix while typing, phrases, exclusions, and snippets are escaped HTML", async () => {
    search = await open();
    await put("a.txt", "the quick brown fox <b>jumps</b>");
    await put("b.txt", "a quick red fox");
    await put("c.txt", "brown quick bear");
    await search.indexer.idle();
    expect((await names("qui")).sort()).toEqual(["a.txt", "b.txt", "c.txt"]);
    expect(await names('"quick brown"')).toEqual(["a.txt"]);
    expect((await names("quick -bear")).sort()).toEqual(["a.txt", "b.txt"]);
    const snippet = (await search.search({ q: "jumps" })).hits[0]!.snippet;
    expect(snippet).not.toContain("<b>");
    expect(snippet).toContain("&#60;b&#62;<mark>jumps</mark>");
  });

  test("a name within a typo is found through the trigram index", async () => {
    search = await open();
    await put("holiday.jpg", "not an image");
    await put("invoice.txt", "numbers");
    await search.indexer.idle();
    const r = await search.search({ q: "holliday" });
    expect(r.hits.map((h) => [h.name, h.match])).toEqual([["holiday.jpg", "name-typo"]]);
  });

  test("filters: folder, type, size, date; and the visibility hook", async () => {
    search = await open();
    const docs = await core.store.createFolder(ROOT_ID, "Docs");
    const inside = await put("alpha.txt", "shared word", docs.id);
    await put("beta.txt", "shared word");
    await put("gamma.md", "shared word and more text");
    await search.indexer.idle();
    expect(await names("shared", { folderId: docs.id })).toEqual(["alpha.txt"]);
    expect(await names("shared", { types: ["text/markdown"] })).toEqual(["gamma.md"]);
    expect(await names("shared", { minSize: 20 })).toEqual(["gamma.md"]);
    expect(await names("shared", { from: Date.now() + 60_000 })).toEqual([]);
    const hits =
      (await search.search({ q: "shared", visible: () => Promise.resolve(new Set([inside])) })).hits;
    expect(hits.map((h) => [h.name, h.path])).toEqual([["alpha.txt", "Docs"]]);
  });

  test("a deleted file is gone from results at once, without waiting for the indexer", async () => {
    search = await open();
    const id = await put("secret.txt", "marmalade recipe");
    await search.indexer.idle();
    expect(await names("marmalade")).toEqual(["secret.txt"]);
    await core.store.delete(id);
    expect(await names("marmalade")).toEqual([]);
    const rows = await core.db.client.execute(
      "SELECT count(*) AS n FROM search_fts WHERE search_fts MATCH 'marmalade'",
    );
    expect(Number(rows.rows[0]!.n)).toBe(0);
  });

  test("a word in most documents is answered newest-first from a bounded window, not ranked", async () => {
    search = await open({ guardMatches: 5 });
    for (let i = 0; i < 12; i++) await put(`common-${String(i).padStart(2, "0")}.txt`, `common word ${i}`);
    await put("rare.txt", "common rareword");
    await search.indexer.idle();
    const common = await search.search({ q: "common", limit: 3 });
    expect(common.guarded).toBe(true);
    expect(common.hits.map((h) => h.name)).toEqual(["rare.txt", "common-11.txt", "common-10.txt"]);
    const rare = await search.search({ q: "common rareword" });
    expect(rare.guarded).toBe(false);
    expect(rare.hits.map((h) => h.name)).toEqual(["rare.txt"]);
  });
});

describe("search: the indexer", () => {
  test("a file over a limit keeps its name searchable and records why; a hung read is ended", async () => {
    search = await open({ limits: { documentBytes: 100, millis: 2_000 } });
    await put("big.pdf", makePdf(["x".repeat(500)]));
    await search.indexer.idle();
    expect(await names("big")).toEqual(["big.pdf"]);
    const row = await core.db.client.execute(
      "SELECT status, reason FROM search_docs d JOIN items i ON i.id = d.item_id WHERE i.name = 'big.pdf'",
    );
    expect(row.rows[0]!.status).toBe("skipped");
    expect(String(row.rows[0]!.reason)).toContain("documents up to");

    // A read that never returns (a FIFO with no writer): the worker is replaced, the next file indexed.
    const fifo = join(core.dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    const hung = search.indexer.pool.run({ path: fifo, type: "text/plain", name: "f.txt", size: 10 });
    await expect(hung).rejects.toThrow(/took longer than 2 s/);
    expect(search.indexer.pool.restarts).toBe(1);
    await put("after.txt", "indexed after the hang");
    await search.indexer.idle();
    expect(await names("hang")).toEqual(["after.txt"]);
    const w = Bun.spawn(["sh", "-c", `exec 3>"${fifo}"; sleep 0.1`]);
    await w.exited;
  });

  test("a text file is read up to its limit: words past it are not indexed", async () => {
    search = await open({ limits: { textBytes: 64 } });
    await put("long.txt", `${"opening ".repeat(4)}${"filler ".repeat(20)}closing`);
    await put("short.txt", "tiny closing");
    await search.indexer.idle();
    expect(await names("opening")).toEqual(["long.txt"]);
    expect(await names("closing")).toEqual(["short.txt"]);
  });

  test("survives a restart mid-queue: resumes, and does not index again what was done", async () => {
    search = await open({ batchSize: 2 });
    for (let i = 0; i < 6; i++) await put(`f${i}.txt`, `resume word${i}`);
    await search.indexer.idle();
    const before = await core.db.client.execute(
      "SELECT item_id, indexed_at FROM search_docs ORDER BY item_id",
    );
    await search.stop();
    // Items added while the indexer is down, and a queue row left behind as by a kill -9.
    await put("late.txt", "resume lateword");
    await core.db.client.execute({
      sql:
        "INSERT INTO search_queue (item_id, priority, enqueued_at) SELECT id, 0, 1 FROM items WHERE name = 'f0.txt'",
      args: [],
    });
    search = await open();
    await search.indexer.idle();
    expect(await names("lateword")).toEqual(["late.txt"]);
    const after = await core.db.client.execute(
      "SELECT item_id, indexed_at FROM search_docs ORDER BY item_id",
    );
    const was = new Map(before.rows.map((r) => [String(r.item_id), Number(r.indexed_at)]));
    const redone = after.rows.filter((r) =>
      was.has(String(r.item_id)) && was.get(String(r.item_id)) !== Number(r.indexed_at)
    );
    expect(redone.length).toBe(1); // only the queued f0
    expect((await search.progress()).queued).toBe(0);
  });
});

describe("search: the query parser", () => {
  test("any input gives an expression FTS5 accepts (random, hostile and truncated)", async () => {
    await core.db.client.execute("CREATE VIRTUAL TABLE t USING fts5(x)");
    await core.db.client.execute("INSERT INTO t(x) VALUES ('hello world')");
    const hostile = [
      '"',
      '""',
      "AND",
      "OR NOT",
      "NEAR(a b)",
      "x:y",
      "*",
      "^a",
      "-",
      "--a",
      '"a b',
      "(a",
      "a)",
      "\u0000",
    ];
    const inputs = fc.sample(
      fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.string({ unit: "grapheme", maxLength: 20 }),
        fc.constantFrom(...hostile),
      ),
      { numRuns: 400, seed: 7 },
    );
    for (
      const input of [
        ...inputs,
        ...hostile.flatMap((h) => [...Array(h.length + 1).keys()].map((i) => h.slice(0, i))),
      ]
    ) {
      const { match } = parseQuery(input);
      if (!match) continue;
      await core.db.client.execute({ sql: "SELECT count(*) FROM t WHERE t MATCH ?", args: [match] });
    }
  });

  test("words, prefixes and phrases", () => {
    expect(parseQuery("Foo bar").match).toBe('"foo" AND "bar"*');
    expect(parseQuery("foo bar ").match).toBe('"foo" AND "bar"');
    expect(parseQuery('"a b" c').match).toBe('"a b" AND "c"*');
    expect(parseQuery("-x").match).toBe("");
    expect(parseQuery("a -x ").match).toBe('("a") NOT "x"');
  });
});

describe("search: follows the file manager", () => {
  test("rename, move, trash, restore and edits are reflected after the indexer catches up", async () => {
    const { FileOps } = await import("../files/ops.ts");
    search = await open();
    const ops = new FileOps(core.db, core.store, core.signals);
    await ops.start();
    const a = await core.store.createFolder(ROOT_ID, "Alpha");
    const b = await core.store.createFolder(ROOT_ID, "Beta");
    const id = await put("plan.txt", "the harbour map", a.id);
    await search.indexer.idle();
    await ops.rename(id, "scheme.txt");
    await search.indexer.idle();
    expect(await names("scheme")).toEqual(["scheme.txt"]);
    expect(await names("plan ")).toEqual([]); // the old name is gone
    await ops.move([id], b.id);
    await search.indexer.idle();
    expect((await search.search({ q: "harbour" })).hits.map((h) => h.path)).toEqual(["Beta"]);
    await ops.trash([id]);
    expect(await names("harbour")).toEqual([]); // at once: the searcher checks the tree
    await ops.restore(id);
    await search.indexer.idle();
    expect(await names("harbour")).toEqual(["scheme.txt"]);
    writeFileSync(join(core.dir, "src-new"), "the lighthouse map");
    await core.store.importFile(b.id, "scheme.txt", join(core.dir, "src-new"), { mtime: Date.now() });
    await search.indexer.idle();
    expect(await names("harbour")).toEqual([]);
    expect(await names("lighthouse")).toEqual(["scheme.txt"]);
  });
});

describe("search: office files over the zip limits", () => {
  test("a spreadsheet that inflates past the cap keeps its name searchable and says why", async () => {
    search = await open({ limits: { zipEntryBytes: 1024 * 1024 } });
    const zip = new JSZip();
    zip.file("content.xml", new Uint8Array(16 * 1024 * 1024));
    await put("bomb.ods", await zip.generateAsync({ type: "uint8array", compression: "DEFLATE" }));
    await put("fine.ods", await makeOds({ S: [["afterwards"]] }));
    await search.indexer.idle();
    expect(await names("bomb")).toEqual(["bomb.ods"]);
    expect(await names("afterwards")).toEqual(["fine.ods"]);
    const row = await core.db.client.execute(
      "SELECT status, reason FROM search_docs d JOIN items i ON i.id = d.item_id WHERE i.name = 'bomb.ods'",
    );
    expect(row.rows[0]!.status).toBe("skipped");
    expect(String(row.rows[0]!.reason)).toBe("has a part (content.xml) over 1 MB once inflated");
  });
});

describe("search: comments", () => {
  test("the owner's search matches comment text (edits and removals followed); anyone else's never reads it", async () => {
    const comments = new Comments(core.db);
    search = await open({ commentsOf: (item) => comments.searchText(item) });
    const id = await put("field-notes.txt", "counted twelve herons at dawn");
    const copy = await put("field-notes copy.txt", "counted twelve herons at dawn"); // same content: same thread
    await search.indexer.idle();
    const item = (await core.store.items.get(id))!;
    const note = await comments.create({
      item,
      content: "Ask the warden about the bittern",
      author: "alice",
      authorKind: "owner",
      ip: "127.0.0.1",
    });
    await core.signals.emit("comment.created", {
      commentId: note.id,
      itemId: id,
      author: "alice",
      excerpt: note.content,
    });
    await search.indexer.idle();
    const owner = (q: string) => search.search({ q, comments: true });
    expect((await owner("bittern")).hits.map((h) => h.name).sort()).toEqual([
      "field-notes copy.txt",
      "field-notes.txt",
    ]);
    expect((await owner("bittern")).hits[0]!.snippet).toContain("<mark>bittern</mark>");
    // Anyone else: not by a comment word, not with body and comment words together, and a
    // snippet never shows comment text.
    expect(await names("bittern")).toEqual([]);
    expect(await names("herons bittern")).toEqual([]);
    for (const h of (await search.search({ q: "herons" })).hits) expect(h.snippet).not.toContain("warden");
    for (const h of (await search.search({ q: "field" })).hits) expect(h.snippet).not.toContain("warden");

    // An edit is followed; a removed comment's words are gone.
    await comments.edit(note.id, "Ask the warden about the avocet");
    await core.signals.emit("comment.changed", {
      commentId: note.id,
      itemIds: await comments.itemIdsOf(note),
    });
    await search.indexer.idle();
    expect(await owner("bittern").then((r) => r.hits.length)).toBe(0);
    expect(await owner("avocet").then((r) => r.hits.length)).toBe(2);
    await comments.remove(note.id);
    await core.signals.emit("comment.changed", { commentId: note.id, itemIds: [id, copy] });
    await search.indexer.idle();
    expect(await owner("avocet").then((r) => r.hits.length)).toBe(0);
  });
});
