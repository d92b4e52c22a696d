/**
 * Entry-point helpers: start-up failures become one clear sentence (no stack trace), and
 * listen errors name the address.
 */
import process from "node:process";

/**
 * Files and directories a process creates are its own: 0600 and 0700 whatever creates them
 * (libSQL's database, -wal and -shm files, blobs, mail), not only those written as secrets.
 */
export function ownFilesOnly(): void {
  process.umask(0o077);
}

/**
 * Runs `main` with `ownFilesOnly()` in force; on failure prints `<proc>: <message>` to stderr and
 * exits with status 1.
 */
export async function runMain(proc: string, main: () => Promise<void>): Promise<void> {
  ownFilesOnly();
  try {
    await main();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${proc}: ${message}\n`);
    if (process.env.HEARTH_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  }
}

export class ListenError extends Error {
  override name = "ListenError";
}

/** Wraps a synchronous listen call so "address in use" names the address. */
export function listenOrExplain<T>(what: string, address: string, listen: () => T): T {
  try {
    return listen();
  } catch (cause) {
    throw new ListenError(`Cannot listen for ${what} on ${address}: ${explainListenError(cause)}`, { cause });
  }
}

export function explainListenError(cause: unknown): string {
  const code = (cause as { code?: string }).code ?? "";
  const message = cause instanceof Error ? cause.message : String(cause);
  if (code === "EADDRINUSE" || /in use|EADDRINUSE/i.test(message)) return "address in use";
  if (code === "EACCES" || /permission|EACCES/i.test(message)) return "permission denied";
  if (code === "EADDRNOTAVAIL" || /EADDRNOTAVAIL|not available/i.test(message)) {
    return "address not available on this machine";
  }
  return message;
}

/** Calls `stop` once on SIGINT or SIGTERM, then exits. */
export function onShutdown(stop: () => Promise<void> | void): void {
  let stopping = false;
  const handler = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await stop();
    } finally {
      process.exit(0);
    }
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}
