/**
 * Which OS user owns the other end of a loopback TCP connection (Linux): the browser's socket is
 * the row of `/proc/net/tcp` (or `tcp6`) whose local end is the peer's address and port and whose
 * remote end is our listener; its `uid` column is the user that opened it. A browser run by another
 * user on this machine (or any process of theirs posing as one) is refused by the local listener.
 */
import { readFileSync } from "node:fs";

/**
 * How a loopback address and port appear in /proc/net/tcp and tcp6: an IPv4 address as four bytes
 * in the machine's (little-endian) order in `tcp`, and IPv4-mapped (`::ffff:a.b.c.d`) in `tcp6`;
 * `::1` only in `tcp6`. The socket's own family decides its table, so both forms are looked for.
 */
export function procForms(ip: string, port: number): { tcp: string[]; tcp6: string[] } {
  const portHex = port.toString(16).toUpperCase().padStart(4, "0");
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/i.exec(ip);
  if (v4) {
    const le = v4.slice(1, 5).map(Number).reverse().map(hex2).join("");
    return { tcp: [`${le}:${portHex}`], tcp6: [`0000000000000000FFFF0000${le}:${portHex}`] };
  }
  if (ip === "::1") return { tcp: [], tcp6: [`00000000000000000000000001000000:${portHex}`] };
  throw new Error(`Not a loopback address: ${ip}`);
}

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, "0");

/** Parses a /proc/net/tcp{,6} table: for each socket, its local and remote ends and its uid. */
export function parseProcTcp(text: string): { local: string; remote: string; uid: number }[] {
  const out: { local: string; remote: string; uid: number }[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    // A whole row only (sl … uid timeout inode): a row cut short could end inside its uid.
    if (f.length < 10 || !/^\d+:$/.test(f[0]!) || !/^\d+$/.test(f[7]!) || !/^\d+$/.test(f[9]!)) continue;
    const uid = Number(f[7]);
    if (!/^[0-9A-Fa-f]+:[0-9A-Fa-f]{4}$/.test(f[1]!) || !/^[0-9A-Fa-f]+:[0-9A-Fa-f]{4}$/.test(f[2]!)) {
      continue;
    }
    out.push({ local: f[1]!.toUpperCase(), remote: f[2]!.toUpperCase(), uid });
  }
  return out;
}

/**
 * The uid that owns the peer's socket of a connection from `peer` to our listener at `us`, or
 * undefined when it cannot be told (not Linux, or the socket is already gone).
 */
export function peerUid(
  peer: { ip: string; port: number },
  us: { ip: string; port: number },
  read: (path: string) => string = (p) => readFileSync(p, "utf8"),
): number | undefined {
  let p, u;
  try {
    p = procForms(peer.ip, peer.port);
    u = procForms(us.ip, us.port);
  } catch {
    return undefined;
  }
  for (const table of ["tcp", "tcp6"] as const) {
    if (p[table].length === 0) continue;
    let text: string;
    try {
      text = read(`/proc/net/${table}`);
    } catch {
      continue;
    }
    const row = parseProcTcp(text).find((r) => p[table].includes(r.local) && u[table].includes(r.remote));
    if (row) return row.uid;
  }
  return undefined;
}
