/** Real documents made from text, for the search tests and the benchmark's corpus. */
import { zipStream } from "../files/zip.ts";

/** A PDF with one page per entry of `pages` (Helvetica, one line of text per `\n`). */
export function makePdf(pages: string[]): Uint8Array {
  const objects: string[] = [];
  const pageIds: number[] = [];
  // 1: catalog, 2: pages, 3: font; then per page: page object + content stream.
  objects[1] = "<</Type/Catalog/Pages 2 0 R>>";
  objects[3] = "<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>";
  let next = 4;
  for (const text of pages) {
    const lines = text.split("\n").map((l) => `(${pdfEscape(l)}) Tj T*`).join(" ");
    const content = `BT /F1 11 Tf 14 TL 56 760 Td ${lines} ET`;
    const pageId = next++;
    const contentId = next++;
    pageIds.push(pageId);
    objects[pageId] =
      `<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents ${contentId} 0 R/Resources<</Font<</F1 3 0 R>>>>>>`;
    objects[contentId] = `<</Length ${latin1(content).length}>>\nstream\n${content}\nendstream`;
  }
  objects[2] = `<</Type/Pages/Kids[${pageIds.map((id) => `${id} 0 R`).join(" ")}]/Count ${pageIds.length}>>`;
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  for (let id = 1; id < next; id++) {
    offsets[id] = latin1(out).length;
    out += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = latin1(out).length;
  out += `xref\n0 ${next}\n0000000000 65535 f \n`;
  for (let id = 1; id < next; id++) out += `${String(offsets[id]).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<</Size ${next}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
  return latin1(out);
}

function pdfEscape(s: string): string {
  return s.replace(/[\\()]/g, (c) => `\\${c}`).replace(/[^\x20-\xff]/g, "?");
}

function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** A DOCX with one paragraph per entry. */
export function makeDocx(paragraphs: string[]): Promise<Uint8Array> {
  const xml = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const files: Record<string, string> = {
    "[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
    "_rels/.rels": `<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
    "word/document.xml": `<?xml version="1.0" encoding="UTF-8"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${
      paragraphs.map((p) => `<w:p><w:r><w:t xml:space="preserve">${xml(p)}</w:t></w:r></w:p>`).join("")
    }</w:body></w:document>`,
  };
  return zipOf(files);
}

/** A zip (stored) of these parts, in this order. */
export async function zipOf(files: Record<string, string>): Promise<Uint8Array> {
  const enc = new TextEncoder();
  const entries = Object.entries(files).map(([path, text]) => {
    const bytes = enc.encode(text);
    return { path, mtime: Date.UTC(2026, 0, 1), size: bytes.length, open: () => new Blob([bytes]).stream() };
  });
  return new Uint8Array(await new Response(zipStream(entries)).arrayBuffer());
}

const xmlText = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
const XML_HEAD = `<?xml version="1.0" encoding="UTF-8"?>\n`;

/**
 * An XLSX with one sheet per entry of `sheets` (rows of cells): strings go to the shared strings
 * table (the way Excel writes them), numbers stay in the cell.
 */
export function makeXlsx(sheets: Record<string, Array<Array<string | number>>>): Promise<Uint8Array> {
  const shared: string[] = [];
  const names = Object.keys(sheets);
  const col = (i: number) => String.fromCharCode(65 + i);
  const sheetXml = (rows: Array<Array<string | number>>) =>
    `${XML_HEAD}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${
      rows.map((cells, r) =>
        `<row r="${r + 1}">${
          cells.map((v, c) => {
            const ref = `${col(c)}${r + 1}`;
            if (typeof v === "number") return `<c r="${ref}"><v>${v}</v></c>`;
            shared.push(v);
            return `<c r="${ref}" t="s"><v>${shared.length - 1}</v></c>`;
          }).join("")
        }</row>`
      ).join("")
    }</sheetData></worksheet>`;
  const parts: Record<string, string> = {
    "[Content_Types].xml":
      `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`,
    "_rels/.rels":
      `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    "xl/workbook.xml":
      `${XML_HEAD}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${
        names.map((n, i) => `<sheet name="${xmlText(n)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join("")
      }</sheets></workbook>`,
  };
  names.forEach((n, i) => parts[`xl/worksheets/sheet${i + 1}.xml`] = sheetXml(sheets[n]!));
  parts["xl/sharedStrings.xml"] =
    `${XML_HEAD}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${shared.length}">${
      shared.map((v) => `<si><t xml:space="preserve">${xmlText(v)}</t></si>`).join("")
    }</sst>`;
  parts["xl/_rels/workbook.xml.rels"] =
    `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${
      names.map((_, i) =>
        `<Relationship Id="rId${
          i + 1
        }" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${
          i + 1
        }.xml"/>`
      ).join("")
    }<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`;
  return zipOf(parts);
}

const ODF_NS = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ` +
  `xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ` +
  `xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"`;

