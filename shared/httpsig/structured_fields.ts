/**
 * The subset of RFC 8941 Structured Field Values that HTTP Message Signatures (RFC 9421) and
 * Content-Digest (RFC 9530) use: Dictionaries whose members are Items or Inner Lists, bare items
 * that are Integers, Strings, Tokens, Byte Sequences or Booleans, and their Parameters. Decimals,
 * Dates and Display Strings are refused rather than half-supported.
 *
 * The parser reads peer input before any signature is checked, so it is bounded (length, members,
 * inner-list items), walks the input once without backtracking, and throws nothing but
 * `HttpSigError`.
 */
import { HttpSigError, quote } from "./errors.ts";

/** A Token (RFC 8941 §3.3.4), kept apart from a String because they serialize differently. */
export class Token {
  constructor(readonly value: string) {}
}

export type BareItem = number | string | Token | Uint8Array | boolean;

/** Parameters in the order they were given; a repeated key overwrites in place (RFC 8941 §4.2.3.2). */
export type Parameters = Map<string, BareItem>;

export interface Item {
  kind: "item";
  value: BareItem;
  params: Parameters;
}

export interface InnerList {
  kind: "inner-list";
  items: Item[];
  params: Parameters;
}

export type Dictionary = Map<string, Item | InnerList>;

/** Longest field value parsed; Signature-Input and Signature of one Hearth signature are ~300. */
export const MAX_FIELD_LENGTH = 8192;
/** Most dictionary members (signatures, or digest algorithms) read from one field. */
export const MAX_MEMBERS = 16;
/** Most items in one inner list (covered components of one signature). */
export const MAX_INNER_LIST_ITEMS = 32;

/** RFC 8941 §3.3.1: integers have at most 15 digits. */
const MAX_INTEGER = 999_999_999_999_999;
const KEY = /^[a-z*][a-z0-9_\-.*]*$/;
const TOKEN = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/;
const KEY_CHAR = /[a-z0-9_\-.*]/;
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/;
/**
 * Padded base64 only (with a length that is a multiple of 4): RFC 8941 lets parsers refuse other
 * forms, and no signer of ours emits them.
 */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export interface ParseOptions {
  /** The field's name, for error messages (default "structured field"). */
  field?: string;
}

/** Parses a Dictionary field value (RFC 8941 §4.2.2). An empty value is an empty dictionary. */
export function parseDictionary(
  input: string,
  { field = "structured field" }: ParseOptions = {},
): Dictionary {
  return new Parser(input, field).dictionary();
}

/** One forward pass over the input; `at` only ever grows, so the work is linear in its length. */
class Parser {
  private at = 0;

  constructor(private readonly input: string, private readonly field: string) {
    if (input.length > MAX_FIELD_LENGTH) {
      this.fail(`value is ${input.length} characters, at most ${MAX_FIELD_LENGTH}`);
    }
    for (let i = 0; i < input.length; i++) {
      const c = input.charCodeAt(i);
      // Field values are visible ASCII plus SP and HTAB; anything else is refused up front.
      if ((c < 0x20 && c !== 0x09) || c > 0x7e) this.fail(`character ${c} at offset ${i} is not allowed`);
    }
  }

  dictionary(): Dictionary {
    const dict: Dictionary = new Map();
    let members = 0;
    this.skip(" ");
    while (!this.done()) {
      if (++members > MAX_MEMBERS) this.fail(`more than ${MAX_MEMBERS} members`);
      const key = this.key();
      if (this.peek() === "=") {
        this.at++;
        dict.set(key, this.peek() === "(" ? this.innerList() : this.item());
      } else {
        dict.set(key, { kind: "item", value: true, params: this.parameters() });
      }
      this.skip(" \t");
      if (this.done()) break;
      this.expect(",");
      this.skip(" \t");
      if (this.done()) this.fail("trailing comma");
    }
    return dict;
  }

  private innerList(): InnerList {
    this.expect("(");
    const items: Item[] = [];
    for (;;) {
      this.skip(" ");
      if (this.done()) this.fail("inner list is not closed");
      if (this.peek() === ")") {
        this.at++;
        return { kind: "inner-list", items, params: this.parameters() };
      }
      if (items.length === MAX_INNER_LIST_ITEMS) {
        this.fail(`inner list has more than ${MAX_INNER_LIST_ITEMS} items`);
      }
      items.push(this.item());
      if (this.done()) this.fail("inner list is not closed");
      const next = this.peek();
      if (next !== " " && next !== ")") {
        this.fail(`expected " " or ")" at offset ${this.at}, found ${this.found()}`);
      }
    }
  }

  private item(): Item {
    const value = this.bareItem();
    return { kind: "item", value, params: this.parameters() };
  }

  private parameters(): Parameters {
    const params: Parameters = new Map();
    while (this.peek() === ";") {
      this.at++;
      this.skip(" ");
      const key = this.key();
      let value: BareItem = true;
      if (this.peek() === "=") {
        this.at++;
        value = this.bareItem();
      }
      params.set(key, value);
    }
    return params;
  }

  private key(): string {
    const start = this.at;
    const first = this.peek();
    if (first === undefined || !(first === "*" || (first >= "a" && first <= "z"))) {
      this.fail(`expected a key at offset ${start}, found ${this.found()}`);
    }
    this.at++;
    while (this.matches(KEY_CHAR)) this.at++;
    return this.input.slice(start, this.at);
  }

