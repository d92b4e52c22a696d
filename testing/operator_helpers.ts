/**
 * Operators in a harness stack (issue #23): an IdCloud account with the operator role and a bearer
 * token for RegCloud's operator-only JSON (`/reg/v1/status`, `/console/api/*`), made with the same
 * operator commands an operator runs on the cloud host (edge/operator.ts).
 */
import { join } from "node:path";
import { denoPath, repoRoot } from "../tools/stack/paths.ts";
import { runToCompletion } from "../tools/stack/process.ts";
import type { RunningStack } from "../tools/stack/stack.ts";

/** Runs `edge/main.ts <args>` on the stack's cloud DB; its one JSON line. */
export async function cloudCommand(stack: Pick<RunningStack, "dirs">, args: string[]): Promise<any> {
  const out = await runToCompletion(
    [denoPath, "run", "-A", join(repoRoot, "edge/main.ts"), ...args, "--data-dir", stack.dirs.cloud],
    repoRoot,
  );
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}");
}

export interface StackOperator {
  email: string;
  password: string;
  /** `Authorization` header value for scripts. */
  authorization: string;
}

/** Seeds `email` (verified, with a password), grants it the operator role and issues a token. */
export async function makeOperator(
  stack: Pick<RunningStack, "dirs">,
  email = "operator@hearth.localhost",
): Promise<StackOperator> {
  const seeded = await cloudCommand(stack, ["seed-account", `--email=${email}`]);
  await cloudCommand(stack, ["grant-operator", `--email=${email}`]);
  const { token } = await cloudCommand(stack, ["operator-token", `--email=${email}`]);
  return { email, password: seeded.password, authorization: `Bearer ${token}` };
}

/** RegCloud's relay list with states, as an operator's script reads it. */
export async function relayStates(
  stack: Pick<RunningStack, "cloudUrl" | "caPem">,
  op: StackOperator,
): Promise<{ id: string; state: string }[]> {
  const res = await fetch(`${stack.cloudUrl}/reg/v1/status`, {
    headers: { authorization: op.authorization },
    tls: { ca: stack.caPem },
  });
  if (!res.ok) throw new Error(`/reg/v1/status answered ${res.status}`);
  return ((await res.json()) as { relays: { id: string; state: string }[] }).relays;
}
