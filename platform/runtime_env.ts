/**
 * The environment a long-running Bun process of ours (a relay, a user server) must be started
 * with. Bun's allocator (mimalloc) returns freed memory to the OS ("purges") soon after it is
 * freed. Both processes allocate a fresh buffer for every socket read at speed (~150 KiB) and
 * free it at the next GC, so with purging on, most bytes they move land in freshly faulted pages:
 * ~50,000 page faults per GB, about half of a relay's CPU per GB and two thirds of a user
 * server's during an upload (bench/relay/README.md, bench/files/README.md). Without purging,
 * freed pages are reused; resident memory stays at the busiest level the process reached instead
 * (a user server: ~400 MiB after 1 GiB uploads against ~130 MiB; a relay: ~180 MiB). Purge
 * delays of 1–10 s were tried and save only about half as much CPU.
 *
 * The allocator reads its options when the process starts, so this cannot be set from inside:
 * whatever launches the process (the npm scripts, tools/stack, a service unit) sets it, and the
 * process logs a warning at start-up when it is missing. A different value set on purpose (a
 * machine short of memory) is respected: only an absent variable is reported.
 */
export const ALLOCATOR_ENV: Readonly<Record<string, string>> = {
  MIMALLOC_PURGE_DELAY: "-1",
};

/** The variables of `ALLOCATOR_ENV` absent from this process's environment, as `NAME=value`. */
export function missingAllocatorEnv(env: Record<string, string | undefined> = process.env): string[] {
  return Object.entries(ALLOCATOR_ENV).filter(([k]) => env[k] === undefined).map(([k, v]) => `${k}=${v}`);
}
