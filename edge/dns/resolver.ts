/**
 * DNSCloud's one resolver: a query in wire format and a snapshot in, an answer in wire format out.
 * Used by DoH on the edge and by the UDP/TCP front. The wire format is `@dnsquery/dns-packet`'s.
 *
 * Records (all under the snapshot's zone, TTLs in `TTL`):
 *   <zone>                        SOA, NS (the registered DNS fronts)
 *   ns names, reg., id.           A/AAAA
 *   <relayId>.<zone>              A/AAAA of the relay's tunnel port
 *   <user>.<zone>                 A/AAAA of at most 2 alive relays holding the user's tunnel,
 *                                 least loaded first; none holds it (server offline) → the
 *                                 least-loaded alive relays with a short TTL (see README)
 *   local.<user>.<zone>           127.0.0.1 / ::1
 *   _acme-challenge.[local.]<user>.<zone>  TXT (ACME DNS-01), when set
 * Anything else in the zone is NXDOMAIN (with SOA); other zones are REFUSED.
 */
import * as dnsPacket from "@dnsquery/dns-packet";
import type { Answer, Packet, Question } from "@dnsquery/dns-packet";
import type { DnsSnapshot } from "./snapshot.ts";

export const TTL = {
  user: 30,
  /** A registered user whose server has no tunnel right now: come back soon. */
  userOffline: 5,
  local: 300,
  relay: 60,
  cloud: 300,
  ns: 3600,
  soa: 3600,
  /** SOA minimum: how long NXDOMAIN / NODATA may be cached. */
  negative: 10,
  txt: 10,
} as const;

/** At most this many relays per user answer. */
export const MAX_RELAYS_PER_ANSWER = 2;
/** The largest UDP answer we send, whatever the client advertises (DNS flag day 2020). */
export const MAX_UDP_PAYLOAD = 1232;
/** Queries larger than this are not decoded (a query has one question and an OPT record). */
export const MAX_QUERY_BYTES = 4096;

const FLAG_AA = 0x0400;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
/** Extended RCODE BADVERS (16): upper 8 bits in the OPT record. */
const BADVERS_HIGH = 1;

export type TransportKind = "udp" | "tcp" | "doh";

interface RelayChoice {
  id: string;
  load: number;
  hot: boolean;
  v4: string[];
  v6: string[];
}

interface UserNode {
  /** Alive relays holding the tunnel; empty when the server is offline. */
  holding: RelayChoice[];
}

interface Node {
  a?: string[];
  aaaa?: string[];
  ns?: string[];
  soa?: boolean;
  txt?: string[];
  ttl: number;
  user?: UserNode;
}

/** A snapshot turned into lookup tables, built once per snapshot. */
export interface CompiledZone {
  zone: string;
  serial: number;
  nodes: Map<string, Node>;
  soaName: string;
  aliveRelays: RelayChoice[];
  /** True when some answer depends on shuffling equally loaded relays. */
  shuffles: boolean;
}

const isV6 = (ip: string) => ip.includes(":");

export function compileZone(snap: DnsSnapshot): CompiledZone {
  const zone = snap.zone.toLowerCase();
  const nodes = new Map<string, Node>();
  const add = (name: string, n: Omit<Node, "ttl"> & { ttl?: number }) => {
    const prev = nodes.get(name);
    nodes.set(name, { ttl: n.ttl ?? prev?.ttl ?? TTL.cloud, ...prev, ...n });
  };
  const addrs = (name: string, ips: string[], ttl: number) =>
    add(name, { a: ips.filter((i) => !isV6(i)), aaaa: ips.filter(isV6), ttl });

  const nsNames = snap.nameservers.length ? snap.nameservers.map((n) => n.name) : [`reg.${zone}`];
  add(zone, { soa: true, ns: nsNames, ttl: TTL.ns });
  addrs(`reg.${zone}`, snap.cloudAddresses, TTL.cloud);
  addrs(`id.${zone}`, snap.cloudAddresses, TTL.cloud);
  for (const ns of snap.nameservers) {
    if (ns.name === zone || ns.name.endsWith(`.${zone}`)) addrs(ns.name, ns.addresses, TTL.ns);
  }

  const relays = new Map<string, RelayChoice>();
  const aliveRelays: RelayChoice[] = [];
  for (const r of snap.relays) {
    addrs(r.hostName, r.tunnelAddresses, TTL.relay);
    if (!r.alive) continue;
    const choice = {
      id: r.id,
      load: r.load,
      hot: r.hot,
      v4: r.browserAddresses.filter((i) => !isV6(i)),
      v6: r.browserAddresses.filter(isV6),
    };
    relays.set(r.id, choice);
    aliveRelays.push(choice);
  }
  let shuffles = hasTies(aliveRelays);
  for (const u of snap.users) {
    const holding = u.relays.map((id) => relays.get(id)).filter((r): r is RelayChoice => !!r);
    if (hasTies(holding)) shuffles = true;
    add(`${u.name}.${zone}`, { user: { holding }, ttl: TTL.user });
    addrs(`local.${u.name}.${zone}`, ["127.0.0.1", "::1"], TTL.local);
  }
  for (const t of snap.txt) {
    if (t.values.length) add(t.name, { txt: t.values, ttl: TTL.txt });
  }
  return { zone, serial: snap.serial, nodes, soaName: nsNames[0], aliveRelays, shuffles };
}