  private bareItem(): BareItem {
    const c = this.peek();
    if (c === undefined) this.fail("value missing at end of input");
    if (c === "-" || (c >= "0" && c <= "9")) return this.integer();
    if (c === '"') return this.string();
    if (c === ":") return this.byteSequence();
    if (c === "?") return this.boolean();
    if (c === "*" || (c >= "A" && c <= "Z") || (c >= "a" && c <= "z")) return this.token();
    return this.fail(`unsupported value at offset ${this.at}, found ${this.found()}`);
  }

  private integer(): number {
    const start = this.at;
    if (this.peek() === "-") this.at++;
    const digitsFrom = this.at;
    while (this.matches(/[0-9]/)) this.at++;
    const digits = this.at - digitsFrom;
    if (digits === 0) this.fail(`expected a digit at offset ${this.at}, found ${this.found()}`);
    if (this.peek() === ".") this.fail(`decimals are not supported (offset ${start})`);
    if (digits > 15) this.fail(`integer at offset ${start} has more than 15 digits`);
    return Number(this.input.slice(start, this.at));
  }

  private string(): string {
    this.expect('"');
    let out = "";
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail("string is not closed");
      this.at++;
      if (c === '"') return out;
      if (c === "\\") {
        const escaped = this.peek();
        if (escaped !== '"' && escaped !== "\\") {
          this.fail(`bad escape at offset ${this.at - 1}, found ${this.found()}`);
        }
        this.at++;
        out += escaped;
      } else if (c === "\t") {
        this.fail(`tab in string at offset ${this.at - 1}`);
      } else {
        out += c;
      }
    }
  }

  private token(): Token {
    const start = this.at;
    this.at++;
    while (this.matches(TOKEN_CHAR)) this.at++;
    return new Token(this.input.slice(start, this.at));
  }

  private byteSequence(): Uint8Array {
    this.expect(":");
    const end = this.input.indexOf(":", this.at);
    if (end === -1) this.fail("byte sequence is not closed");
    const encoded = this.input.slice(this.at, end);
    if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
      this.fail(`byte sequence at offset ${this.at} is not padded base64`);
    }
    this.at = end + 1;
    return fromBase64(encoded);
  }

  private boolean(): boolean {
    this.expect("?");
    const c = this.peek();
    if (c !== "0" && c !== "1") this.fail(`expected "0" or "1" at offset ${this.at}, found ${this.found()}`);
    this.at++;
    return c === "1";
  }

  private peek(): string | undefined {
    return this.at < this.input.length ? this.input[this.at] : undefined;
  }

  private matches(re: RegExp): boolean {
    const c = this.peek();
    return c !== undefined && re.test(c);
  }

  private done(): boolean {
    return this.at >= this.input.length;
  }

  private skip(chars: string): void {
    while (!this.done() && chars.includes(this.input[this.at])) this.at++;
  }

  private expect(c: string): void {
    if (this.peek() !== c) this.fail(`expected ${quote(c)} at offset ${this.at}, found ${this.found()}`);
    this.at++;
  }

  private found(): string {
    const c = this.peek();
    return c === undefined ? "end of input" : quote(c);
  }

  private fail(reason: string): never {
    throw new HttpSigError(`Cannot parse ${this.field}: ${reason}`);
  }
}

/** Serializes a Dictionary (RFC 8941 §4.1.2); throws `HttpSigError` on a value it cannot represent. */
export function serializeDictionary(dict: Dictionary): string {
  const members: string[] = [];
  for (const [key, member] of dict) {
    // A member whose value is Boolean true is written as its key alone (RFC 8941 §4.1.2).
    if (member.kind === "item" && member.value === true) {
      members.push(serializeKey(key) + serializeParameters(member.params));
    } else {
      members.push(
        `${serializeKey(key)}=${member.kind === "item" ? serializeItem(member) : serializeInnerList(member)}`,
      );
    }
  }
  return members.join(", ");
}

/** Serializes an Inner List (RFC 8941 §4.1.1.1), as in `@signature-params`. */
export function serializeInnerList(list: InnerList): string {
  return `(${list.items.map(serializeItem).join(" ")})${serializeParameters(list.params)}`;
}

function serializeItem(item: Item): string {
  return serializeBareItem(item.value) + serializeParameters(item.params);
}

function serializeParameters(params: Parameters): string {
  let out = "";
  for (const [key, value] of params) {
    out += `;${serializeKey(key)}${value === true ? "" : `=${serializeBareItem(value)}`}`;
  }
  return out;
}

function serializeKey(key: string): string {
  if (!KEY.test(key)) throw new HttpSigError(`Cannot serialize key ${quote(key)}`);
  return key;
}

function serializeBareItem(value: BareItem): string {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || Math.abs(value) > MAX_INTEGER) {
      throw new HttpSigError(`Cannot serialize ${value}: only integers up to 15 digits are supported`);
    }
    return String(value);
  }
  if (typeof value === "string") {
    if (!/^[\x20-\x7e]*$/.test(value)) throw new HttpSigError(`Cannot serialize string ${quote(value)}`);
    return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  }
  if (typeof value === "boolean") return value ? "?1" : "?0";
  if (value instanceof Token) {
    if (!TOKEN.test(value.value)) throw new HttpSigError(`Cannot serialize token ${quote(value.value)}`);
    return value.value;
  }
  return `:${toBase64(value)}:`;
}

/** Standard, padded base64, as Byte Sequences carry it. */
function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Decodes base64 the caller has already checked against `BASE64` and its length. */
function fromBase64(encoded: string): Uint8Array {
  const binary = atob(encoded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
