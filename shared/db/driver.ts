/**
 * Which libSQL client a database URL needs. Pure, so the choice is unit-tested without a server:
 * `file:` → the embedded client; `libsql://`, `https://`, `wss://` → a remote sqld/Turso, which
 * needs an auth token; on runtimes with only HTTP (edge workers) remote URLs use `@libsql/client/web`.
 */

export class DatabaseConfigError extends Error {
  override name = "DatabaseConfigError";
}

export type DriverChoice =
  | { kind: "file"; url: string; path: string }
  | { kind: "remote"; url: string; authToken: string; module: "@libsql/client" | "@libsql/client/web" };

export interface DriverOptions {
  authToken?: string;
  /** True where the runtime has no filesystem or sockets, only `fetch` (edge workers). */
  httpOnly?: boolean;
}

export function chooseDriver(url: string, { authToken, httpOnly = false }: DriverOptions = {}): DriverChoice {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseConfigError(
      `Database URL "${url}" is not a URL (expected file:…, libsql://… or https://…)`,
    );
  }
  switch (parsed.protocol) {
    case "file:": {
      if (httpOnly) {
        throw new DatabaseConfigError(`Database URL "${url}" is a file, but this runtime has only HTTP`);
      }
      const path = decodeURIComponent(url.slice("file:".length));
      if (!path) throw new DatabaseConfigError(`Database URL "${url}" names no file`);
      return { kind: "file", url, path };
    }
    case "libsql:":
    case "https:":
    case "http:":
    case "wss:":
    case "ws:": {
      if (!authToken) {
        throw new DatabaseConfigError(`Database URL "${url}" is remote and needs an auth token`);
      }
      if (httpOnly && (parsed.protocol === "wss:" || parsed.protocol === "ws:")) {
        throw new DatabaseConfigError(
          `Database URL "${url}" needs WebSockets, but this runtime has only HTTP`,
        );
      }
      return { kind: "remote", url, authToken, module: httpOnly ? "@libsql/client/web" : "@libsql/client" };
    }
    default:
      throw new DatabaseConfigError(
        `Database URL "${url}" has unsupported scheme "${parsed.protocol}" (expected file:, libsql:, https:)`,
      );
  }
}
