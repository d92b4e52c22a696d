/** The user server's configuration schema (the current version) and the parts editable live. */
import { fields, z } from "../../platform/config.ts";

/** Bump when the file's shape changes, and add an upgrade step in `upgrade.ts`. */
export const CONFIG_VERSION = 2;

export const importRootsSchema = z.array(
  z.string().refine((p) => p.startsWith("/"), { error: "expected an absolute path" }),
).max(32, "expected at most 32 import roots");

export const userServerConfigSchema = z.strictObject({
  version: z.literal(CONFIG_VERSION, { error: `expected ${CONFIG_VERSION}` }),
  /** The user name: the server answers as `<name>.<zone>` (relayed) and `local.<name>.<zone>`. */
  name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "expected a DNS label"),
  zone: fields.dnsName.default("hearth.localhost"),
  /** The local listener (browsers on this machine, no relay). */
  localAddress: fields.host.default("127.0.0.1"),
  localPort: fields.port.default(9443),
  /** The relayed listener's Unix socket; defaults to `<dataDir>/relayed.sock`. */
  relayedSocket: z.string().optional(),
  /** The public origin's port (the relays' browser port), e.g. 8443 in dev, 443 in production. */
  publicPort: fields.port.default(443),
  cloudUrl: fields.httpsUrl.default("https://127.0.0.1:8787"),
  cloudServerName: fields.dnsName.optional(),
  caFile: z.string().optional(),
  /**
   * How often (seconds) a sign-in session asks IdCloud whether its grant still stands; a password
   * change or reset there ends the session at the first request after the next check. 0 = every request.
   */
  sessionCheckSeconds: z.number().int().min(0).max(86_400).default(60),
  /** Days after it began that an unfinished upload (its partial bytes in `uploads/`) is removed. */
  uploadExpiryDays: z.number().min(0.01).max(365).default(7),
  /** Days the activity stream keeps an entry (Activity). */
  activityRetentionDays: z.number().min(1).max(3650).default(90),
  /** The folder in Home that Camera uploads from phones go into (made on first use). */
  cameraFolder: z.string().min(1).max(255).default("Camera"),
  /** How often (seconds) the share task pings each friend and fetches what they share with this server. */
  friendCheckSeconds: z.number().int().min(1).max(86_400).default(60),
  /**
   * Tests only: each CAPTCHA this server sets another (friend requests) is logged with its answer,
   * so a test can answer it. Never set it in production.
   */
  captchaAnswersInLog: z.boolean().default(false),
  /**
   * Certificates from an ACME CA (Let's Encrypt; pebble in tests and `npm run dev -- --acme`) by
   * DNS-01 through DNSCloud, instead of RegCloud's issuer. Unset: the certificate from registration.
   */
  acme: z.strictObject({
    /** The CA's directory, e.g. https://acme-v02.api.letsencrypt.org/directory. */
    directoryUrl: fields.httpsUrl,
    /** A PEM file to trust for the ACME server itself (pebble's); the system roots otherwise. */
    caFile: z.string().optional(),
    /** The ACME account's contact address (the CA's expiry mails). */
    email: z.string().email().optional(),
    /**
     * DNS servers (`host:port`) asked until the TXT value is visible before the CA is told to look
     * (the zone's fronts); without them the server waits `propagationSeconds`.
     */
    dnsServers: z.array(z.string().regex(/^[0-9a-zA-Z.:-]+:[0-9]{1,5}$/, "expected host:port")).optional(),
    propagationSeconds: z.number().min(0).max(600).default(10),
    /** Share of a certificate's lifetime after which it is renewed. */
    renewAtFraction: z.number().gt(0).lt(1).default(2 / 3),
    /**
     * First retry ceiling after a failed order (seconds); doubles up to six hours. Five minutes
     * keeps a broken set-up under Let's Encrypt's limit of 5 failed validations per name per hour.
     */
    retrySeconds: z.number().min(1).max(86_400).default(300),
  }).optional(),
  /** Tunnels to hold, each to a different relay. */
  tunnels: z.number().int().min(1).max(8).default(2),
  /** Directories "Add" may import from (live-editable in Settings). Nothing outside them is read. */
  importRoots: importRootsSchema.default([]),
  /** Set once the first-run setup has been completed (or seeded by `npm run dev`). */
  setupDone: z.boolean().default(false),
  /** Dev and benchmarks only: `GET /_bytes/<n>` streams n bytes. */
  enableByteStream: z.boolean().default(false),
  /** Dev and tests only: pause this long after each imported file, so progress can be watched. */
  importPauseMs: z.number().int().min(0).max(10_000).default(0),
  /**
   * Tests only, until sign-in exists end to end: a browser presenting the cookie
   * `__Host-hearth-test-owner=<this token>` is treated as the owner. Never set it in production.
   */
  testOwnerToken: z.string().min(32, "expected at least 32 characters").optional(),
  logFormat: fields.logFormat,
});

export type UserServerFile = z.output<typeof userServerConfigSchema>;

/** What the Settings tab may change while the server runs. */
export const liveSettingsSchema = z.strictObject({
  importRoots: importRootsSchema,
});
export type LiveSettings = z.output<typeof liveSettingsSchema>;
