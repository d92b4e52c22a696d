/**
 * The cloud tier's background jobs, declared once: each has a name, how often it runs as a timer
 * (`edge/main.ts`, a long-lived process) and as a `Deno.cron` schedule (`edge/deploy.ts`, where no
 * process stays alive between requests). Adding a job here runs it in both places — deploy.ts once
 * missed the OIDC key rotation the README promises because each entry point listed its own jobs.
 */
import type { Logger } from "../shared/log/mod.ts";
import type { CloudDeps } from "./deps.ts";
import { rotateKeysIfDue } from "./id/oidc/mod.ts";
import { deliverDue, type MailTransport } from "./mail/mod.ts";
import { sweepDeadRelays } from "./reg/liveness.ts";
import { compactUsage } from "./console/metering.ts";
import { pruneTunnelEvents } from "./console/retention.ts";
import { freeDeregisteredNames } from "./console/server_state.ts";

export interface Job {
  name: string;
  /** Period as a timer in a long-lived process. */
  everyMs: number;
  /** The same job as a `Deno.cron` schedule (minutes at the finest). */
  cron: string;
  /** Also run once at start (a timer's first tick would wait `everyMs`). */
  runAtStart?: boolean;
  run(): Promise<unknown>;
}

export interface MailJob {
  transport: MailTransport;
  from: string;
}

export function cloudJobs(deps: CloudDeps, mail?: MailJob): Job[] {
  return [
    // Relays that stop heartbeating are marked dead even when nobody asks.
    { name: "sweep dead relays", everyMs: 1000, cron: "* * * * *", run: () => sweepDeadRelays(deps) },
    // IdCloud's OIDC signing keys rotate every 30 days; checking is cheap, so hourly.
    {
      name: "rotate oidc signing keys",
      everyMs: 3600_000,
      cron: "17 * * * *",
      runAtStart: true,
      run: async () => {
        const r = await rotateKeysIfDue(deps);
        if (r) {
          deps.log.info("oidc signing keys rotated", {
            created: r.created.map((k) => k.kid),
            retired: r.retired,
          });
        }
      },
    },
    // Bounded storage for what operators hold (edge/console): hourly metering folds into days after
    // 30 days; the tunnel event log is pruned after its retention.
    {
      name: "compact usage",
      everyMs: 3600_000,
      cron: "23 * * * *",
      runAtStart: true,
      run: () => compactUsage(deps),
    },
    {
      name: "prune tunnel events",
      everyMs: 3600_000,
      cron: "29 * * * *",
      runAtStart: true,
      run: () => pruneTunnelEvents(deps),
    },
    {
      name: "free deregistered names",
      everyMs: 3600_000,
      cron: "31 * * * *",
      runAtStart: true,
      run: () => freeDeregisteredNames(deps),
    },
    // The mail outbox (edge/mail): retries and backoff live in the outbox rows, not here.
    ...(mail
      ? [{
        name: "deliver mail",
        everyMs: 1000,
        cron: "* * * * *",
        run: () => deliverDue(deps, mail.transport, { from: mail.from, batch: 50 }),
      }]
      : []),
  ];
}

/** Runs each job on its timer (never two runs of one job at once); returns a stop that waits for runs in flight. */
export function runJobsOnTimers(jobs: Job[], log: Logger): () => Promise<void> {
  const running = new Set<Promise<unknown>>();
  const timers = jobs.map((job) => {
    let busy = false;
    const tick = () => {
      if (busy) return;
      busy = true;
      const run = job.run()
        .catch((err) => log.error("background job failed", { job: job.name, err }))
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    };
    if (job.runAtStart) tick();
    return setInterval(tick, job.everyMs);
  });
  return async () => {
    for (const t of timers) clearInterval(t);
    await Promise.all(running);
  };
}

type Cron = (name: string, schedule: string, fn: () => Promise<void>) => unknown;

/**
 * Registers each job with `Deno.cron`; false when this runtime has none (run edge/main.ts there).
 * `cron` is a parameter so a test can see what would be scheduled.
 */
export function scheduleJobsWithCron(
  jobs: Job[],
  log: Logger,
  cron: Cron | undefined = (globalThis as { Deno?: { cron?: Cron } }).Deno?.cron,
): boolean {
  if (typeof cron !== "function") return false;
  for (const job of jobs) {
    cron(job.name, job.cron, async () => {
      try {
        await job.run();
      } catch (err) {
        log.error("background job failed", { job: job.name, err });
      }
    });
  }
  return true;
}
