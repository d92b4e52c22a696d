/**
 * The `acme` block of a process that proves its names by HTTP-01 (relays, the cloud tier): the CA
 * fetches `/.well-known/acme-challenge/<token>` from `httpAddress:httpPort` (port 80 in production)
 * at the address DNS gives for each name.
 */
import { fields, z } from "../config.ts";

export const http01AcmeSchema = z.strictObject({
  directoryUrl: fields.httpsUrl,
  /** A PEM file to trust for the ACME server itself (pebble's); the system roots otherwise. */
  caFile: z.string().optional(),
  email: z.string().email().optional(),
  httpAddress: fields.host.optional(),
  httpPort: fields.port.default(80),
  renewAtFraction: z.number().gt(0).lt(1).default(2 / 3),
  /** First retry ceiling after a failed order (seconds), doubling up to six hours (see userserver). */
  retrySeconds: z.number().min(1).max(86_400).default(300),
});

export type Http01Acme = z.output<typeof http01AcmeSchema>;
