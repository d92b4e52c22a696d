/** What the cloud handlers need from their host: passed in by `edge/main.ts` (or a test). */
import type { Database } from "../platform/db.ts";
import type * as cloudSchema from "../shared/db/cloud/schema.ts";
import type { Logger } from "../shared/log/mod.ts";

export interface CloudDeps {
  db: Database<typeof cloudSchema>;
  log: Logger;
  zone: string;
  now: () => number;
}
