/**
 * The DNS snapshot: everything the resolver needs to answer for the zone, as plain JSON. The edge
 * builds it from the cloud DB (`snapshot_db.ts`) at most once a second; the UDP/TCP front fetches
 * it from RegCloud (`GET /reg/v1/dns/snapshot`, ETag) and checks it with `parseSnapshot`.
 */
import { z } from "zod";

const ip = z.string().regex(/^[0-9a-fA-F:.]{2,45}$/, "expected an IP address");
const dnsName = z.string().min(1).max(253).regex(/^[a-z0-9_.-]+$/, "expected a lower-case DNS name");

export const snapshotSchema = z.strictObject({
  zone: dnsName,
  /** SOA serial: changes when the content changes. */
  serial: z.number().int().min(0).max(0xffffffff),
  /** When the edge built it (Unix ms). */
  generatedAt: z.number().int(),
  /** The zone's name servers (registered DNS fronts) with their addresses. */
  nameservers: z.array(z.strictObject({ name: dnsName, addresses: z.array(ip) })),
  /** What `reg.<zone>` and `id.<zone>` resolve to. */
  cloudAddresses: z.array(ip),
  relays: z.array(z.strictObject({
    id: z.string().min(1).max(64),
    /** `<id>.<zone>`: answered with the tunnel port's address. */
    hostName: dnsName,
    tunnelAddresses: z.array(ip),
    browserAddresses: z.array(ip),
    /** A heartbeat within the liveness window and not swept dead. */
    alive: z.boolean(),
    /** Above a high-water mark: left out of user answers while another relay qualifies. */
    hot: z.boolean(),
    /** Lower is better; equal loads are shuffled. */
    load: z.number().min(0),
  })),
  /** Every registered user server by name, with the relays that hold its tunnels now. */
  users: z.array(z.strictObject({ name: dnsName, relays: z.array(z.string()) })),
  /** `_acme-challenge.…` TXT values by owner name (fully qualified, lower case, no final dot). */
  txt: z.array(z.strictObject({ name: dnsName, values: z.array(z.string().max(255)).max(64) })),
});

export type DnsSnapshot = z.output<typeof snapshotSchema>;

export class SnapshotError extends Error {
  override name = "SnapshotError";
}

export function parseSnapshot(raw: unknown): DnsSnapshot {
  const r = snapshotSchema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new SnapshotError(`Snapshot field "${issue.path.join(".")}" is invalid: ${issue.message}`);
}

/** An empty zone (SOA and NS only): what a front serves before its first snapshot arrives. */
export function emptySnapshot(zone: string): DnsSnapshot {
  return {
    zone,
    serial: 0,
    generatedAt: 0,
    nameservers: [],
    cloudAddresses: [],
    relays: [],
    users: [],
    txt: [],
  };
}
