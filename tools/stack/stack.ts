/**
 * Starts a whole Hearth stack on this machine: the cloud tier, N relays and M user servers, each
 * a real process with its own data directory, key and dev-CA certificate. Used by `npm run dev`
 * (fixed dev ports, `.data/`) and by the integration-test harness (free ports, a temp dir).
 */
import { join } from "node:path";
import { existsSync } from "node:fs";
import { ensureDataDir, readTextIfExists, writePublicFile } from "../../platform/files.ts";
import { loadRegistration } from "../../platform/secrets.ts";
import { CERT_FILE } from "../../platform/identity.ts";
import { issuedBy } from "../../shared/pki/mod.ts";
import { ensureCloudIssuer, ensureDevCa, issueCertificate } from "./ca.ts";
import { waitHealthy } from "./health.ts";
import { ManagedProcess, runToCompletion } from "./process.ts";
import { bunPath, denoPath, repoRoot } from "./paths.ts";
import { CONFIG_VERSION as USER_CONFIG_VERSION } from "../../userserver/config/schema.ts";
import { waitDnsReady } from "../../edge/dns/client.ts";
import { ALLOCATOR_ENV } from "../../platform/runtime_env.ts";

export interface CloudSpec {
  host: string;
  port: number;
}
export interface RelaySpec {
  id: string;
  /** The relay's `acme` config (tunnel-port certificate by HTTP-01), forced like a user server's. */
  acme?: Record<string, unknown>;
  /** More config keys for this relay (limits, the debug tap). */
  extra?: Record<string, unknown>;
  browserAddresses: string[];
  browserPort: number;
  tunnelAddress: string;
  tunnelPort: number;
}
export interface UserSpec {
  name: string;
  localAddress: string;
  localPort: number;
  /** The relays' browser port, for the public origin. */
  publicPort: number;
  enableByteStream?: boolean;
  /** Folders "Add" may import from (dev: a sample root). */
  importRoots?: string[];
  /** Dev/tests: pause after each imported file so progress can be watched. */
  importPauseMs?: number;
  /** How often sessions are checked at IdCloud (tests use 0: every request). */
  sessionCheckSeconds?: number;
  /** Tests only: the owner cookie seam until sign-in is wired (see userserver/web/auth.ts). */
  testOwnerToken?: string;
  /** The IdCloud account (email) that owns this server; it must exist when the server is registered. */
  ownerEmail?: string;
  /**
   * The user server's `acme` config (certificates from an ACME CA, `npm run dev -- --acme`); set in
   * its config.json even when the file exists, and removed from it when absent.
   */
  acme?: Record<string, unknown>;
}
/** The DNS front (UDP + TCP on one port); registered as `<id>.<zone>`, an NS of the zone. */
export interface DnsSpec {
  id: string;
  host: string;
  port: number;
}
export interface StackSpec {
  baseDir: string;
  zone: string;
  cloud: CloudSpec;
  relays: RelaySpec[];
  users: UserSpec[];
  dns?: DnsSpec;
  /** Rewrite config files even if present (tests); dev keeps what the user edited. */
  overwriteConfig?: boolean;
  logFormat?: "json" | "pretty";
  onLine?: (line: string, proc: string) => void;
  /** Called when a process exits that was not asked to stop. */
  onUnexpectedExit?: (proc: ManagedProcess, code: number) => void;
  /**
   * Processes started again when they exit unexpectedly (dev: user servers, as the systemd unit
   * would); `onRestart` hears of each attempt, so the console says so.
   */
  restartOnExit?: (proc: string) => boolean;
  onRestart?: (proc: string, attempt: number, result: Error | ManagedProcess) => void;
  healthTimeoutMs?: number;
  /**
   * More PEM roots to trust (pebble's, whose certificates processes get with `acme`): by the health
   * polls, and by user servers (their `caFile` becomes `<baseDir>/trust.pem`, the dev CA and these).
   */
  extraCaPem?: string;
}

/** An IdCloud account the set-up seeded; `password` only in the run that created it. */
export interface SeededAccount {
  name: string;
  email: string;
  password?: string;
}

