/**
 * Test helper: a whole user server (no listeners) on a temp data directory, with a sign-in the
 * test switches (alice, another account, nobody), and requests through its relayed app as from a
 * browser at `address` (the shell reads the peer's address from the connection info).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../shared/log/mod.ts";
import { startUserServer, type UserServer } from "./boot/mod.ts";
import { CONFIG_VERSION, loadUserServerConfig } from "./config/mod.ts";
import { switchableAuth } from "./web/_test_auth.ts";

export const TEST_ORIGIN = "https://alice.hearth.localhost";

export interface TestServer {
  dir: string;
  server: UserServer;
  signIn(name: string | undefined): void;
  /** A request to alice's relayed app from her own origin, as from `address`. */
  request(path: string, init?: RequestInit, address?: string): Promise<Response>;
  stop(): Promise<void>;
}

export async function testServer(prefix: string): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), `hearth-${prefix}-`));
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({ version: CONFIG_VERSION, name: "alice", setupDone: true }),
  );
  const { auth, signIn } = switchableAuth("alice");
  const { config } = loadUserServerConfig(dir, join(dir, "config.json"));
  const server = await startUserServer({ config, log: silentLogger, auth, listen: false });
  return {
    dir,
    server,
    signIn,
    request: async (path, init = {}, address = "203.0.113.7") =>
      await server.relayedApp.request(`${TEST_ORIGIN}${path}`, {
        ...init,
        headers: { origin: TEST_ORIGIN, ...(init.headers as Record<string, string> | undefined) },
      }, { requestIP: () => ({ address, port: 40000, family: "IPv4" }) }),
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
