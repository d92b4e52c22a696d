/**
 * The signature base (RFC 9421 §2.5): the exact text both sides sign, one line per covered
 * component and a last `@signature-params` line, built from the request as each side sees it.
 */
import { HttpSigError, quote } from "./errors.ts";

/** A request as signer and verifier see it; the same shape on both sides. */
export interface RequestParts {
  /** As sent, e.g. "POST" (RFC 9421 treats the method as case-sensitive). */
  method: string;
  /** host[:port], lowercase, without the scheme's default port. */
  authority: string;
  /** The absolute path as sent, e.g. "/api/v1/links" (not percent-decoded). */
  path: string;
  /** "" for none, else "?" and the query as sent, e.g. "?a=b". */
  query?: string;
  /** Field values by lowercase field name; several lines of one field already joined with ", ". */
  headers: Record<string, string>;
  /** The content; absent means empty. */
  body?: Uint8Array | string;
}

/** The value of one covered component; throws `HttpSigError` when the message has none. */
export type ComponentValue = (component: string) => string;

/** Field names are lowercase tokens in component identifiers (RFC 9421 §2.1). */
const FIELD_NAME = /^[a-z0-9!#$%&'*+\-.^_`|~]+$/;
const DERIVED_NAME = /^@[a-z-]+$/;

/**
 * Builds the signature base: `"<component>": <value>` for each component, in order, then
 * `"@signature-params": <signatureParams>`, joined by "\n" with no trailing newline.
 * `signatureParams` is the serialized inner list exactly as it goes into Signature-Input.
 */
export function signatureBase(
  components: readonly string[],
  signatureParams: string,
  valueOf: ComponentValue,
): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const component of components) {
    // Anything else could smuggle a second line into the base or name the params line itself.
    if (!FIELD_NAME.test(component) && !DERIVED_NAME.test(component)) {
      throw new HttpSigError(
        `Cannot cover ${quote(component)}: not a lowercase field or derived component name`,
      );
    }
    if (component === "@signature-params") throw new HttpSigError(`Cannot cover "@signature-params" itself`);
    if (seen.has(component)) throw new HttpSigError(`Cannot cover ${quote(component)} twice`);
    seen.add(component);
    const value = valueOf(component);
    if (/[\r\n]/.test(value)) {
      throw new HttpSigError(`Cannot cover ${quote(component)}: its value has a line break`);
    }
    lines.push(`"${component}": ${value}`);
  }
  lines.push(`"@signature-params": ${signatureParams}`);
  return lines.join("\n");
}

/**
 * Component values of a request: the derived `@method`, `@authority`, `@path` and `@query`
 * (RFC 9421 §2.2) and any header field. Other derived components are refused rather than guessed.
 */
export function requestComponents(parts: RequestParts): ComponentValue {
  return (component) => {
    switch (component) {
      case "@method":
        return parts.method;
      case "@authority":
        return parts.authority.toLowerCase();
      case "@path":
        if (!parts.path.startsWith("/")) {
          throw new HttpSigError(`Cannot derive "@path": ${quote(parts.path)} does not start with "/"`);
        }
        return parts.path;
      case "@query": {
        const query = parts.query ?? "";
        if (query !== "" && !query.startsWith("?")) {
          throw new HttpSigError(`Cannot derive "@query": ${quote(query)} does not start with "?"`);
        }
        // An absent query is the lone "?" (RFC 9421 §2.2.7).
        return query === "" ? "?" : query;
      }
    }
    if (component.startsWith("@")) throw new HttpSigError(`Cannot derive ${quote(component)}: not supported`);
    // hasOwn, so a component named "constructor" is a missing header, not Object's method.
    const value = Object.hasOwn(parts.headers, component) ? parts.headers[component] : undefined;
    if (value === undefined) {
      throw new HttpSigError(`Cannot cover ${quote(component)}: the request has no such header`);
    }
    return trimWhitespace(value);
  };
}

/**
 * Field values are signed without leading and trailing SP and HTAB (RFC 9421 §2.1). A loop, not
 * `/[ \t]+$/`, whose backtracking is quadratic in a long run of inner spaces.
 */
function trimWhitespace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value[start] === " " || value[start] === "\t")) start++;
  while (end > start && (value[end - 1] === " " || value[end - 1] === "\t")) end--;
  return value.slice(start, end);
}
