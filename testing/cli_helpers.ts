/** Runs a Hearth entry point as an operator would, and collects what it printed. */
import { bunPath, denoPath, repoRoot } from "../tools/stack/paths.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `bun <args>` (or `deno run -A <args>` with `runtime: "deno"`) from the repository root. */
export async function runCli(
  args: string[],
  { runtime = "bun", env = {} }: { runtime?: "bun" | "deno"; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const cmd = runtime === "bun" ? [bunPath, ...args] : [denoPath, "run", "-A", ...args];
  const proc = Bun.spawn(cmd, {
    cwd: repoRoot,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}
