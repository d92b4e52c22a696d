import { test } from "node:test";
import assert from "node:assert/strict";
import { oidcSigningKeys } from "../shared/db/cloud/oidc.ts";
import { silentLogger } from "../shared/log/mod.ts";
import { testDeps } from "./_test_deps.ts";
import { cloudJobs, type Job, runJobsOnTimers, scheduleJobsWithCron } from "./jobs.ts";
import type { MailTransport } from "./mail/mod.ts";

const noMail: MailTransport = { kind: "file", send: () => Promise.resolve() };

test("Deno.cron gets every job, the OIDC key rotation included, and a run rotates keys in the database", async () => {
  const deps = await testDeps();
  try {
    const scheduled = new Map<string, { schedule: string; fn: () => Promise<void> }>();
    const ok = scheduleJobsWithCron(
      cloudJobs(deps, { transport: noMail, from: "Hearth <no-reply@hearth.localhost>" }),
      silentLogger,
      (name, schedule, fn) => scheduled.set(name, { schedule, fn }),
    );
    assert.equal(ok, true);
    assert.deepEqual([...scheduled.keys()].sort(), [
      "compact usage",
      "deliver mail",
      "free deregistered names",
      "prune tunnel events",
      "rotate oidc signing keys",
      "sweep dead relays",
    ]);
    for (const { schedule } of scheduled.values()) assert.match(schedule, /^[\d*]+ \* \* \* \*$/);
    assert.equal((await deps.db.orm.select().from(oidcSigningKeys)).length, 0);
    await scheduled.get("rotate oidc signing keys")!.fn();
    assert.ok(
      (await deps.db.orm.select().from(oidcSigningKeys)).length >= 1,
      "a signing key exists after the cron run",
    );
    // Without Deno.cron nothing is scheduled, and the caller is told.
    assert.equal(scheduleJobsWithCron(cloudJobs(deps), silentLogger, undefined), false);
  } finally {
    deps.cleanup();
  }
});

test("timers: a failing job is logged and runs again; a job never overlaps itself; stop waits for a run", async () => {
  let failing = 0;
  let slowRuns = 0;
  let inFlight = 0;
  let overlapped = false;
  const { promise: slowStarted, resolve: started } = Promise.withResolvers<void>();
  const jobs: Job[] = [
    {
      name: "fails",
      everyMs: 5,
      cron: "* * * * *",
      run: () => {
        failing++;
        return Promise.reject(new Error("boom"));
      },
    },
    {
      name: "slow",
      everyMs: 5,
      cron: "* * * * *",
      runAtStart: true,
      run: async () => {
        if (inFlight++) overlapped = true;
        slowRuns++;
        started();
        await new Promise((r) => setTimeout(r, 50));
        inFlight--;
      },
    },
  ];
  const stop = runJobsOnTimers(jobs, silentLogger);
  await slowStarted;
  while (failing < 3) await new Promise((r) => setTimeout(r, 5));
  await stop();
  assert.equal(inFlight, 0, "stop waited for the slow run");
  assert.equal(overlapped, false);
  assert.ok(slowRuns >= 1);
});
