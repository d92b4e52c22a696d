/**
 * The integration-test harness: a whole stack (cloud tier, N relays, M user servers) as real
 * processes on loopback, on free ports under a temp dir, so tests run while `npm run dev` is up.
 *
 *   const h = await startHarness({ relays: 2, users: ["alice"] });
 *   ... h.relay("relay-a").tunnelPort, h.user("alice").localPort, h.caPem ...
 *   await h.stop();
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type DnsSpec,
  type RelaySpec,
  type RunningStack,
  startStack,
  type UserSpec,
} from "../tools/stack/stack.ts";

export const ZONE = "hearth.localhost";

/** A port that was free a moment ago on `host` (the OS picks it). */
export function freePort(host = "127.0.0.1"): number {
  const l = Bun.listen({ hostname: host, port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

export interface HarnessOptions {
  relays?: number;
  users?: string[];
  /** The benchmark route `GET /_bytes/<n>` (off unless a benchmark or a streaming test turns it on). */
  enableByteStream?: boolean;
  /** The user servers' `sessionCheckSeconds` (default: the server's own default). */
  sessionCheckSeconds?: number;
  /** Extra config for every relay (e.g. `{ debugTapFile }`), by relay index. */
  relayExtra?: (index: number, baseDir: string) => Record<string, unknown>;
  /** Echo process output (debugging a failing test). */
  verbose?: boolean;
  /** Also start the DNS front (UDP + TCP on 127.0.0.1, a free port): `h.dns`. */
  dns?: boolean;
  /** Restart user servers that die, as `npm run dev` does (restarts are logged to `output`). */
  restartUsers?: boolean;
}

export interface Harness extends RunningStack {
  baseDir: string;
  relaySpecs: RelaySpec[];
  userSpecs: UserSpec[];
  /** The DNS front, when started with `dns: true`. */
  dns?: DnsSpec;
  relay(id: string): RelaySpec;
  /** alice's tunnels as her local /healthz reports them (relay ids). */
  tunnelsOf(user: string): Promise<string[]>;
  /** Polls `check` every 100 ms until it returns a truthy value; throws after `timeoutMs`. */
  waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs?: number): Promise<T>;
  user(name: string): UserSpec;
  output: string[];
}

export async function startHarness(
  {
    relays = 1,
    users = ["alice"],
    enableByteStream = false,
    sessionCheckSeconds,
    relayExtra,
    verbose = !!process.env.HEARTH_TEST_VERBOSE,
    dns: withDns = false,
    restartUsers = false,
  }: HarnessOptions = {},
): Promise<Harness> {
  const baseDir = mkdtempSync(join(tmpdir(), "hearth-it-"));
  const output: string[] = [];
  // Distinct loopback addresses per relay, as in the dev topology (127.0.0.11, .12, …).
  const relaySpecs: RelaySpec[] = Array.from({ length: relays }, (_, i) => {
    const ip = `127.0.0.${21 + i}`;
    return {
      id: `relay-${String.fromCharCode(97 + i)}`,
      browserAddresses: [ip],
      browserPort: freePort(ip),
      tunnelAddress: ip,
      tunnelPort: freePort(ip),
      extra: relayExtra?.(i, baseDir),
    };
  });
  const userSpecs: UserSpec[] = users.map((name) => ({
    name,
    localAddress: "127.0.0.1",
    localPort: freePort(),
    publicPort: relaySpecs[0]?.browserPort ?? 443,
    enableByteStream,
    sessionCheckSeconds,
  }));
  const dns: DnsSpec | undefined = withDns ? { id: "ns1", host: "127.0.0.1", port: freePort() } : undefined;
  let stack: RunningStack;
  try {
    stack = await startStack({
      baseDir,
      zone: ZONE,
      cloud: { host: "127.0.0.1", port: freePort() },
      relays: relaySpecs,
      users: userSpecs,
      dns,
      overwriteConfig: true,
      logFormat: "json",
      onLine: (line, proc) => {
        output.push(`${proc}: ${line}`);
        if (verbose) console.log(`${proc}: ${line}`);
      },
      restartOnExit: (name) => restartUsers && name.startsWith("user:"),
      onRestart: (name, attempt, result) =>
        output.push(
          `stack: ${name} ${result instanceof Error ? "restart failed" : "restarted"} (${attempt})`,
        ),
    });
  } catch (e) {
    rmSync(baseDir, { recursive: true, force: true });
    throw e;
  }
  return {
    ...stack,
    baseDir,
    relaySpecs,
    userSpecs,
    dns,
    output,
    relay: (id) => relaySpecs.find((r) => r.id === id) ?? raise(`No relay "${id}"`),
    user: (name) => userSpecs.find((u) => u.name === name) ?? raise(`No user "${name}"`),
    async tunnelsOf(name) {
      const u = userSpecs.find((x) => x.name === name) ?? raise(`No user "${name}"`);
      const res = await fetch(`https://127.0.0.1:${u.localPort}/healthz`, { tls: { ca: stack.caPem } });
      return ((await res.json()) as { tunnels: { relayId: string }[] }).tunnels.map((t) => t.relayId).sort();
    },
    waitFor,
    async stop() {
      await stack.stop();
      rmSync(baseDir, { recursive: true, force: true });
    },
  };
}

function raise(message: string): never {
  throw new Error(message);
}

export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await Bun.sleep(100);
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ""}`,
  );
}