function hasTies(rs: RelayChoice[]): boolean {
  const seen = new Set<string>();
  for (const r of rs) {
    const k = `${r.hot}:${r.load}`;
    if (seen.has(k)) return true;
    seen.add(k);
  }
  return false;
}

/**
 * The relays to answer with: lowest load first, at most `max`; a hot relay (above a high-water
 * mark) only when no cool one qualifies; relays of equal load in random order.
 */
export function chooseRelays<T extends { load: number; hot: boolean }>(
  candidates: T[],
  { max = MAX_RELAYS_PER_ANSWER, random = Math.random }: { max?: number; random?: () => number } = {},
): T[] {
  const cool = candidates.filter((r) => !r.hot);
  const pool = (cool.length ? cool : candidates).map((r) => ({ r, tie: random() }));
  pool.sort((x, y) => x.r.load - y.r.load || x.tie - y.tie);
  return pool.slice(0, max).map((x) => x.r);
}

export interface RespondOptions {
  transport: TransportKind;
  random?: () => number;
}

/** Decodes a query; `undefined` for input that must be dropped (too short, or a response). */
function decodeQuery(bytes: Uint8Array): { packet?: Packet; id: number; rd: boolean } | undefined {
  if (bytes.length < 12) return undefined;
  if (bytes[2] & 0x80) return undefined; // QR set: a response, never answered (no loops)
  const id = (bytes[0] << 8) | bytes[1];
  const rd = (bytes[2] & 0x01) !== 0;
  if (bytes.length > MAX_QUERY_BYTES) return { id, rd };
  try {
    const packet = dnsPacket.decode(bytes);
    // The decoder reads past the end of a cut message as if it went on (an OPT record cut in
    // half decodes fine): a message whose records need more bytes than it has is malformed.
    if (decodedBytes() > bytes.length) return { id, rd };
    return { packet, id, rd };
  } catch {
    return { id, rd };
  }
}

/** How many bytes the last `dnsPacket.decode` consumed (the library records it on the function). */
function decodedBytes(): number {
  return (dnsPacket.decode as unknown as { bytes?: number }).bytes ?? 0;
}

type OptRecord = { type: "OPT"; name: "."; udpPayloadSize: number; ednsVersion?: number; flags?: number };

/**
 * Answers one query (wire format) from `zone`. Returns `null` when the input must be dropped.
 * UDP answers larger than the client's limit (512, or its EDNS0 size up to 1232) are sent
 * truncated with TC set, so the client retries over TCP.
 */
