/**
 * Opens a libSQL database for a process (Bun or Deno): picks the client from the URL, turns on
 * WAL for files, sets the busy timeout through the client's `timeout` option (a PRAGMA would
 * reach only one pooled connection), applies the drizzle-kit migrations, and hands out a
 * per-process write queue.
 */
import type { Client } from "@libsql/client";
import type { LibSQLDatabase } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { chooseDriver, WriteQueue } from "../shared/db/mod.ts";

export interface Database<S extends Record<string, unknown>> {
  client: Client;
  orm: LibSQLDatabase<S>;
  /** Run a write transaction (or a batch) serialized with the process's other writes. */
  write<T>(fn: () => Promise<T>): Promise<T>;
  close(): void;
}

export interface OpenOptions<S extends Record<string, unknown>> {
  schema: S;
  /** Folder of drizzle-kit migrations to apply at start-up. */
  migrationsFolder: string;
  authToken?: string;
  /** Busy timeout in ms for file databases. */
  busyTimeoutMs?: number;
  /** The runtime has only HTTP (edge workers): remote URLs use `@libsql/client/web`. */
  httpOnly?: boolean;
  /**
   * File databases: `full` (the default) syncs the disk at every commit; `normal` only at WAL
   * checkpoints — a power cut may lose the last commits, never the database's consistency. Each
   * commit costs ~2 ms of fsync under `full`, ~0.1 ms under `normal` (bench/scale/README.md).
   */
  synchronous?: "full" | "normal";
}

export class DatabaseOpenError extends Error {
  override name = "DatabaseOpenError";
}

export async function openDatabase<S extends Record<string, unknown>>(
  url: string,
  { schema, migrationsFolder, authToken, busyTimeoutMs = 10_000, httpOnly = false, synchronous = "full" }:
    OpenOptions<
      S
    >,
): Promise<Database<S>> {
  const choice = chooseDriver(url, { authToken, httpOnly });
  // Both the client and drizzle's driver for it are imported only when chosen: `drizzle-orm/libsql`
  // imports the native `@libsql/client`, which an HTTP-only host (Deno Deploy) cannot load.
  const web = choice.kind === "remote" && choice.module === "@libsql/client/web";
  const { createClient } = web ? await import("@libsql/client/web") : await import("@libsql/client");
  const { drizzle } = web ? await import("drizzle-orm/libsql/web") : await import("drizzle-orm/libsql");
  // libSQL's native client leaks every statement it prepares: reuse them (libsql_statements.ts).
  if (choice.kind === "file") (await import("./libsql_statements.ts")).reuseLibsqlStatements();
  const client = choice.kind === "file"
    ? createClient({ url: choice.url, timeout: busyTimeoutMs })
    : createClient({ url: choice.url, authToken: choice.authToken });
  try {
    if (choice.kind === "file") {
      // WAL is a property of the file, so one connection setting it is enough.
      await client.execute("PRAGMA journal_mode=WAL");
      await client.execute(`PRAGMA synchronous=${synchronous === "normal" ? "NORMAL" : "FULL"}`);
    }
    const orm = drizzle(client, { schema });
    await migrate(orm, { migrationsFolder });
    const queue = new WriteQueue();
    return { client, orm, write: (fn) => queue.run(fn), close: () => client.close() };
  } catch (cause) {
    client.close();
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new DatabaseOpenError(`Cannot open database "${url}": ${why}`, { cause });
  }
}
