/**
 * A child process the stack owns: its output is kept (last lines, for reports when it dies) and
 * optionally echoed with a prefix; stop() sends SIGTERM, then SIGKILL after a grace period.
 */
import type { Subprocess } from "bun";

export interface ProcessOptions {
  name: string;
  cmd: string[];
  cwd: string;
  env?: Record<string, string>;
  /** Receives each output line (already prefixed with nothing; the caller decides). */
  onLine?: (line: string, name: string) => void;
  keepLines?: number;
}

export class ManagedProcess {
  readonly name: string;
  readonly proc: Subprocess<"ignore", "pipe", "pipe">;
  readonly exited: Promise<number>;
  readonly #lines: string[] = [];
  readonly #keep: number;
  #stopping = false;

  constructor({ name, cmd, cwd, env, onLine, keepLines = 40 }: ProcessOptions) {
    this.name = name;
    this.#keep = keepLines;
    this.proc = Bun.spawn(cmd, {
      cwd,
      env: { ...process.env, ...env },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      let rest = "";
      const decoder = new TextDecoder();
      for await (const chunk of stream) {
        rest += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = rest.indexOf("\n")) >= 0) {
          const line = rest.slice(0, nl);
          rest = rest.slice(nl + 1);
          this.#remember(line);
          onLine?.(line, name);
        }
      }
      if (rest) {
        this.#remember(rest);
        onLine?.(rest, name);
      }
    };
    const pumps = Promise.all([pump(this.proc.stdout), pump(this.proc.stderr)]);
    this.exited = this.proc.exited.then(async (code) => {
      await pumps.catch(() => {});
      return code;
    });
  }

  #remember(line: string) {
    this.#lines.push(line);
    if (this.#lines.length > this.#keep) this.#lines.shift();
  }

  get pid(): number {
    return this.proc.pid;
  }

  get lastLines(): string[] {
    return [...this.#lines];
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async stop(graceMs = 5000): Promise<number> {
    this.#stopping = true;
    if (this.running) this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.running && this.proc.kill("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills at once (tests that simulate a crash). */
  kill(): Promise<number> {
    this.#stopping = true;
    this.proc.kill("SIGKILL");
    return this.exited;
  }
}

/** Runs a command to completion, returning its stdout; throws with its output if it fails. */
export async function runToCompletion(cmd: string[], cwd: string): Promise<string> {
  const p = Bun.spawn(cmd, { cwd, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  if (code !== 0) throw new Error(`${err.trim() || out.trim() || `${cmd.join(" ")} exited with ${code}`}`);
  return out;
}