export interface RunningStack {
  /** Each user server's owner account (alice@<zone> in dev). */
  accounts: SeededAccount[];
  caFile: string;
  caPem: string;
  dirs: { cloud: string; relays: Record<string, string>; users: Record<string, string> };
  processes: Map<string, ManagedProcess>;
  cloudUrl: string;
  /** Starts (again) one process by name: "cloud", a relay id, or "user:<name>". */
  start(name: string): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

/** What a process's `init` command prints. */
type InitOutput = { current?: boolean; credentialHash?: string; publicJwk?: JsonWebKey };

type ProcDef = {
  name: string;
  /** Registers the process with RegCloud after `init` (operator commands on the cloud DB). */
  register?: (init: InitOutput) => Promise<void>;
  /** Set-up that needs the running cloud (user servers register over HTTPS and get their certificate there). */
  withCloud?: (init: InitOutput) => Promise<void>;
  dataDir: string;
  cmd: (command: "init" | "serve") => string[];
  config: Record<string, unknown>;
  healthUrl: string;
  /** The TLS name the health poll checks (an ACME certificate names no IP address). */
  healthServerName?: string;
  /** Config keys written even into an existing config file (undefined: removed). */
  forced?: Record<string, unknown>;
  /** Replaces the HTTPS health poll (the DNS front has no HTTP). */
  healthCheck?: (isAlive: () => boolean) => Promise<void>;
  /** Extra environment for `serve` (the allocator setting, platform/runtime_env.ts). */
  env?: Readonly<Record<string, string>>;
};

export async function startStack(spec: StackSpec): Promise<RunningStack> {
  const ca = await ensureDevCa(join(spec.baseDir, "ca"));
  await ensureCloudIssuer(join(spec.baseDir, "cloud"), ca, spec.zone, [
    `id.${spec.zone}`,
    `reg.${spec.zone}`,
    ...spec.relays.map((r) => `${r.id}.${spec.zone}`),
    ...(spec.dns ? [`${spec.dns.id}.${spec.zone}`] : []),
  ]);
  const accounts: SeededAccount[] = [];
  const cloudUrl = `https://${spec.cloud.host}:${spec.cloud.port}`;
  const logFormat = spec.logFormat ?? "json";
  const common = { zone: spec.zone, logFormat };
  const clientOfCloud = { cloudUrl, cloudServerName: `reg.${spec.zone}`, caFile: ca.certFile };
  // User servers dial relays too: with ACME relays they must trust the ACME CA's root as well.
  const trustFile = join(spec.baseDir, "trust.pem");
  if (spec.extraCaPem) writePublicFile(trustFile, `${ca.certPem.trimEnd()}\n${spec.extraCaPem}`);
  const userCaFile = spec.extraCaPem ? trustFile : ca.certFile;
  const cloudDir = join(spec.baseDir, "cloud");
  const operator = async (args: string[]) =>
    JSON.parse(
      await runToCompletion([
        denoPath,
        "run",
        "-A",
        join(repoRoot, "edge/main.ts"),
        ...args,
        "--data-dir",
        cloudDir,
      ], repoRoot),
    );

  // Relays and user servers start as their npm scripts start them; a setting already in this
  // environment wins (a benchmark comparing allocator settings).
  const allocatorEnv = process.env.MIMALLOC_PURGE_DELAY === undefined ? ALLOCATOR_ENV : undefined;
  const defs: ProcDef[] = [
    {
      name: "cloud",
      dataDir: join(spec.baseDir, "cloud"),
      cmd: (c) => [denoPath, "run", "-A", join(repoRoot, "edge/main.ts"), c],
      config: { ...common, listenHost: spec.cloud.host, port: spec.cloud.port },
      healthUrl: `${cloudUrl}/healthz`,
    },
    ...(spec.dns ? [dnsFront(spec.dns)] : []),
    ...spec.relays.map((r): ProcDef => ({
      name: r.id,
      dataDir: join(spec.baseDir, r.id),
      cmd: (c) => [bunPath, join(repoRoot, "edge/relay/main.ts"), c],
      env: allocatorEnv,
      config: { ...common, ...clientOfCloud, ...withoutExtra(r), ...r.extra },
      healthUrl: `https://${r.tunnelAddress}:${r.tunnelPort}/healthz`,
      healthServerName: r.acme ? `${r.id}.${spec.zone}` : undefined,
      forced: { acme: r.acme },
      register: async ({ credentialHash }) => {
        await operator([
          "add-relay",
          `--id=${r.id}`,
          `--host-name=${r.id}.${spec.zone}`,
          `--tunnel-address=${r.tunnelAddress}:${r.tunnelPort}`,
          `--browser-addresses=${r.browserAddresses.join(",")}`,
          `--browser-port=${r.browserPort}`,
          `--credential-hash=${credentialHash}`,
        ]);
      },
    })),
    ...spec.users.map((u): ProcDef => ({
      name: `user:${u.name}`,
      dataDir: join(spec.baseDir, "users", u.name),
      cmd: (c) => [bunPath, join(repoRoot, "userserver/main.ts"), c],
      env: allocatorEnv,
      // Seeded non-interactively: the current config version, setup done.
      config: {
        version: USER_CONFIG_VERSION,
        setupDone: true,
        ...common,
        ...clientOfCloud,
        caFile: userCaFile,
        ...u,
        ownerEmail: undefined,
      },
      healthUrl: `https://${u.localAddress}:${u.localPort}/healthz`,
      healthServerName: u.acme ? `local.${u.name}.${spec.zone}` : undefined,
      forced: { acme: u.acme, ...(spec.extraCaPem ? { caFile: userCaFile } : {}) },
      // As its owner would (ARCHITECTURE.md §3): an IdCloud account (seeded), a claimed name, a
      // one-time token, then `userserver register <token>` straight to RegCloud, which issues the
      // certificate from the cloud's issuing CA. Needs the cloud running, so it runs after it starts.
      withCloud: async (init) => {
        const dir = join(spec.baseDir, "users", u.name);
        const email = u.ownerEmail ?? `${u.name}@${spec.zone}`;
        const seeded = await operator(["seed-account", `--email=${email}`]);
        accounts.push({ name: u.name, email: seeded.email, password: seeded.password });
        const cert = readTextIfExists(join(dir, CERT_FILE));
        const issuerCert = readTextIfExists(join(cloudDir, "issuer", "issuer.crt"));
        if (!init.current || !loadRegistration(dir) || !cert || !issuerCert || !issuedBy(cert, issuerCert)) {
          const { token } = await operator(["registration-token", `--email=${email}`, `--name=${u.name}`]);
          await runToCompletion([
            bunPath,
            join(repoRoot, "userserver/main.ts"),
            "register",
            token,
            "--data-dir",
            dir,
          ], repoRoot)
            .catch((e) => {
              throw new Error(`${u.name} could not register: ${(e as Error).message}`);
            });
        }
        // The server is an OIDC client of its owner's account, redirect URI from its public origin.
        await operator([
          "add-oidc-server-client",
          `--name=${u.name}`,
          `--origin=https://${u.name}.${spec.zone}${u.publicPort === 443 ? "" : `:${u.publicPort}`}`,
          `--owner-email=${email}`,
        ]);
      },
    })),
  ];

  function dnsFront(d: DnsSpec): ProcDef {
    return {
      name: "dns",
      dataDir: join(spec.baseDir, "dns"),
      cmd: (c) => [bunPath, join(repoRoot, "edge/dns/server.ts"), c],
      config: { ...common, ...clientOfCloud, id: d.id, listenHost: d.host, port: d.port },
      healthUrl: `dns://${d.host}:${d.port}`,
      healthCheck: (isAlive) =>
        waitDnsReady(spec.zone, { ...d, timeoutMs: spec.healthTimeoutMs ?? 30_000, isAlive }),
      register: async ({ credentialHash }) => {
        await operator([
          "add-dns-front",
          `--id=${d.id}`,
          `--host-name=${d.id}.${spec.zone}`,
          `--addresses=${d.host}`,
          `--credential-hash=${credentialHash}`,
        ]);
      },
    };
  }

  // Set-up: config, each process's own key + request, then the dev CA signs the request.
  const inits = new Map<string, InitOutput>();
  for (const def of defs) {
    ensureDataDir(def.dataDir);
    const configFile = join(def.dataDir, "config.json");
    if (spec.overwriteConfig || !existsSync(configFile)) {
      writePublicFile(configFile, JSON.stringify(def.config, null, 2) + "\n");
    } else if (def.forced) {
      const kept = JSON.parse(readTextIfExists(configFile)!) as Record<string, unknown>;
      writePublicFile(configFile, JSON.stringify({ ...kept, ...def.forced }, null, 2) + "\n");
    }
    const out = await runToCompletion([...def.cmd("init"), "--data-dir", def.dataDir], repoRoot).catch(
      (e) => {
        throw new Error(`${def.name} set-up failed: ${(e as Error).message}`);
      },
    );
    const init = JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as InitOutput;
    inits.set(def.name, init);
    if (!init.current && !def.withCloud) await issueCertificate(def.dataDir, ca);
    await def.register?.(init);
  }

  const processes = new Map<string, ManagedProcess>();
  let stopped = false;
  const restarts = new Map<string, number>();
  // Backoff 1 s, 2 s, … up to 30 s, so a server that dies at once does not spin.
  const restartLater = (name: string) => {
    const attempt = (restarts.get(name) ?? 0) + 1;
    restarts.set(name, attempt);
    setTimeout(() => {
      if (stopped) return;
      start(name).then(
        (p) => spec.onRestart?.(name, attempt, p),
        (e: Error) => {
          spec.onRestart?.(name, attempt, e);
          if (!stopped) restartLater(name);
        },
      );
    }, Math.min(30_000, 1000 * 2 ** (attempt - 1)));
  };
  const byName = new Map(defs.map((d) => [d.name, d]));
  const start = async (name: string): Promise<ManagedProcess> => {
    const def = byName.get(name);
    if (!def) throw new Error(`No process named "${name}" in this stack`);
    const proc = new ManagedProcess({
      name,
      cmd: [...def.cmd("serve"), "--data-dir", def.dataDir],
      cwd: repoRoot,
      env: def.env ? { ...def.env } : undefined,
      onLine: spec.onLine,
    });
    processes.set(name, proc);
    proc.exited.then((code) => {
      if (proc.stopping || stopped) return;
      spec.onUnexpectedExit?.(proc, code);
      if (processes.get(name) === proc && spec.restartOnExit?.(name)) restartLater(name);
    });
    try {
      if (def.healthCheck) await def.healthCheck(() => proc.running);
      else {
        await waitHealthy(def.healthUrl, {
          ca: spec.extraCaPem ? `${ca.certPem.trimEnd()}\n${spec.extraCaPem}` : ca.certPem,
          serverName: def.healthServerName,
          timeoutMs: spec.healthTimeoutMs ?? 30_000,
          isAlive: () => proc.running,
        });
      }
    } catch (e) {
      await proc.stop(1000);
      const tail = proc.lastLines.slice(-10).map((l) => `  ${l}`).join("\n");
      throw new Error(`${name} did not start: ${(e as Error).message}${tail ? `\n${tail}` : ""}`);
    }
    return proc;
  };

  const stack: RunningStack = {
    accounts,
    caFile: ca.certFile,
    caPem: ca.certPem,
    cloudUrl,
    dirs: {
      cloud: join(spec.baseDir, "cloud"),
      relays: Object.fromEntries(spec.relays.map((r) => [r.id, join(spec.baseDir, r.id)])),
      users: Object.fromEntries(spec.users.map((u) => [u.name, join(spec.baseDir, "users", u.name)])),
    },
    processes,
    start,
    async stop() {
      stopped = true;
      // In reverse of the start: user servers, then relays and the DNS front (their last tunnel
      // events still reach the cloud tier), then the cloud — a clean stop logs no delivery warnings.
      const all = [...processes.entries()];
      const stopAll = (pick: (name: string) => boolean) =>
        Promise.all(all.filter(([name]) => pick(name)).map(([, p]) => p.stop()));
      await stopAll((name) => name.startsWith("user:"));
      await stopAll((name) => name !== "cloud" && !name.startsWith("user:"));
      await stopAll((name) => name === "cloud");
    },
  };
  try {
    await start("cloud");
    for (const def of defs) await def.withCloud?.(inits.get(def.name) ?? {});
    if (spec.dns) await start("dns");
    await Promise.all(spec.relays.map((r) => start(r.id)));
    await Promise.all(spec.users.map((u) => start(`user:${u.name}`)));
  } catch (e) {
    await stack.stop();
    throw e;
  }
  return stack;
}

function withoutExtra<T extends { extra?: unknown }>(spec: T): Omit<T, "extra"> {
  const { extra: _extra, ...rest } = spec;
  return rest;
}
