/**
 * Starts a whole Hearth stack on this machine: the cloud tier, N relays and M user servers, each
 * a real process with its own data directory, key and dev-CA certificate. Used by `npm run dev`
 * (fixed dev ports, `.data/`) and by the integration-test harness (free ports, a temp dir).
 */
import { join } from "node:path";
import { existsSync } from "node:fs";
import { ensureDataDir, writePublicFile } from "../../platform/files.ts";
import { saveRegistration } from "../../platform/secrets.ts";
import { ensureDevCa, issueCertificate } from "./ca.ts";
import { waitHealthy } from "./health.ts";
import { ManagedProcess, runToCompletion } from "./process.ts";
import { bunPath, denoPath, repoRoot } from "./paths.ts";

export interface CloudSpec {
  host: string;
  port: number;
}
export interface RelaySpec {
  id: string;
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
}
export interface StackSpec {
  baseDir: string;
  zone: string;
  cloud: CloudSpec;
  relays: RelaySpec[];
  users: UserSpec[];
  /** Rewrite config files even if present (tests); dev keeps what the user edited. */
  overwriteConfig?: boolean;
  logFormat?: "json" | "pretty";
  onLine?: (line: string, proc: string) => void;
  /** Called when a process exits that was not asked to stop. */
  onUnexpectedExit?: (proc: ManagedProcess, code: number) => void;
  healthTimeoutMs?: number;
}

export interface RunningStack {
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
  dataDir: string;
  cmd: (command: "init" | "serve") => string[];
  config: Record<string, unknown>;
  healthUrl: string;
};

export async function startStack(spec: StackSpec): Promise<RunningStack> {
  const ca = await ensureDevCa(join(spec.baseDir, "ca"));
  const cloudUrl = `https://${spec.cloud.host}:${spec.cloud.port}`;
  const logFormat = spec.logFormat ?? "json";
  const common = { zone: spec.zone, logFormat };
  const clientOfCloud = { cloudUrl, cloudServerName: `reg.${spec.zone}`, caFile: ca.certFile };
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

  const defs: ProcDef[] = [
    {
      name: "cloud",
      dataDir: join(spec.baseDir, "cloud"),
      cmd: (c) => [denoPath, "run", "-A", join(repoRoot, "edge/main.ts"), c],
      config: { ...common, listenHost: spec.cloud.host, port: spec.cloud.port },
      healthUrl: `${cloudUrl}/healthz`,
    },
    ...spec.relays.map((r): ProcDef => ({
      name: r.id,
      dataDir: join(spec.baseDir, r.id),
      cmd: (c) => [bunPath, join(repoRoot, "edge/relay/main.ts"), c],
      config: { ...common, ...clientOfCloud, ...withoutExtra(r), ...r.extra },
      healthUrl: `https://${r.tunnelAddress}:${r.tunnelPort}/healthz`,
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
      config: { ...common, ...clientOfCloud, ...u },
      healthUrl: `https://${u.localAddress}:${u.localPort}/healthz`,
      // The dev set-up registers alice as an operator would; self-service registration comes with accounts.
      register: async ({ publicJwk }) => {
        const reg = await operator([
          "add-server",
          `--name=${u.name}`,
          `--public-jwk=${JSON.stringify(publicJwk)}`,
        ]);
        saveRegistration(join(spec.baseDir, "users", u.name), reg);
      },
    })),
  ];

  // Set-up: config, each process's own key + request, then the dev CA signs the request.
  for (const def of defs) {
    ensureDataDir(def.dataDir);
    const configFile = join(def.dataDir, "config.json");
    if (spec.overwriteConfig || !existsSync(configFile)) {
      writePublicFile(configFile, JSON.stringify(def.config, null, 2) + "\n");
    }
    const out = await runToCompletion([...def.cmd("init"), "--data-dir", def.dataDir], repoRoot).catch(
      (e) => {
        throw new Error(`${def.name} set-up failed: ${(e as Error).message}`);
      },
    );
    const init = JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as InitOutput;
    if (!init.current) await issueCertificate(def.dataDir, ca);
    await def.register?.(init);
  }

  const processes = new Map<string, ManagedProcess>();
  const byName = new Map(defs.map((d) => [d.name, d]));
  const start = async (name: string): Promise<ManagedProcess> => {
    const def = byName.get(name);
    if (!def) throw new Error(`No process named "${name}" in this stack`);
    const proc = new ManagedProcess({
      name,
      cmd: [...def.cmd("serve"), "--data-dir", def.dataDir],
      cwd: repoRoot,
      onLine: spec.onLine,
    });
    processes.set(name, proc);
    proc.exited.then((code) => {
      if (!proc.stopping) spec.onUnexpectedExit?.(proc, code);
    });
    try {
      await waitHealthy(def.healthUrl, {
        ca: ca.certPem,
        timeoutMs: spec.healthTimeoutMs ?? 30_000,
        isAlive: () => proc.running,
      });
    } catch (e) {
      await proc.stop(1000);
      const tail = proc.lastLines.slice(-10).map((l) => `  ${l}`).join("\n");
      throw new Error(`${name} did not start: ${(e as Error).message}${tail ? `\n${tail}` : ""}`);
    }
    return proc;
  };

  const stack: RunningStack = {
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
      await Promise.all([...processes.values()].map((p) => p.stop()));
    },
  };
  try {
    await start("cloud");
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
