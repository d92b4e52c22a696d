/**
 * The outbox: callers (IdCloud, RegCloud) add a message with `enqueueMail`; the delivery job
 * (edge/mail/delivery.ts) sends it. Writing to the DB first means a slow or failing mail
 * provider never slows or fails the request that wanted the mail sent.
 */
import { mailOutbox } from "../../shared/db/cloud/schema.ts";
import type { CloudDeps } from "../deps.ts";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers (announcements only: RFC 8058 List-Unsubscribe and List-Unsubscribe-Post). */
  headers?: Record<string, string>;
}

export class MailAddressError extends Error {
  override name = "MailAddressError";
}

/** A deliberately plain check: one `@`, no spaces or header-breaking characters, a dotted domain. */
export function isMailAddress(value: string): boolean {
  return value.length <= 254 && /^[^\s@<>()",;:\\[\]]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(value);
}

/** Queues a message; `notBefore` holds it back (announcements are spread out to respect rate limits). */
export async function enqueueMail(
  deps: CloudDeps,
  { headers, ...msg }: MailMessage,
  { notBefore }: { notBefore?: number } = {},
): Promise<number> {
  if (!isMailAddress(msg.to)) throw new MailAddressError(`Cannot send mail to "${msg.to}": not an address`);
  const now = deps.now();
  const row = { ...msg, headers: headers ? JSON.stringify(headers) : null };
  const rows = await deps.db.write(() =>
    deps.db.orm.insert(mailOutbox).values({ ...row, nextAttemptAt: notBefore ?? now, createdAt: now })
      .returning({ id: mailOutbox.id })
  );
  return rows[0].id;
}
