/**
 * Spreadsheets and OpenDocument files → text: XLSX (Office Open XML: each sheet's name and cells in
 * workbook order, shared strings resolved) and ODT / ODS / ODP (OpenDocument: the text of
 * `content.xml`, paragraphs and cells apart). Both are zip + XML, read with jszip (through `zip.ts`:
 * every part inflated within a budget) and @xmldom/xmldom, which reads no DTD and fetches nothing.
 * Reading stops once `maxChars` are gathered.
 */
import {
  DOMParser,
  type Element as XmlElement,
  type Node as XmlNode,
  onErrorStopParsing,
} from "@xmldom/xmldom";
import { type ZipBudget, ZipReader } from "./zip.ts";

const SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const ODF_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
const ODF_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
const ODF_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";

export interface OfficeOptions {
  budget: ZipBudget;
  maxChars: number;
}

export async function xlsxText(bytes: Uint8Array, { budget, maxChars }: OfficeOptions): Promise<string> {
  const zip = await ZipReader.open(bytes, budget);
  const out = new Collector(maxChars);
  const workbookPath = (await relTargets(zip, "_rels/.rels", "")).byType("officeDocument") ??
    "xl/workbook.xml";
  const workbookXml = await zip.text(workbookPath);
  if (workbookXml === undefined) throw new Error(`Cannot read the spreadsheet: it has no "${workbookPath}"`);
  const dir = workbookPath.replace(/[^/]*$/, "");
  const rels = await relTargets(zip, `${dir}_rels/${workbookPath.slice(dir.length)}.rels`, dir);
  const sharedPath = rels.byType("sharedStrings");
  const shared = sharedPath ? sharedStrings(await zip.text(sharedPath)) : [];
  const workbook = parseXml(workbookXml, workbookPath);
  for (const sheet of byTag(workbook, SHEET_NS, "sheet")) {
    if (out.full) break;
    const target = rels.byId(sheet.getAttributeNS(DOC_REL_NS, "id") ?? "");
    const xml = target ? await zip.text(target) : undefined;
    if (xml === undefined) continue; // a chart sheet, or a part that is missing: its name is still text
    out.add(`${sheet.getAttribute("name") ?? ""}\n`);
    sheetCells(parseXml(xml, target!), shared, out);
  }
  return out.text();
}

export async function odfText(bytes: Uint8Array, { budget, maxChars }: OfficeOptions): Promise<string> {
  const zip = await ZipReader.open(bytes, budget);
  const xml = await zip.text("content.xml");
  if (xml === undefined) throw new Error(`Cannot read the document: it has no "content.xml"`);
  const doc = parseXml(xml, "content.xml");
  const out = new Collector(maxChars);
  const body = byTag(doc, ODF_OFFICE_NS, "body")[0];
  if (body) odfWalk(body, out);
  return out.text();
}

export function isXlsx(type: string, name: string): boolean {
  return type === "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
    /\.xlsx$/i.test(name);
}

export function isOdf(type: string, name: string): boolean {
  return /^application\/vnd\.oasis\.opendocument\.(text|spreadsheet|presentation)$/.test(type) ||
    /\.(odt|ods|odp)$/i.test(name);
}

/** Text gathered up to a character cap; `full` says when to stop reading. */
class Collector {
  #parts: string[] = [];
  #chars = 0;
  constructor(private readonly max: number) {}
  get full(): boolean {
    return this.#chars >= this.max;
  }
  add(s: string): void {
    if (!s || this.full) return;
    this.#parts.push(s);
    this.#chars += s.length;
  }
  text(): string {
    return this.#parts.join("").slice(0, this.max).trim();
  }
}

