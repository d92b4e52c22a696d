/**
 * Shared plumbing for the relay benchmarks: peers started as child processes the benchmark owns
 * (an HTTPS origin with alice's certificate, nginx as a stream proxy, an `ssh -R` tunnel; recipes
 * in ../../shared/PEERS.md), curl downloads, per-process CPU and RSS from /proc, statistics, and a
 * cleanup list that stops every child by its pid — on success, on error, on a signal and when the
 * benchmark's time bound runs out.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

export const repoRoot = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
export const bun = process.execPath;

// ------------------------------------------------------------------ cleanup and time bound

const cleanups: (() => Promise<void> | void)[] = [];
let cleaning: Promise<void> | undefined;

/** Registers `fn` to run (last registered first) when the benchmark ends, however it ends. */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const fn = cleanups.pop()!;
      try {
        await fn();
      } catch (err) {
        console.error(`cleanup step failed: ${(err as Error).message}`);
      }
    }
  })();
  return cleaning;
}

/**
 * Runs `main` with a hard time bound; whatever happens the children are stopped. On timeout
 * `onTimeout` may print partial results first.
 */
export async function runBench(
  name: string,
  boundMs: number,
  main: () => Promise<void>,
  onTimeout?: () => void,
): Promise<never> {
  let code = 0;
  const timer = setTimeout(async () => {
    console.error(`${name}: time bound of ${Math.round(boundMs / 1000)} s reached; stopping`);
    onTimeout?.();
    await cleanup();
    process.exit(2);
  }, boundMs);
  const onSignal = async () => {
    await cleanup();
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await main();
  } catch (err) {
    console.error(`${name} failed: ${(err as Error).stack ?? err}`);
    code = 1;
  } finally {
    clearTimeout(timer);
    await cleanup();
  }
  process.exit(code);
}

/** A temp directory removed at cleanup. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// ------------------------------------------------------------------ child processes

export interface Child {
  name: string;
  pid: number;
  proc: Subprocess;
  output(): string;
  stop(graceMs?: number): Promise<void>;
}

/** Spawns a child owned by this benchmark; it is stopped by pid at cleanup. */
export function spawnChild(
  name: string,
  cmd: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
) {
  let out = "";
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ...opts.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: ((line: string) => void)[] = [];
  const pump = async (s: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    let rest = "";
    for await (const chunk of s) {
      const text = dec.decode(chunk, { stream: true });
      out = (out + text).slice(-20_000);
      rest += text;
      let nl: number;
      while ((nl = rest.indexOf("\n")) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        for (const l of lines) l(line);
      }
    }
  };
  void pump(proc.stdout as ReadableStream<Uint8Array>).catch(() => {});
  void pump(proc.stderr as ReadableStream<Uint8Array>).catch(() => {});
  const child = {
    name,
    pid: proc.pid,
    proc,
    output: () => out,
    /** Resolves with the first output line for which `pick` returns a value. */
    waitLine<T>(pick: (line: string) => T | undefined, timeoutMs = 20_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${name} did not say what we wait for in ${timeoutMs} ms:\n${out}`)),
          timeoutMs,
        );
        const l = (line: string) => {
          const v = pick(line);
          if (v === undefined) return;
          clearTimeout(timer);
          lines.splice(lines.indexOf(l), 1);
          resolve(v);
        };
        lines.push(l);
        void proc.exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited with ${code}:\n${out}`));
        });
      });
    },
    onLine(fn: (line: string) => void) {
      lines.push(fn);
    },
    async stop(graceMs = 3000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      try {
        process.kill(proc.pid, "SIGTERM");
      } catch { /* already gone */ }
      const timer = setTimeout(() => {
        try {
          process.kill(proc.pid, "SIGKILL");
        } catch { /* already gone */ }
      }, graceMs);
      await proc.exited;
      clearTimeout(timer);
    },
  };
  onCleanup(() => child.stop());
  return child;
}

export type OwnedChild = ReturnType<typeof spawnChild>;

