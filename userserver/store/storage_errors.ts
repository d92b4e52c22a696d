/**
 * Storage faults as a person should hear them (issue #13.6): a full disk, a quota, a read-only or
 * unwritable store, a database that cannot write. Each maps to one HTTP status and a sentence
 * that says what happened and what will fix it, instead of a reset connection or a generic 500.
 * Looks through `cause` chains: libSQL and drizzle wrap the SQLite error.
 */

export interface StorageFailure {
  /** 507 when space is the problem (the request may succeed once space is freed), 503 otherwise. */
  status: 503 | 507;
  message: string;
  /** The errno or SQLite code that decided it. */
  code: string;
}

export interface StorageFailureOptions {
  /** What happens once the fault is fixed, e.g. "the upload will resume" (default "try again"). */
  then?: string;
}

/** Errno / SQLite codes → the fault, without the retry advice. */
function classify(code: string): { status: 503 | 507; what: string } | undefined {
  if (code === "ENOSPC" || code.startsWith("SQLITE_FULL")) {
    return { status: 507, what: "The server's disk is full" };
  }
  if (code === "EDQUOT") return { status: 507, what: "The server's storage quota is used up" };
  if (code === "EROFS" || code.startsWith("SQLITE_READONLY")) {
    return { status: 503, what: "The server's storage is read-only just now" };
  }
  if (code === "EACCES" || code === "EPERM" || code.startsWith("SQLITE_PERM")) {
    return { status: 503, what: "The server is not allowed to use its storage (permission denied)" };
  }
  if (code === "EIO" || code.startsWith("SQLITE_IOERR") || code.startsWith("SQLITE_CANTOPEN")) {
    return { status: 503, what: "The server could not read or write its storage (an I/O error)" };
  }
  return undefined;
}

/** The codes an error and its causes carry (`code`, and libSQL's extended `extendedCode`). */
function codesOf(e: unknown): string[] {
  const out: string[] = [];
  for (let cur = e, depth = 0; cur && typeof cur === "object" && depth < 8; depth++) {
    const { code, extendedCode, cause } = cur as { code?: unknown; extendedCode?: unknown; cause?: unknown };
    for (const c of [extendedCode, code]) if (typeof c === "string") out.push(c);
    cur = cause;
  }
  return out;
}

/** The storage fault `e` stands for, or undefined when it is something else. */
export function storageFailure(
  e: unknown,
  { then = "try again" }: StorageFailureOptions = {},
): StorageFailure | undefined {
  for (const code of codesOf(e)) {
    const c = classify(code);
    if (!c) continue;
    const fix = c.status === 507 ? `free space and ${then}` : `nothing was lost; ${then} once it is fixed`;
    return { status: c.status, message: `${c.what} — ${fix}`, code };
  }
  return undefined;
}

/** `storageFailure` as a plain-text response (with Retry-After on 503), or undefined. */
export function storageFailureResponse(e: unknown, opts: StorageFailureOptions = {}): Response | undefined {
  const f = storageFailure(e, opts);
  if (!f) return undefined;
  return new Response(f.message, {
    status: f.status,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      ...(f.status === 503 ? { "retry-after": "10" } : {}),
    },
  });
}
