/**
 * The environment a relay process must be started with. Bun's allocator (mimalloc) returns freed
 * memory to the OS ("purges") soon after it is freed; a relay allocates a fresh buffer for every
 * socket read (~150 KiB at speed) and frees it at the next GC, so with purging on, most bytes it
 * forwards land in freshly faulted pages: ~50,000 page faults and ~1 CPU-s per GB moved, about
 * half of the relay's CPU (bench/relay/README.md). Without purging, freed pages are reused: the
 * relay's resident memory stays at its busiest level instead (about +100 MiB after bulk
 * transfers), which is what a relay is sized for anyway.
 *
 * The allocator reads its options when the process starts, so this cannot be set from inside the
 * relay: whatever launches it (tools/stack, the `relay` npm script, a service unit) sets it, and
 * the relay warns at start-up when it is missing.
 */
export const RELAY_RUNTIME_ENV: Readonly<Record<string, string>> = {
  MIMALLOC_PURGE_DELAY: "-1",
};

/** The variables of `RELAY_RUNTIME_ENV` this process was not started with. */
export function missingRuntimeEnv(env: Record<string, string | undefined> = process.env): string[] {
  return Object.entries(RELAY_RUNTIME_ENV).filter(([k, v]) => env[k] !== v).map(([k, v]) => `${k}=${v}`);
}
