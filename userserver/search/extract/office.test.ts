/**
 * XLSX and OpenDocument extraction on real files made here (stored zips of the parts Excel and
 * LibreOffice write), zip bombs (inflated size capped whatever the headers claim), and random or
 * truncated bytes: always text or a clear error, never a crash or a hang.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import JSZip from "jszip";
import { makeOds, makeOdt, makeXlsx, zipOf } from "../_fixtures.ts";
import { ExtractLimitError } from "./limits.ts";
import { isOdf, isXlsx, odfText, xlsxText } from "./office.ts";

const opts = {
  budget: { entryBytes: 1024 * 1024, totalBytes: 4 * 1024 * 1024, entries: 100 },
  maxChars: 100_000,
};

describe("XLSX", () => {
  test("sheet names, shared strings and numbers, in workbook and row order", async () => {
    const bytes = await makeXlsx({
      Budget: [["Item", "Cost"], ["Zeppelin hangar", 1200], ["Café <crème> & co", 3.5]],
      Notes: [["Ask the harbour master"]],
    });
    const text = await xlsxText(bytes, opts);
    expect(text).toBe(
      "Budget\nItem\tCost\nZeppelin hangar\t1200\nCafé <crème> & co\t3.5\nNotes\nAsk the harbour master",
    );
  });

  test("inline strings and formula results are read; phonetic guides and errors are not", async () => {
    const base = await JSZip.loadAsync(await makeXlsx({ S: [["x"]] }));
    base.file(
      "xl/worksheets/sheet1.xml",
      `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">` +
        `<c r="A1" t="inlineStr"><is><t>inline</t><r><t>words</t></r></is></c>` +
        `<c r="B1" t="str"><f>A1</f><v>computed</v></c><c r="C1" t="e"><v>#DIV/0!</v></c>` +
        `<c r="D1" t="s"><v>0</v></c></row></sheetData></worksheet>`,
    );
    base.file(
      "xl/sharedStrings.xml",
      `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>東京</t>` +
        `<rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si></sst>`,
    );
    const text = await xlsxText(await base.generateAsync({ type: "uint8array" }), opts);
    expect(text).toBe("S\ninlinewords\tcomputed\t東京");
  });

  test("stops at the character cap", async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => [`row ${i} of many words`]);
    const text = await xlsxText(await makeXlsx({ Big: rows }), { ...opts, maxChars: 500 });
    expect(text.length).toBeLessThanOrEqual(500);
    expect(text).toContain("row 0 of many words");
  });

  test("the types and extensions it reads", () => {
    expect(isXlsx("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "a")).toBe(true);
    expect(isXlsx("application/octet-stream", "Q1.XLSX")).toBe(true);
    expect(isOdf("application/vnd.oasis.opendocument.spreadsheet", "a")).toBe(true);
    expect(isOdf("application/octet-stream", "letter.odt")).toBe(true);
    expect(isOdf("application/octet-stream", "letter.doc")).toBe(false);
  });
});

describe("OpenDocument", () => {
  test("ODT: heading and paragraphs apart, spaces kept", async () => {
    const text = await odfText(
      await makeOdt("Minutes", ["The orchard  committee met.", "Next: the cider press."]),
      opts,
    );
    expect(text).toBe("Minutes\nThe orchard  committee met.\nNext: the cider press.");
  });

  test("ODS: table names, cells apart, rows on lines", async () => {
    const text = await odfText(await makeOds({ Plants: [["Rose", 12], ["Lavender", 3]] }), opts);
    expect(text).toBe("Plants\nRose \t12 \t\nLavender \t3");
  });

  test("deleted text kept for tracked changes is left out", async () => {
    const bytes = await zipOf({
      "content.xml":
        `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ` +
        `xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>` +
        `<text:tracked-changes><text:changed-region><text:deletion><text:p>removedword</text:p></text:deletion>` +
        `</text:changed-region></text:tracked-changes><text:p>kept</text:p></office:text></office:body></office:document-content>`,
    });
    expect(await odfText(bytes, opts)).toBe("kept");
  });

  test("entities in a DTD are not expanded (no billion laughs), nothing is fetched", async () => {
    const laughs =
      `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">` +
      `<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY x SYSTEM "file:///etc/passwd">]>` +
      `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ` +
      `xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>` +
      `<text:p>&c;&x;</text:p></office:text></office:body></office:document-content>`;
    const text = await odfText(await zipOf({ "content.xml": laughs }), opts).catch((e: Error) => e.message);
    expect(text).not.toContain("hahaha");
    expect(text).not.toContain("root:");
  });
});

describe("bounds and bad input", () => {
  /** A deflated part of `n` zero bytes (a few KB in the file). */
  function bomb(n: number, entry = "content.xml"): Promise<Uint8Array> {
    const zip = new JSZip();
    zip.file(entry, new Uint8Array(n));
    return zip.generateAsync({ type: "uint8array", compression: "DEFLATE" });
  }

  test("a part inflating past its cap is a limit, whatever its header claims", async () => {
    const bytes = await bomb(8 * 1024 * 1024);
    expect(bytes.length).toBeLessThan(64 * 1024);
    await expect(odfText(bytes, opts)).rejects.toBeInstanceOf(ExtractLimitError);
    // The same with the sizes in the local and central headers rewritten to claim 10 bytes.
    const lying = bytes.slice();
    const view = new DataView(lying.buffer);
    for (let i = 0; i + 4 <= lying.length; i++) {
      const sig = view.getUint32(i, true);
      if (sig === 0x04034b50) view.setUint32(i + 22, 10, true);
      if (sig === 0x02014b50) view.setUint32(i + 24, 10, true);
    }
    const err = await odfText(lying, opts).then(() => undefined, (e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    if (err instanceof ExtractLimitError) expect(err.message).toContain("content.xml");
  });

  test("the whole file's inflated bytes are capped too", async () => {
    const sheet = `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
      `<row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>`.padEnd(900 * 1024, " ");
    const base = await JSZip.loadAsync(
      await makeXlsx(Object.fromEntries(
        Array.from({ length: 6 }, (_, i) => [`S${i}`, [[i]]]),
      )),
    );
    for (let i = 1; i <= 6; i++) base.file(`xl/worksheets/sheet${i}.xml`, sheet);
    const bytes = await base.generateAsync({ type: "uint8array", compression: "DEFLATE" });
    const err = await xlsxText(bytes, opts).then(() => undefined, (e: Error) => e);
    expect(err).toBeInstanceOf(ExtractLimitError);
    expect(String(err?.message)).toContain("inflates to more than 4 MB");
  });

  test("too many parts is a limit", async () => {
    const zip = new JSZip();
    for (let i = 0; i < 150; i++) zip.file(`p${i}.xml`, "<a/>");
    const bytes = await zip.generateAsync({ type: "uint8array" });
    await expect(odfText(bytes, opts)).rejects.toBeInstanceOf(ExtractLimitError);
  });

  test("not a zip, or a zip without the parts, is a clear error", async () => {
    expect(await odfText(new TextEncoder().encode("hello"), opts).catch((e: Error) => e.message))
      .toMatch(/^Cannot read the file as a zip container/);
    expect(await odfText(await zipOf({ "a.txt": "x" }), opts).catch((e: Error) => e.message))
      .toBe('Cannot read the document: it has no "content.xml"');
    expect(await xlsxText(await zipOf({ "a.txt": "x" }), opts).catch((e: Error) => e.message))
      .toBe('Cannot read the spreadsheet: it has no "xl/workbook.xml"');
    expect(
      await odfText(await zipOf({ "content.xml": "<office:document-content><unclosed>" }), opts)
        .catch((e: Error) => e.message),
    ).toMatch(/^Cannot parse "content.xml"/);
  });

  test("random bytes and truncated files: text or an Error, never anything else", async () => {
    const files = [
      { read: xlsxText, bytes: await makeXlsx({ A: [["alpha", 1], ["beta", 2]] }) },
      { read: odfText, bytes: await makeOdt("T", ["gamma delta"]) },
      { read: odfText, bytes: await makeOds({ A: [["epsilon"]] }) },
    ];
    const settle = (p: Promise<string>) =>
      p.then((t) => typeof t === "string", (e: unknown) => e instanceof Error && e.message.length > 0);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), fc.boolean(), async (bytes, asXlsx) => {
        expect(await settle((asXlsx ? xlsxText : odfText)(bytes, opts))).toBe(true);
      }),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), {
          maxLength: 8,
        }),
        async (which, cut, flips) => {
          const { read, bytes } = files[which]!;
          const mangled = bytes.slice(0, Math.floor(bytes.length * cut));
          for (const [at, v] of flips) if (mangled.length) mangled[Math.floor(at * mangled.length)] = v;
          expect(await settle(read(mangled, opts))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
