/**
 * WebDAV's XML: request bodies parsed with @xmldom/xmldom (namespace-aware; malformed XML is a
 * `DavXmlError`, answered 400), and the multistatus answers written as text (escaped here, once).
 */
import { DOMParser, type Element as XmlElement, type Node as XmlNode, XMLSerializer } from "@xmldom/xmldom";

export const DAV_NS = "DAV:";

export class DavXmlError extends Error {
  override name = "DavXmlError";
}

/** A property name: namespace URI ("" for none) and local name. */
export interface PropName {
  ns: string;
  name: string;
}

export const key = (p: PropName) => `${p.ns}\u0000${p.name}`;

/** Parses a request body; an empty body is null. */
export function parseXml(text: string): XmlElement | null {
  if (!text.trim()) return null;
  let root: XmlElement | null = null;
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== "warning") throw new DavXmlError(`The XML body is not well-formed: ${message}`);
      },
    }).parseFromString(text, "text/xml");
    root = doc.documentElement;
  } catch (e) {
    throw e instanceof DavXmlError
      ? e
      : new DavXmlError(`The XML body is not well-formed: ${(e as Error).message}`);
  }
  if (!root) throw new DavXmlError("The XML body has no root element");
  return root;
}

/** The element children of `el` (text and comments skipped). */
export function elements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as XmlElement);
  return out;
}

export function isDav(el: XmlElement, local: string): boolean {
  return el.namespaceURI === DAV_NS && el.localName === local;
}

export function child(el: XmlElement, local: string): XmlElement | undefined {
  return elements(el).find((e) => isDav(e, local));
}

export function propNameOf(el: XmlElement): PropName {
  return { ns: el.namespaceURI ?? "", name: el.localName ?? el.nodeName };
}

const serializer = new XMLSerializer();

/** The inner XML of a property element, kept as a dead property's value (namespaces declared inside). */
export function innerXml(el: XmlElement): string {
  let out = "";
  for (let n: XmlNode | null = el.firstChild; n; n = n.nextSibling) out += serializer.serializeToString(n);
  return out;
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** `<name>` with its namespace declared on itself, and `inner` (already XML) inside. */
export function propElement(p: PropName, inner = ""): string {
  if (p.ns === DAV_NS) return inner ? `<D:${p.name}>${inner}</D:${p.name}>` : `<D:${p.name}/>`;
  const decl = p.ns ? `p:${p.name} xmlns:p="${escapeXml(p.ns)}"` : `${p.name} xmlns=""`;
  const tag = p.ns ? `p:${p.name}` : p.name;
  return inner ? `<${decl}>${inner}</${tag}>` : `<${decl}/>`;
}

export const XML_HEAD = `<?xml version="1.0" encoding="utf-8"?>\n`;

export function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Status"}`;
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  423: "Locked",
  424: "Failed Dependency",
  507: "Insufficient Storage",
};
