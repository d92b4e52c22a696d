/** The user server's own DB (one libSQL file in its data directory). */
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Versioned settings as JSON values, e.g. `import_roots`. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
