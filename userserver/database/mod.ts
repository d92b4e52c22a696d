/** The database module: the user server's own libSQL file, migrated at start-up. */
import { join } from "node:path";
import { type Database, openDatabase } from "../../platform/db.ts";
import * as schema from "../../shared/db/userserver/schema.ts";

export type UserDb = Database<typeof schema>;
export { schema };

const MIGRATIONS = new URL("../../migrations/userserver", import.meta.url).pathname;

/** Opens (creating if needed) `<dataDir>/userserver.db`, or `url` when given (tests: `:memory:`-like files). */
export function openUserDb(dataDir: string, url = `file:${join(dataDir, "userserver.db")}`): Promise<UserDb> {
  return openDatabase(url, { schema, migrationsFolder: MIGRATIONS });
}
export { openReader, type Reader } from "./reader.ts";
