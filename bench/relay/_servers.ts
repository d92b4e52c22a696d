/**
 * Registers N bench servers in a running stack's cloud DB, as the `add-server` operator command
 * does for one (edge/reg/admin.ts addServer: a name, the public half of its server key, a TOTP
 * secret), N at once instead of one process each. Used by bench/relay/memory.ts: a relay keeps
 * one tunnel per server (a newer attach of the same server replaces the older, PROTOCOL.md §8),
 * so N idle tunnels need N servers.
 */
import { join } from "node:path";
import * as cloudSchema from "../../shared/db/cloud/schema.ts";
import { openDatabase } from "../../platform/db.ts";
import { loadCloudConfig } from "../../edge/config.ts";
import { addServer } from "../../edge/reg/admin.ts";
import { exportPrivateKeyPem, generateKeyPair, publicJwk } from "../../shared/pki/mod.ts";
import { silentLogger } from "../../shared/log/mod.ts";
import { repoRoot } from "./_lib.ts";

export interface BenchServer {
  serverId: string;
  name: string;
  totpSecret: string;
  /** The server key, PKCS#8 PEM. */
  keyPem: string;
}

export async function registerBenchServers(cloudDir: string, count: number): Promise<BenchServer[]> {
  const cfg = loadCloudConfig(cloudDir, join(cloudDir, "config.json"));
  const db = await openDatabase(cfg.databaseUrl, {
    schema: cloudSchema,
    migrationsFolder: join(repoRoot, "migrations/cloud"),
    authToken: cfg.databaseAuthToken,
  });
  const deps = { db, log: silentLogger, zone: cfg.zone, now: Date.now };
  const servers: BenchServer[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const keys = await generateKeyPair();
      const reg = await addServer(deps, `bench-${i}`, await publicJwk(keys.publicKey));
      servers.push({ ...reg, keyPem: await exportPrivateKeyPem(keys.privateKey) });
    }
  } finally {
    db.close();
  }
  return servers;
}
