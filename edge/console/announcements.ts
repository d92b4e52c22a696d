/**
 * Announcements (issue #23): an operator mails all users or a filtered subset through the outbox,
 * spread out to a rate limit, each message with an RFC 8058 one-click unsubscribe
 * (`List-Unsubscribe` + `List-Unsubscribe-Post`). Unsubscribing stops announcements only: security
 * mail (verification, resets, lockouts, suspension notices) carries no such header and always goes.
 */
import { eq } from "drizzle-orm";
import { accounts, announcements, unsubscribeTokens } from "../../shared/db/cloud/schema.ts";
import { constantTimeEqual, randomToken, sha256Hex } from "../../shared/crypto/mod.ts";
import type { CloudDeps } from "../deps.ts";
import { enqueueMail, renderMail } from "../mail/mod.ts";
import { idOrigin } from "../id/accounts.ts";
import { type Actor, recordAudit } from "./audit.ts";

export interface AudienceFilter {
  /** Accounts created at or after / before these times (ms). */
  registeredAfter?: number;
  registeredBefore?: number;
  /** Only accounts with a server that had a tunnel within this many days (or has one now). */
  activeDays?: number;
  /** Only accounts with a server that used this relay (within `activeDays`, if given). Relays stand in for regions. */
  relay?: string;
}

export interface Recipient {
  accountId: string;
  email: string;
}

/** Verified accounts that did not unsubscribe and match every given filter. */
export async function audience(deps: CloudDeps, f: AudienceFilter): Promise<Recipient[]> {
  const where = ["a.email_verified_at is not null", "a.announcements_off_at is null"];
  const args: (string | number)[] = [];
  if (f.registeredAfter !== undefined) (where.push("a.created_at >= ?"), args.push(f.registeredAfter));
  if (f.registeredBefore !== undefined) (where.push("a.created_at < ?"), args.push(f.registeredBefore));
  const since = f.activeDays !== undefined ? deps.now() - f.activeDays * 24 * 3600_000 : undefined;
  if (since !== undefined || f.relay !== undefined) {
    const relay = f.relay !== undefined ? " and x.relay_id = ?" : "";
    const eventSince = since !== undefined ? " and x.at >= ?" : "";
    where.push(`exists (select 1 from servers s where s.account_id = a.id and (
      exists (select 1 from tunnels x where x.server_id = s.id${relay})
      or exists (select 1 from tunnel_events x where x.server_id = s.id${relay}${eventSince})))`);
    if (f.relay !== undefined) args.push(f.relay, f.relay); // once for tunnels, once for events
    if (since !== undefined) args.push(since);
  }
  const rs = await deps.db.client.execute({
    sql: `select a.id, a.email from accounts a where ${where.join(" and ")} order by a.email`,
    args,
  });
  return rs.rows.map((r) => ({ accountId: String(r.id), email: String(r.email) }));
}

/** What each recipient gets; the unsubscribe link is per recipient. */
export function announcementMail(
  { subject, body }: { subject: string; body: string },
  unsubscribeUrl: string,
) {
  const mail = renderMail({
    subject,
    heading: subject,
    intro: body.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean),
    outro: [`You get this because you have a Hearth account. Stop announcements: ${unsubscribeUrl}`],
  });
  return {
    ...mail,
    headers: {
      "List-Unsubscribe": `<${unsubscribeUrl}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
  };
}

export const DEFAULT_PER_MINUTE = 60;

/** Queues the announcement for everyone `filter` matches, `perMinute` at a time; audited. */
export async function sendAnnouncement(
  deps: CloudDeps,
  actor: Actor,
  a: { subject: string; body: string; filter: AudienceFilter },
  { perMinute = DEFAULT_PER_MINUTE }: { perMinute?: number } = {},
): Promise<{ recipients: number }> {
  const to = await audience(deps, a.filter);
  const now = deps.now();
  for (const [i, r] of to.entries()) {
    const id = `hun_${randomToken(9)}`;
    const secret = randomToken(24);
    const secretHash = await sha256Hex(secret);
    await deps.db.write(() =>
      deps.db.orm.insert(unsubscribeTokens).values({ id, accountId: r.accountId, secretHash, createdAt: now })
    );
    const url = `${idOrigin(deps)}/mail/unsubscribe/${id}.${secret}`;
    await enqueueMail(deps, { to: r.email, ...announcementMail(a, url) }, {
      notBefore: now + Math.floor(i / perMinute) * 60_000,
    });
  }
  await deps.db.write(() =>
    deps.db.orm.insert(announcements).values({
      subject: a.subject,
      body: a.body,
      filter: JSON.stringify(a.filter),
      actorEmail: actor.email,
      recipients: to.length,
      createdAt: now,
    })
  );
  await recordAudit(deps, actor, { action: "announce", note: `"${a.subject}" to ${to.length} accounts` });
  return { recipients: to.length };
}

/** Turns announcements off for the token's account; false for an unknown or forged token. */
export async function unsubscribe(deps: CloudDeps, token: string): Promise<boolean> {
  const dot = token.indexOf(".");
  if (dot < 1) return false;
  const row = (await deps.db.orm.select().from(unsubscribeTokens).where(
    eq(unsubscribeTokens.id, token.slice(0, dot)),
  ))[0];
  if (!row || !constantTimeEqual(row.secretHash, await sha256Hex(token.slice(dot + 1)))) return false;
  await deps.db.write(() =>
    deps.db.orm.update(accounts).set({ announcementsOffAt: deps.now() }).where(eq(accounts.id, row.accountId))
  );
  return true;
}
