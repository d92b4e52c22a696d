import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { LibsqlError } from "@libsql/client";
import { storageFailure, storageFailureResponse } from "./storage_errors.ts";

const errno = (code: string) => Object.assign(new Error(`${code}: failed, write`), { code });

describe("storageFailure", () => {
  test("each fault maps to its status and a sentence that says what will fix it", () => {
    const cases: Array<[unknown, number, RegExp]> = [
      [errno("ENOSPC"), 507, /^The server's disk is full — free space and try again$/],
      [errno("EDQUOT"), 507, /quota is used up — free space/],
      [errno("EROFS"), 503, /read-only just now — nothing was lost/],
      [errno("EACCES"), 503, /not allowed to use its storage \(permission denied\)/],
      [errno("EPERM"), 503, /permission denied/],
      [errno("EIO"), 503, /an I\/O error/],
      [new LibsqlError("database or disk is full", "SQLITE_FULL"), 507, /disk is full/],
      [new LibsqlError("disk I/O error", "SQLITE_IOERR", "SQLITE_IOERR_WRITE"), 503, /I\/O error/],
      [new LibsqlError("attempt to write a readonly database", "SQLITE_READONLY"), 503, /read-only/],
      // Wrapped, as drizzle wraps the driver's error.
      [
        new Error("Failed query: insert …", { cause: new LibsqlError("full", "SQLITE_FULL") }),
        507,
        /disk is full/,
      ],
    ];
    for (const [e, status, message] of cases) {
      const f = storageFailure(e);
      expect([String(e), f?.status as number | undefined]).toEqual([String(e), status]);
      expect(f!.message).toMatch(message);
    }
    expect(storageFailure(errno("ENOSPC"), { then: "the upload will resume" })!.message).toBe(
      "The server's disk is full — free space and the upload will resume",
    );
    const res = storageFailureResponse(errno("EROFS"))!;
    expect([res.status, res.headers.get("retry-after")]).toEqual([503, "10"]);
  });

  test("anything else is not a storage fault", () => {
    for (
      const e of [
        new Error("x"),
        errno("ENOENT"),
        new LibsqlError("c", "SQLITE_CONSTRAINT"),
        null,
        3,
        "ENOSPC",
      ]
    ) {
      expect(storageFailure(e)).toBeUndefined();
    }
  });

  test("property: any value, any cause chain (cycles too) gives a failure or undefined, never a throw", () => {
    const codes = fc.constantFrom("ENOSPC", "EROFS", "EIO", "ENOENT", "SQLITE_FULL", "SQLITE_BUSY", "", "x");
    const errLike = fc.record({ code: fc.oneof(codes, fc.anything()), extendedCode: fc.anything() }, {
      requiredKeys: [],
    });
    fc.assert(
      fc.property(fc.array(errLike, { maxLength: 12 }), fc.boolean(), (chain, cycle) => {
        const objs = chain.map((c) => ({ ...c }) as Record<string, unknown>);
        objs.forEach((o, i) => (o.cause = objs[i + 1]));
        if (cycle && objs.length) objs.at(-1)!.cause = objs[0];
        const f = storageFailure(objs[0]);
        if (f) expect([503, 507]).toContain(f.status);
      }),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.anything(), (v) => void storageFailure(v)));
  });
});
