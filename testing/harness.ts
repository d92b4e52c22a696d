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
import { type RelaySpec, type RunningStack, startStack, type UserSpec } from "../tools/stack/stack.ts";

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
  enableByteStream?: boolean;
  /** Echo process output (debugging a failing test). */
  verbose?: boolean;
}

export interface Harness extends RunningStack {
  baseDir: string;
  relaySpecs: RelaySpec[];
  userSpecs: UserSpec[];
  relay(id: string): RelaySpec;
  user(name: string): UserSpec;
  output: string[];
}

export async function startHarness(
  { relays = 1, users = ["alice"], enableByteStream = true, verbose = !!process.env.HEARTH_TEST_VERBOSE }:
    HarnessOptions = {},
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
    };
  });
  const userSpecs: UserSpec[] = users.map((name) => ({
    name,
    localAddress: "127.0.0.1",
    localPort: freePort(),
    publicPort: relaySpecs[0]?.browserPort ?? 443,
    enableByteStream,
  }));
  let stack: RunningStack;
  try {
    stack = await startStack({
      baseDir,
      zone: ZONE,
      cloud: { host: "127.0.0.1", port: freePort() },
      relays: relaySpecs,
      users: userSpecs,
      overwriteConfig: true,
      logFormat: "json",
      onLine: (line, proc) => {
        output.push(`${proc}: ${line}`);
        if (verbose) console.log(`${proc}: ${line}`);
      },
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
    output,
    relay: (id) => relaySpecs.find((r) => r.id === id) ?? raise(`No relay "${id}"`),
    user: (name) => userSpecs.find((u) => u.name === name) ?? raise(`No user "${name}"`),
    async stop() {
      await stack.stop();
      rmSync(baseDir, { recursive: true, force: true });
    },
  };
}

function raise(message: string): never {
  throw new Error(message);
}
