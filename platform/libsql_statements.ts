/**
 * libSQL's native client (libsql 0.5.29, under @libsql/client 0.18) never frees a prepared
 * statement: each `prepare` keeps ~3 KiB for the life of the process, even after the statement
 * is garbage (measured under Bun and Node; tursodatabase/libsql-js#153, libsql-client-ts#333).
 * @libsql/client prepares every statement it executes, so a server leaked memory with every
 * query — 150,000 statements grew a process by ~850 MiB, and a long-running user server grows
 * without bound.
 *
 * The statements are reused instead: each connection keeps its most recently used statements by
 * SQL text. @libsql/client runs a statement to completion (`all` / `run`) before it prepares the
 * next, so a statement is never in use twice at once. Our SQL is parameterised, so the distinct
 * texts are few; past the bound the least recently used is dropped (and, as before, leaked).
 */
import Database from "libsql";

/** Distinct statements kept per connection. */
export const STATEMENTS_PER_CONNECTION = 512;

/** The part of libsql's Database this touches, typed loosely: `prepare` is generic there. */
interface Preparing {
  prepare(sql: string): unknown;
}

let installed = false;

export function reuseLibsqlStatements(): void {
  if (installed) return;
  installed = true;
  const proto: Preparing = Database.prototype;
  const prepare = proto.prepare;
  const kept = new WeakMap<Preparing, Map<string, unknown>>();
  proto.prepare = function (this: Preparing, sql: string): unknown {
    let statements = kept.get(this);
    if (!statements) {
      statements = new Map();
      kept.set(this, statements);
    }
    const known = statements.get(sql);
    if (known) {
      statements.delete(sql); // most recently used last
      statements.set(sql, known);
      return known;
    }
    const fresh = prepare.call(this, sql);
    statements.set(sql, fresh);
    if (statements.size > STATEMENTS_PER_CONNECTION) statements.delete(statements.keys().next().value!);
    return fresh;
  };
}