export function respond(zone: CompiledZone, query: Uint8Array, o: RespondOptions): Uint8Array | null {
  const q = decodeQuery(query);
  if (!q) return null;
  const base = { id: q.id, flags: q.rd ? FLAG_RD : 0 };
  const p = q.packet;
  const head = (rcode: number, extra: Partial<Packet> = {}): Packet => ({
    type: "response",
    ...base,
    ...extra,
    flags: (extra.flags ?? base.flags) | rcode,
  });
  if (!p) return dnsPacket.encode(head(RCODE.FORMERR));
  const opcode = (query[2] >> 3) & 0x0f;
  const opts = (p.additionals ?? []).filter((a) => a.type === "OPT") as unknown as OptRecord[];
  const questions = p.questions ?? [];
  if (opts.length > 1 || (opts[0] && opts[0].name !== ".")) return dnsPacket.encode(head(RCODE.FORMERR));
  const opt = opts[0];
  const replyOpt = opt ? [{ type: "OPT", name: ".", udpPayloadSize: MAX_UDP_PAYLOAD, flags: 0 }] : [];
  if (opt && (opt.ednsVersion ?? 0) !== 0) {
    const bad = { ...replyOpt[0], extendedRcode: BADVERS_HIGH };
    return dnsPacket.encode(head(0, { questions, additionals: [bad] as unknown as Answer[] }));
  }
  if (opcode !== 0) return dnsPacket.encode(head(RCODE.NOTIMP, { questions }));
  if (questions.length !== 1) return dnsPacket.encode(head(RCODE.FORMERR));
  const question = questions[0];
  if (!echoesExactly(question.name, query)) return dnsPacket.encode(head(RCODE.FORMERR));
  // Zone transfers are not offered. RFC 5936 §4.2 makes AXFR TCP-only, so over UDP the request
  // is not implemented at all (NOTIMP); over TCP and DoH it is refused by policy (REFUSED).
  if (question.type === "AXFR" || question.type === "IXFR") {
    const rcode = o.transport === "udp" ? RCODE.NOTIMP : RCODE.REFUSED;
    return dnsPacket.encode(
      head(rcode, { questions: [question], additionals: replyOpt as unknown as Answer[] }),
    );
  }

  const result = lookup(zone, question, o.random ?? Math.random);
  const packet = head(result.rcode, {
    flags: base.flags | (result.authoritative ? FLAG_AA : 0),
    questions: [question],
    answers: result.answers,
    authorities: result.authorities,
    additionals: replyOpt as unknown as Answer[],
  });
  let out = dnsPacket.encode(packet);
  const limit = o.transport === "udp"
    ? Math.min(Math.max(512, opt?.udpPayloadSize ?? 512), MAX_UDP_PAYLOAD)
    : 65535;
  if (out.length > limit) {
    out = dnsPacket.encode({ ...packet, flags: packet.flags! | FLAG_TC, answers: [], authorities: [] });
  }
  return out;
}

/**
 * True when the decoded question name encodes back to the very bytes of the query (which starts
 * at offset 12). Not so for labels holding a dot, invalid UTF-8 or an empty label: echoing those
 * would corrupt the answer, so they get FORMERR.
 */
function echoesExactly(name: string, query: Uint8Array): boolean {
  let encoded: Uint8Array;
  try {
    if (name.split(".").some((l) => l === "" && name !== ".")) return false;
    encoded = dnsPacket.name.encode(name);
  } catch {
    return false;
  }
  if (12 + encoded.length > query.length) return false;
  for (let i = 0; i < encoded.length; i++) if (encoded[i] !== query[12 + i]) return false;
  return true;
}

interface Lookup {
  rcode: number;
  authoritative: boolean;
  answers: Answer[];
  authorities: Answer[];
}

function lookup(zone: CompiledZone, q: Question, random: () => number): Lookup {
  const qname = q.name.toLowerCase().replace(/\.$/, "");
  const inZone = qname === zone.zone || qname.endsWith(`.${zone.zone}`);
  const klass = q.class ?? "IN";
  if (!inZone || (klass !== "IN" && klass !== "ANY")) {
    return { rcode: RCODE.REFUSED, authoritative: false, answers: [], authorities: [] };
  }
  const node = zone.nodes.get(qname);
  const soa = (ttl: number): Answer => ({
    type: "SOA",
    name: zone.zone,
    ttl,
    data: {
      mname: zone.soaName,
      rname: `hostmaster.${zone.zone}`,
      serial: zone.serial,
      refresh: 3600,
      retry: 600,
      expire: 604800,
      minimum: TTL.negative,
    },
  });
  if (!node) {
    return { rcode: RCODE.NXDOMAIN, authoritative: true, answers: [], authorities: [soa(TTL.negative)] };
  }
  const name = q.name.replace(/\.$/, "");
  const type = q.type;
  const any = type === "ANY";
  const answers: Answer[] = [];
  let a = node.a;
  let aaaa = node.aaaa;
  let ttl = node.ttl;
  if (node.user && (any || type === "A" || type === "AAAA")) {
    const offline = node.user.holding.length === 0;
    const chosen = chooseRelays(offline ? zone.aliveRelays : node.user.holding, { random });
    a = chosen.flatMap((r) => r.v4);
    aaaa = chosen.flatMap((r) => r.v6);
    if (offline) ttl = TTL.userOffline;
  }
  if ((any || type === "SOA") && node.soa) answers.push(soa(TTL.soa));
  if ((any || type === "NS") && node.ns) {
    for (const ns of node.ns) answers.push({ type: "NS", name, ttl: TTL.ns, data: ns });
  }
  if (any || type === "A") { for (const ip of a ?? []) answers.push({ type: "A", name, ttl, data: ip }); }
  if (any || type === "AAAA") {
    for (const ip of aaaa ?? []) answers.push({ type: "AAAA", name, ttl, data: ip });
  }
  if ((any || type === "TXT") && node.txt) {
    for (const v of node.txt) answers.push({ type: "TXT", name, ttl: node.ttl, data: [v] });
  }
  return {
    rcode: RCODE.NOERROR,
    authoritative: true,
    answers,
    authorities: answers.length ? [] : [soa(TTL.negative)],
  };
}

