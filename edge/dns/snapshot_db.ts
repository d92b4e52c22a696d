/**
 * The edge's side of the DNS snapshot: built from the cloud DB (relays, tunnels, servers, ACME
 * challenges, DNS fronts) and kept in memory, rebuilt at most once per `maxAgeMs` when someone
 * asks — so DoH and the snapshot endpoint never query the DB per packet.
 */
import { gt } from "drizzle-orm";
import { acmeChallenges, dnsFronts, relays, servers, tunnels } from "../../shared/db/cloud/schema.ts";
import { sha256Hex } from "../../shared/crypto/mod.ts";
import type { CloudDeps } from "../deps.ts";
import { HEARTBEAT_INTERVAL_MS, MISSED_HEARTBEATS_FOR_DEAD } from "../reg/liveness.ts";
import { type DnsSnapshot, parseSnapshot } from "./snapshot.ts";

/** Above any of these a relay is "hot": left out of answers while a cooler one qualifies. */
export interface HighWaterMarks {
  tunnels: number;
  streams: number;
  bytesPerSecond: number;
}
export const DEFAULT_HIGH_WATER: HighWaterMarks = { tunnels: 8_000, streams: 16_000, bytesPerSecond: 500e6 };

export interface SnapshotOptions {
  /** What `reg.` and `id.` resolve to (the cloud tier's public addresses). */
  cloudAddresses?: string[];
  highWater?: HighWaterMarks;
}

const hostOf = (address: string) => address.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
const isIp = (s: string) => /^[0-9.]+$/.test(s) || s.includes(":");

export async function buildSnapshot(
  deps: CloudDeps,
  { cloudAddresses = [], highWater = DEFAULT_HIGH_WATER }: SnapshotOptions = {},
): Promise<Omit<DnsSnapshot, "serial">> {
  const now = deps.now();
  const aliveSince = now - HEARTBEAT_INTERVAL_MS * MISSED_HEARTBEATS_FOR_DEAD;
  const [relayRows, tunnelRows, serverRows, txtRows, frontRows] = await Promise.all([
    deps.db.orm.select().from(relays),
    deps.db.orm.select({ serverId: tunnels.serverId, relayId: tunnels.relayId }).from(tunnels),
    deps.db.orm.select({ id: servers.id, name: servers.name, state: servers.state }).from(servers),
    deps.db.orm.select({ fqdn: acmeChallenges.fqdn, value: acmeChallenges.value }).from(acmeChallenges)
      .where(gt(acmeChallenges.expiresAt, now)),
    deps.db.orm.select().from(dnsFronts),
  ]);
  const byServer = new Map<string, string[]>();
  for (const t of tunnelRows) byServer.set(t.serverId, [...(byServer.get(t.serverId) ?? []), t.relayId]);
  const txt = new Map<string, string[]>();
  for (const t of txtRows) {
    const name = `_acme-challenge.${t.fqdn}`;
    txt.set(name, [...(txt.get(name) ?? []), t.value]);
  }
  const zone = deps.zone;
  return {
    zone,
    generatedAt: now,
    nameservers: frontRows.map((f) => ({ name: f.hostName, addresses: JSON.parse(f.addresses) as string[] }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    cloudAddresses,
    relays: relayRows.map((r) => ({
      id: r.id,
      hostName: r.hostName,
      tunnelAddresses: [hostOf(r.tunnelAddress)].filter(isIp),
      browserAddresses: JSON.parse(r.browserAddresses) as string[],
      alive: r.deadAt === null && r.lastHeartbeatAt !== null && r.lastHeartbeatAt >= aliveSince,
      hot: r.loadTunnels >= highWater.tunnels || r.loadStreams >= highWater.streams ||
        r.loadBytesPerSecond >= highWater.bytesPerSecond,
      load: r.loadStreams + r.loadTunnels,
    })).sort((a, b) => a.id.localeCompare(b.id)),
    // Deregistered names are NXDOMAIN; a suspended name answers with every relay, which refuses
    // browsers for it with the TLS alert access_denied (edge/relay/PROTOCOL.md §10).
    users: serverRows.filter((s) => s.state !== "deregistered").map((s) => ({
      name: s.name,
      relays: s.state === "suspended" ? relayRows.map((r) => r.id).sort() : (byServer.get(s.id) ?? []).sort(),
    })).sort((a, b) => a.name.localeCompare(b.name)),
    txt: [...txt].map(([name, values]) => ({ name, values: values.sort() }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export interface SnapshotState {
  snapshot: DnsSnapshot;
  /** Strong ETag over the content (not the build time). */
  etag: string;
}

/**
 * The edge's in-memory snapshot: `current()` rebuilds it when older than `maxAgeMs` (one build
 * at a time), so the DB sees at most one snapshot query per interval per edge instance.
 */
export class SnapshotSource {
  #state?: SnapshotState;
  #builtAt = -Infinity;
  #building?: Promise<SnapshotState>;

  constructor(
    private readonly deps: CloudDeps,
    private readonly o: SnapshotOptions & { maxAgeMs?: number } = {},
  ) {}

  async current(): Promise<SnapshotState> {
    const maxAge = this.o.maxAgeMs ?? 1000;
    if (this.#state && this.deps.now() - this.#builtAt < maxAge) return this.#state;
    this.#building ??= this.#build().finally(() => (this.#building = undefined));
    return await this.#building;
  }

  async #build(): Promise<SnapshotState> {
    const started = this.deps.now();
    const { generatedAt, ...content } = await buildSnapshot(this.deps, this.o);
    const digest = await sha256Hex(JSON.stringify(content));
    const etag = `"${digest.slice(0, 32)}"`;
    if (this.#state?.etag === etag) {
      this.#state = { etag, snapshot: { ...this.#state.snapshot, generatedAt } };
    } else {
      // The serial counts seconds and moves forward on every content change.
      const prev = this.#state?.snapshot.serial ?? 0;
      const serial = Math.max(prev + 1, Math.floor(generatedAt / 1000)) % 0x100000000;
      this.#state = { etag, snapshot: parseSnapshot({ ...content, generatedAt, serial }) };
    }
    this.#builtAt = started;
    return this.#state;
  }
}
