/** The mail outbox shared by IdCloud and RegCloud: rows are delivered by a job with retries. */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const mailOutbox = sqliteTable("mail_outbox", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  to: text("to").notNull(),
  subject: text("subject").notNull(),
  text: text("text").notNull(),
  html: text("html").notNull(),
  /** Extra headers as a JSON object (announcements: List-Unsubscribe, List-Unsubscribe-Post). */
  headers: text("headers"),
  status: text("status", { enum: ["pending", "sent", "failed"] }).notNull().default("pending"),
  attempts: integer("attempts").notNull().default(0),
  nextAttemptAt: integer("next_attempt_at").notNull(),
  lastError: text("last_error"),
  createdAt: integer("created_at").notNull(),
  sentAt: integer("sent_at"),
}, (t) => [index("mail_outbox_due").on(t.status, t.nextAttemptAt)]);
