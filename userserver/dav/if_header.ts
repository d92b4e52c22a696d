/**
 * The WebDAV `If` header (RFC 4918 §10.4): lists of conditions on lock tokens and entity tags,
 * optionally tagged with the resource they apply to. `parseIf` throws `IfHeaderError` (answered 400)
 * for anything outside the grammar; `evaluateIf` says whether any list holds.
 */
export class IfHeaderError extends Error {
  override name = "IfHeaderError";
}

export interface Condition {
  not: boolean;
  /** A state token (`opaquelocktoken:…`, `DAV:no-lock`, …) or an entity tag, never both. */
  token?: string;
  etag?: string;
}

export interface IfList {
  /** The tagged resource (an absolute URL or a path), or undefined for the request's own. */
  resource?: string;
  conditions: Condition[];
}

const MAX_LENGTH = 8192;

export function parseIf(header: string): IfList[] {
  if (header.length > MAX_LENGTH) throw new IfHeaderError("The If header is too long");
  const lists: IfList[] = [];
  let i = 0;
  let tagged: boolean | undefined;
  let resource: string | undefined;
  const skipSpace = () => {
    while (i < header.length && (header[i] === " " || header[i] === "\t")) i++;
  };
  const until = (close: string): string => {
    const end = header.indexOf(close, i);
    if (end < 0) throw new IfHeaderError(`The If header misses a "${close}"`);
    const s = header.slice(i, end);
    i = end + 1;
    return s;
  };
  skipSpace();
  if (i >= header.length) throw new IfHeaderError("The If header is empty");
  while (true) {
    skipSpace();
    if (i >= header.length) break;
    const ch = header[i];
    if (ch === "<") {
      if (tagged === false) throw new IfHeaderError("The If header mixes tagged and untagged lists");
      tagged = true;
      i++;
      resource = until(">");
      if (!resource) throw new IfHeaderError("The If header has an empty resource tag");
      skipSpace();
      if (header[i] !== "(") {
        throw new IfHeaderError("A resource tag in the If header must be followed by a list");
      }
      continue;
    }
    if (ch !== "(") throw new IfHeaderError(`Unexpected "${ch}" in the If header`);
    if (tagged === undefined) tagged = false;
    i++;
    const conditions: Condition[] = [];
    while (true) {
      skipSpace();
      if (i >= header.length) throw new IfHeaderError('The If header misses a ")"');
      if (header[i] === ")") {
        i++;
        break;
      }
      let not = false;
      if (header.slice(i, i + 3).toLowerCase() === "not") {
        not = true;
        i += 3;
        skipSpace();
      }
      if (header[i] === "<") {
        i++;
        const token = until(">");
        if (!token) throw new IfHeaderError("The If header has an empty state token");
        conditions.push({ not, token });
      } else if (header[i] === "[") {
        i++;
        const etag = until("]").trim();
        if (!etag) throw new IfHeaderError("The If header has an empty entity tag");
        conditions.push({ not, etag });
      } else {
        throw new IfHeaderError("A condition in the If header must be a <state token> or an [entity tag]");
      }
    }
    if (!conditions.length) throw new IfHeaderError("A list in the If header is empty");
    lists.push({ resource: tagged ? resource : undefined, conditions });
  }
  if (!lists.length) throw new IfHeaderError("The If header has no list");
  return lists;
}

/** Every state token the header names: the lock tokens this request submits (RFC 4918 §10.4.1). */
export function submittedTokens(lists: IfList[]): Set<string> {
  const out = new Set<string>();
  for (const l of lists) for (const c of l.conditions) if (c.token) out.add(c.token);
  return out;
}

export interface ResourceState {
  /** Strong entity tag, quoted (`"abc"`), or undefined for an unmapped resource. */
  etag?: string;
  /** Tokens of the locks that cover the resource. */
  lockTokens: Set<string>;
}

/** True when some list holds for the resource it names (`stateOf(undefined)` is the request's own). */
export function evaluateIf(
  lists: IfList[],
  stateOf: (resource: string | undefined) => ResourceState,
): boolean {
  return lists.some((list) => {
    const state = stateOf(list.resource);
    return list.conditions.every((c) => {
      const holds = c.token !== undefined
        ? state.lockTokens.has(c.token)
        : state.etag !== undefined && weakless(c.etag!) === weakless(state.etag);
      return c.not ? !holds : holds;
    });
  });
}

const weakless = (etag: string) => etag.replace(/^W\//, "");
