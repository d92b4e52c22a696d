/**
 * Suspending, reinstating and deregistering a user's server (issue #23). The row's `state` is the
 * one source of truth, read by:
 * - attach verification (edge/reg/attach.ts): a server that is not active is refused, with the
 *   reason code in the refusal;
 * - the relays' heartbeat answer (edge/reg/routes.ts → `tunnelsToDrop`): a relay holding a tunnel
 *   of such a server is told to drop it, within one heartbeat (2 s);
 * - the DNS snapshot (edge/dns/snapshot_db.ts): a deregistered name is NXDOMAIN; a suspended one
 *   still answers with the relays, which refuse it (edge/relay/PROTOCOL.md, "Suspended names").
 * Each change is audited and mailed to the owner.
 */
import { and, eq, lt, ne } from "drizzle-orm";
import { accounts, servers, tunnels } from "../../shared/db/cloud/schema.ts";
import type { CloudDeps } from "../deps.ts";
import { enqueueMail, renderMail } from "../mail/mod.ts";
import { idOrigin } from "../id/accounts.ts";
import { type Actor, recordAudit } from "./audit.ts";
import { type ReasonCode, REASONS } from "./reasons.ts";

export type ServerAction = "suspend" | "unsuspend" | "deregister";
export type ServerState = typeof servers.$inferSelect.state;

export class ServerStateError extends Error {
  override name = "ServerStateError";
  constructor(message: string, readonly status: 404 | 409 = 409) {
    super(message);
  }
}

const NEXT: Record<ServerAction, { from: ServerState[]; to: ServerState }> = {
  suspend: { from: ["active"], to: "suspended" },
  unsuspend: { from: ["suspended"], to: "active" },
  deregister: { from: ["active", "suspended"], to: "deregistered" },
};

export async function changeServerState(
  deps: CloudDeps,
  actor: Actor,
  req: { name: string; action: ServerAction; reason: ReasonCode; note?: string },
): Promise<{ name: string; state: ServerState }> {
  const server = (await deps.db.orm.select().from(servers).where(eq(servers.name, req.name)))[0];
  if (!server) throw new ServerStateError(`No server is named "${req.name}"`, 404);
  const step = NEXT[req.action];
  if (!step.from.includes(server.state)) {
    throw new ServerStateError(`Cannot ${req.action} "${req.name}": it is ${server.state}`);
  }
  const now = deps.now();
  const changed = await deps.db.write(() =>
    deps.db.orm.update(servers).set({ state: step.to, stateReason: req.reason, stateChangedAt: now })
      .where(and(eq(servers.id, server.id), eq(servers.state, server.state))).returning({ id: servers.id })
  );
  if (!changed.length) throw new ServerStateError(`"${req.name}" changed meanwhile; try again`);
  const note = (req.note ?? "").slice(0, 1000);
  await recordAudit(deps, actor, {
    action: req.action,
    accountId: server.accountId,
    serverId: server.id,
    serverName: server.name,
    reasonCode: req.reason,
    note,
  });
  await mailOwner(deps, server.accountId, {
    name: server.name,
    action: req.action,
    reason: req.reason,
    note,
  });
  deps.log.warn("server state changed by an operator", {
    server: server.name,
    action: req.action,
    reason: req.reason,
    operator: actor.email,
  });
  return { name: server.name, state: step.to };
}

/** The names of suspended servers: a relay refuses browsers for them with `access_denied` (PROTOCOL.md §10). */
export async function suspendedNames(deps: CloudDeps): Promise<string[]> {
  return (await deps.db.orm.select({ name: servers.name }).from(servers).where(
    eq(servers.state, "suspended"),
  ))
    .map((s) => s.name).sort();
}

/** Of the tunnels a relay reports, those whose server may not hold one: `{serverId, code}` each. */
export async function tunnelsToDrop(
  deps: CloudDeps,
  relayId: string,
  reported: string[] | undefined,
): Promise<{ serverId: string; code: string }[]> {
  // Stopped servers are few; a relay may report 100 000 tunnels: match in memory rather than
  // sending every id as a bound parameter (SQLite caps their number).
  const stopped = await deps.db.orm.select({
    id: servers.id,
    state: servers.state,
    reason: servers.stateReason,
  })
    .from(servers).where(ne(servers.state, "active"));
  if (!stopped.length) return [];
  // Without a reported set, what the tunnels table says this relay holds.
  const held = new Set(
    reported ??
      (await deps.db.orm.select({ id: tunnels.serverId }).from(tunnels).where(eq(tunnels.relayId, relayId)))
        .map((t) => t.id),
  );
  return stopped.filter((r) => held.has(r.id)).map((r) => ({
    serverId: r.id,
    code: `${r.state}:${r.reason ?? "other"}`,
  }));
}

async function mailOwner(
  deps: CloudDeps,
  accountId: string | null,
  c: { name: string; action: ServerAction; reason: ReasonCode; note: string },
): Promise<void> {
  if (!accountId) return;
  const owner =
    (await deps.db.orm.select({ email: accounts.email }).from(accounts).where(eq(accounts.id, accountId)))[0];
  if (!owner) return;
  const address = `${c.name}.${deps.zone}`;
  const what = c.action === "suspend"
    ? `Your server ${address} was suspended: it is not reachable through Hearth's relays until an operator reinstates it.`
    : c.action === "unsuspend"
    ? `Your server ${address} was reinstated: it reconnects to the relays by itself.`
    : `Your server ${address} was deregistered: its name no longer resolves and it cannot connect to the relays.`;
  const mail = renderMail({
    subject: c.action === "unsuspend" ? `${address} is reachable again` : `${address} was ${c.action}ed`,
    heading: c.action === "unsuspend" ? "Your server is reachable again" : "An operator acted on your server",
    intro: [
      what,
      `Reason: ${REASONS[c.reason]} (${c.reason}).${c.note ? ` Note: ${c.note}` : ""}`,
      "Your data stays on your own machine; operators cannot read it. Every operator action is listed on your account page.",
    ],
    action: { label: "See your account", url: `${idOrigin(deps)}/account` },
  });
  await enqueueMail(deps, { to: owner.email, ...mail });
}

/** A deregistered name is held this long (the owner may contest it), then freed for anyone to claim. */
export const DEREGISTERED_NAME_HELD_DAYS = 30;

/** Deletes servers deregistered more than the grace period ago (and their OIDC clients); returns their names. */
export async function freeDeregisteredNames(deps: CloudDeps): Promise<string[]> {
  const cutoff = deps.now() - DEREGISTERED_NAME_HELD_DAYS * 24 * 3600_000;
  const rows = await deps.db.orm.select({ id: servers.id, name: servers.name }).from(servers)
    .where(and(eq(servers.state, "deregistered"), lt(servers.stateChangedAt, cutoff)));
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const marks = ids.map(() => "?").join(",");
  await deps.db.write(() =>
    deps.db.client.batch(
      ["oidc_clients", "tunnels", "attach_nonces", "acme_challenges"].map((table) => ({
        sql: `delete from ${table} where server_id in (${marks})`,
        args: ids,
      })).concat([{
        sql: `delete from servers where id in (${marks}) and state = 'deregistered'`,
        args: ids,
      }]),
      "write",
    )
  );
  deps.log.info("deregistered names freed after their grace period", { names: rows.map((r) => r.name) });
  return rows.map((r) => r.name);
}