function parseXml(xml: string, what: string): XmlElement {
  let root: XmlElement | null = null;
  try {
    root = new DOMParser({ onError: onErrorStopParsing }).parseFromString(xml, "text/xml").documentElement;
  } catch (error) {
    throw new Error(`Cannot parse "${what}": ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  if (!root) throw new Error(`Cannot parse "${what}": it has no root element`);
  return root;
}

function byTag(el: XmlElement, ns: string, local: string): XmlElement[] {
  return Array.from(el.getElementsByTagNameNS(ns, local));
}

/** An OPC relationships part: targets by id and by type (the type's last path segment). */
async function relTargets(zip: ZipReader, path: string, base: string) {
  const xml = await zip.text(path);
  const rels: Array<{ id: string; type: string; target: string }> = [];
  if (xml !== undefined) {
    const root = parseXml(xml, path);
    for (let n = root.firstChild; n; n = n.nextSibling) {
      if (n.nodeType !== 1 || (n as XmlElement).localName !== "Relationship") continue;
      const r = n as XmlElement;
      const target = r.getAttribute("Target") ?? "";
      if (r.getAttribute("TargetMode") === "External" || !target) continue;
      rels.push({
        id: r.getAttribute("Id") ?? "",
        type: (r.getAttribute("Type") ?? "").split("/").at(-1) ?? "",
        target: resolvePart(base, target),
      });
    }
  }
  return {
    byId: (id: string) => rels.find((r) => r.id === id)?.target,
    byType: (type: string) => rels.find((r) => r.type === type)?.target,
  };
}

/** A relationship's target as a part name: relative to `base`, or absolute from the package root. */
function resolvePart(base: string, target: string): string {
  const parts = (target.startsWith("/") ? target.slice(1) : base + target).split("/");
  const out: string[] = [];
  for (const p of parts) {
    if (p === "..") out.pop();
    else if (p !== "." && p !== "") out.push(p);
  }
  return out.join("/");
}

/** The shared strings table: each `<si>`'s text runs (phonetic guides left out). */
function sharedStrings(xml: string | undefined): string[] {
  if (xml === undefined) return [];
  const root = parseXml(xml, "sharedStrings.xml");
  return byTag(root, SHEET_NS, "si").map((si) =>
    byTag(si, SHEET_NS, "t").filter((t) => (t.parentNode as XmlElement | null)?.localName !== "rPh")
      .map((t) => t.textContent ?? "").join("")
  );
}

/** A sheet's cells, row by row: text as it reads, numbers as stored; errors and booleans left out. */
function sheetCells(sheet: XmlElement, shared: string[], out: Collector): void {
  for (const row of byTag(sheet, SHEET_NS, "row")) {
    if (out.full) return;
    const cells: string[] = [];
    for (let n = row.firstChild; n; n = n.nextSibling) {
      if (n.nodeType !== 1 || (n as XmlElement).localName !== "c") continue;
      const c = n as XmlElement;
      const t = c.getAttribute("t") ?? "n";
      const v = byTag(c, SHEET_NS, "v")[0]?.textContent ?? "";
      if (t === "s") cells.push(shared[Number(v)] ?? "");
      else if (t === "inlineStr") {
        cells.push(byTag(c, SHEET_NS, "t").map((x) => x.textContent ?? "").join(""));
      } else if (t === "str" || t === "n" || t === "d") cells.push(v);
    }
    const line = cells.filter(Boolean).join("\t");
    if (line) out.add(`${line}\n`);
  }
}

/**
 * OpenDocument's body as text, walked without recursion (a hostile file may nest deeply): spaces,
 * tabs and breaks as written, a line after each paragraph, heading and table row, a tab after each
 * cell, each table's name first; deleted text kept for tracked changes is left out.
 */
function odfWalk(body: XmlElement, out: Collector): void {
  const stack: Array<{ node: XmlNode; leaving: boolean }> = [{ node: body, leaving: false }];
  while (stack.length > 0 && !out.full) {
    const { node, leaving } = stack.pop()!;
    if (node.nodeType === 3 || node.nodeType === 4) {
      out.add(node.nodeValue ?? "");
      continue;
    }
    if (node.nodeType !== 1) continue;
    const el = node as XmlElement;
    const ns = el.namespaceURI;
    const local = el.localName;
    if (leaving) {
      if (ns === ODF_TEXT_NS && (local === "p" || local === "h")) {
        // Paragraphs in a cell stay in the cell; elsewhere each is a line.
        const inCell = (el.parentNode as XmlElement | null)?.localName === "table-cell";
        out.add(inCell ? " " : "\n");
      } else if (ns === ODF_TABLE_NS && local === "table-cell") out.add("\t");
      else if (ns === ODF_TABLE_NS && local === "table-row") out.add("\n");
      continue;
    }
    if (ns === ODF_TEXT_NS) {
      if (local === "tracked-changes") continue;
      if (local === "s") {
        out.add(" ");
        continue;
      }
      if (local === "tab") {
        out.add("\t");
        continue;
      }
      if (local === "line-break") {
        out.add("\n");
        continue;
      }
    }
    if (ns === ODF_TABLE_NS && local === "table") {
      out.add(`${el.getAttributeNS(ODF_TABLE_NS, "name") ?? ""}\n`);
    }
    stack.push({ node: el, leaving: true });
    const children: XmlNode[] = [];
    for (let n = el.firstChild; n; n = n.nextSibling) children.push(n);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, leaving: false });
  }
}