/** The smallest TTL in an encoded answer (for DoH's Cache-Control); `undefined` when none. */
export function minTtl(answer: Uint8Array): number | undefined {
  const p = dnsPacket.decode(answer);
  const ttls = [...(p.answers ?? []), ...(p.authorities ?? [])].filter((r) => r.type !== "OPT")
    .map((r) => r.ttl ?? 0);
  return ttls.length ? Math.min(...ttls) : undefined;
}

/**
 * The resolver with a cache of encoded answers per exact query (everything but the message id)
 * for the current snapshot: a hit copies the bytes and patches the id. Bounded in size; emptied
 * when the snapshot changes. Answers that depend on shuffling keep a few variants per query.
 */
export class Responder {
  #zone: CompiledZone;
  /** FNV-1a of (transport, query bytes after the id) → entries with that hash. */
  #cache = new Map<number, CacheEntry[]>();
  #entries = 0;
  readonly maxEntries: number;
  static readonly VARIANTS = 4;

  constructor(snapshot: DnsSnapshot, { maxEntries = 10_000 }: { maxEntries?: number } = {}) {
    this.#zone = compileZone(snapshot);
    this.maxEntries = maxEntries;
  }

  get zone(): CompiledZone {
    return this.#zone;
  }

  get cacheSize(): number {
    return this.#entries;
  }

  update(snapshot: DnsSnapshot): void {
    this.#zone = compileZone(snapshot);
    this.#cache.clear();
    this.#entries = 0;
  }

  respond(query: Uint8Array, transport: TransportKind): Uint8Array | null {
    if (query.length < 12 || query.length > 512) return respond(this.#zone, query, { transport });
    const t = TRANSPORT_CODE[transport];
    const hash = fnv1a(t, query);
    const bucket = this.#cache.get(hash);
    let hit: CacheEntry | undefined;
    if (bucket) {
      for (const e of bucket) {
        if (e.transport === t && sameAfterId(e.query, query)) {
          hit = e;
          break;
        }
      }
    }
    const want = this.#zone.shuffles ? Responder.VARIANTS : 1;
    if (hit && hit.answers.length >= want) {
      const n = hit.answers.length;
      const out = hit.answers[n === 1 ? 0 : Math.floor(Math.random() * n)].slice();
      out[0] = query[0];
      out[1] = query[1];
      return out;
    }
    const out = respond(this.#zone, query, { transport });
    if (out) {
      if (hit) hit.answers.push(out.slice());
      else if (this.#entries < this.maxEntries) {
        const entry = { transport: t, query: query.slice(), answers: [out.slice()] };
        if (bucket) bucket.push(entry);
        else this.#cache.set(hash, [entry]);
        this.#entries++;
      }
    }
    return out;
  }
}

interface CacheEntry {
  transport: number;
  query: Uint8Array;
  answers: Uint8Array[];
}

const TRANSPORT_CODE: Record<TransportKind, number> = { udp: 1, tcp: 2, doh: 3 };

function fnv1a(seed: number, bytes: Uint8Array): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 2; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

function sameAfterId(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 2; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** SERVFAIL for a query (what a front answers before its first snapshot); `null` to drop. */
export function serverFailure(query: Uint8Array): Uint8Array | null {
  const q = decodeQuery(query);
  if (!q) return null;
  return dnsPacket.encode({
    type: "response",
    id: q.id,
    flags: (q.rd ? FLAG_RD : 0) | RCODE.SERVFAIL,
    questions: q.packet?.questions?.length === 1 ? q.packet.questions : [],
  });
}