function odf(mime: string, body: string): Promise<Uint8Array> {
  return zipOf({
    // First and stored, as the OpenDocument package format asks.
    "mimetype": mime,
    "META-INF/manifest.xml":
      `${XML_HEAD}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="${mime}"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`,
    "content.xml":
      `${XML_HEAD}<office:document-content ${ODF_NS} office:version="1.3"><office:body>${body}</office:body></office:document-content>`,
  });
}

/** An ODT with a heading and one paragraph per entry (a run of spaces written as `<text:s/>`). */
export function makeOdt(heading: string, paragraphs: string[]): Promise<Uint8Array> {
  return odf(
    "application/vnd.oasis.opendocument.text",
    `<office:text><text:h text:outline-level="1">${xmlText(heading)}</text:h>${
      paragraphs.map((p) => `<text:p>${xmlText(p).replace(/ {2,}/g, " <text:s/>")}</text:p>`).join("")
    }</office:text>`,
  );
}

/** An ODS with one table per entry of `sheets` (rows of cells). */
export function makeOds(sheets: Record<string, Array<Array<string | number>>>): Promise<Uint8Array> {
  return odf(
    "application/vnd.oasis.opendocument.spreadsheet",
    `<office:spreadsheet>${
      Object.entries(sheets).map(([name, rows]) =>
        `<table:table table:name="${xmlText(name)}">${
          rows.map((cells) =>
            `<table:table-row>${
              cells.map((v) =>
                typeof v === "number"
                  ? `<table:table-cell office:value-type="float" office:value="${v}"><text:p>${v}</text:p></table:table-cell>`
                  : `<table:table-cell office:value-type="string"><text:p>${
                    xmlText(v)
                  }</text:p></table:table-cell>`
              ).join("")
            }</table:table-row>`
          ).join("")
        }</table:table>`
      ).join("")
    }</office:spreadsheet>`,
  );
}

/** An MP3-like file: an ID3v2.3 tag with title/artist/album, then a few silent MPEG frames. */
export function makeMp3(tags: { title: string; artist: string; album: string }): Uint8Array {
  const enc = new TextEncoder();
  const frame = (id: string, text: string) => {
    const body = new Uint8Array([3, ...enc.encode(text)]); // encoding 3 = UTF-8
    const head = new Uint8Array(10);
    head.set(enc.encode(id), 0);
    new DataView(head.buffer).setUint32(4, body.length);
    return new Uint8Array([...head, ...body]);
  };
  const frames = [frame("TIT2", tags.title), frame("TPE1", tags.artist), frame("TALB", tags.album)];
  const size = frames.reduce((n, f) => n + f.length, 0);
  const syncsafe = [(size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f];
  const header = new Uint8Array([0x49, 0x44, 0x33, 3, 0, 0, ...syncsafe]);
  // MPEG-1 layer III, 128 kbit/s, 44.1 kHz frame header + zero payload, repeated.
  const mpeg = new Uint8Array(417 * 4);
  for (let i = 0; i < 4; i++) mpeg.set([0xff, 0xfb, 0x90, 0x00], i * 417);
  return new Uint8Array([...header, ...frames.flatMap((f) => [...f]), ...mpeg]);
}
