/** What the cloud handlers need from their host: passed in by `edge/main.ts` (or a test). */
import type { Database } from "../platform/db.ts";
import type * as cloudSchema from "../shared/db/cloud/schema.ts";
import type { Logger } from "../shared/log/mod.ts";

export interface CloudDeps {
  db: Database<typeof cloudSchema>;
  log: Logger;
  zone: string;
  now: () => number;
  /** The cloud tier's public IP addresses: what DNS answers for `reg.` and `id.<zone>`. */
  publicAddresses?: string[];
  /** Days the tunnel event log is kept (edge/console/retention.ts); default 90. */
  tunnelEventRetentionDays?: number;
  /** IdCloud's settings (edge/id); defaults suit tests. */
  id?: IdSettings;
}

export interface IdSettings {
  /** IdCloud's public origin, for links in mail (e.g. `https://id.hearth.localhost:8787`). */
  origin: string;
  /** The issuing CA RegCloud signs user-server certificate requests with (dev: under the dev CA). */
  issuer?: { keyPem: string; certPem: string };
}