/** Polls until a TCP connect to host:port succeeds. */
export async function waitPort(host: string, port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      Bun.connect({
        hostname: host,
        port,
        socket: {
          open(s) {
            s.end();
            resolve(true);
          },
          data() {},
          connectError: () => resolve(false),
        },
      }).catch(() => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`Nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await Bun.sleep(50);
  }
}

export function freePort(host = "127.0.0.1"): number {
  const l = Bun.listen({ hostname: host, port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

// ------------------------------------------------------------------ peers

/**
 * "Direct": a Bun HTTPS server in its own process with alice's key and certificate, serving the
 * same app as alice's relayed listener (with `/_bytes/<n>`), on 127.0.0.1.
 */
export async function startOrigin(userDir: string, name = "alice") {
  const child = spawnChild("origin", [bun, join(repoRoot, "bench/relay/_origin.ts"), userDir, name]);
  const port = await child.waitLine((l) => l.startsWith("{") ? (JSON.parse(l).port as number) : undefined);
  return { child, port, pid: child.pid };
}

/** nginx as a plain TCP (stream) proxy in front of 127.0.0.1:`target`. */
export async function startNginx(target: number) {
  const dir = tempDir("bench-nginx-");
  const port = freePort();
  writeFileSync(
    join(dir, "nginx.conf"),
    `load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 4096; }
stream { server { listen 127.0.0.1:${port}; proxy_pass 127.0.0.1:${target}; } }
`,
  );
  const child = spawnChild("nginx", [
    "nginx",
    "-e",
    `${dir}/error.log`,
    "-c",
    `${dir}/nginx.conf`,
    "-p",
    dir,
    "-g",
    "daemon off;",
  ]);
  await waitPort("127.0.0.1", port);
  return { child, port, pid: child.pid };
}

/** OpenSSH reverse tunnel: clients connect to 127.0.0.1:`port` on sshd's side, bytes go to `target`. */
export async function startSshTunnel(target: number) {
  const dir = tempDir("bench-ssh-");
  Bun.spawnSync(["mkdir", "-p", "/run/sshd"]);
  for (const k of ["hostkey", "clientkey"]) {
    const r = Bun.spawnSync(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", join(dir, k)]);
    if (r.exitCode !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  }
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "clientkey.pub")));
  const sshPort = freePort();
  const port = freePort();
  writeFileSync(
    join(dir, "sshd_config"),
    `Port ${sshPort}
ListenAddress 127.0.0.1
HostKey ${dir}/hostkey
AuthorizedKeysFile ${dir}/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
AllowTcpForwarding yes
StrictModes no
UsePAM no
PidFile ${dir}/sshd.pid
`,
  );
  const sshd = spawnChild("sshd", [
    "/usr/sbin/sshd",
    "-D",
    "-f",
    `${dir}/sshd_config`,
    "-E",
    `${dir}/sshd.log`,
  ]);
  await waitPort("127.0.0.1", sshPort);
  const ssh = spawnChild("ssh -R", [
    "ssh",
    "-N",
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "ExitOnForwardFailure=yes",
    "-o",
    "LogLevel=ERROR",
    "-i",
    join(dir, "clientkey"),
    "-p",
    String(sshPort),
    "-R",
    `127.0.0.1:${port}:127.0.0.1:${target}`,
    "root@127.0.0.1",
  ]);
  await waitPort("127.0.0.1", port);
  return { sshd, ssh, port };
}

// ------------------------------------------------------------------ clients

export interface Download {
  bytes: number;
  seconds: number;
  /** bytes per second as curl reports it */
  speed: number;
  /** curl's own user+system CPU seconds */
  curlCpu: number;
}

/** One curl download of `https://<host>:<port><path>` pinned to `ip`, body discarded. */
export async function curlDownload(
  o: { caFile: string; host: string; ip: string; port: number; path: string; maxSeconds?: number },
): Promise<Download> {
  const p = Bun.spawn([
    "curl",
    "-sS",
    "--max-time",
    String(o.maxSeconds ?? 120),
    "--cacert",
    o.caFile,
    "--resolve",
    `${o.host}:${o.port}:${o.ip}`,
    "-o",
    "/dev/null",
    "-w",
    "%{speed_download} %{time_total} %{size_download} %{http_code}",
    `https://${o.host}:${o.port}${o.path}`,
  ], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  if (code !== 0) throw new Error(`curl to ${o.host}:${o.port}${o.path} failed (${code}): ${err.trim()}`);
  const [speed, time, size, status] = out.trim().split(" ").map(Number);
  if (status !== 200) throw new Error(`curl got HTTP ${status} from ${o.host}:${o.port}${o.path}`);
  const ru = p.resourceUsage();
  const curlCpu = ru ? Number(ru.cpuTime.user + ru.cpuTime.system) / 1e6 : NaN;
  return { bytes: size, seconds: time, speed, curlCpu };
}

// ------------------------------------------------------------------ /proc

const CLK_TCK = 100; // getconf CLK_TCK on Linux x86-64

/** utime + stime of one process (all its threads), in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields after "(comm)": state is f[0]; utime is field 14 overall → f[11], stime f[12]
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** Pids of `pid` and all its descendants. */
export function processTree(pid: number): number[] {
  const parent = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = parent.get(ppid) ?? [];
      list.push(Number(name));
      parent.set(ppid, list);
    } catch { /* gone */ }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of parent.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

/** CPU seconds of a process tree (children that exited and were reaped are not counted). */
export function treeCpuSeconds(pid: number): number {
  let s = 0;
  for (const p of processTree(pid)) {
    try {
      s += cpuSeconds(p);
    } catch { /* gone */ }
  }
  return s;
}

/** VmRSS of a process, in KiB. */
export function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`No VmRSS for pid ${pid}`);
  return Number(m[1]);
}

// ------------------------------------------------------------------ numbers

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile. */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

export const mbps = (bytesPerSecond: number) => bytesPerSecond / 1e6;
export const fmt = (x: number, digits = 1) => Number.isFinite(x) ? x.toFixed(digits) : "n/a";
export const ratio = (a: number, b: number) => `${fmt(a / b, 2)}×`;

/** Left-aligned table for the console. */
export function table(rows: (string | number)[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}
