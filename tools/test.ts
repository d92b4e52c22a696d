/**
 * `npm test`: every suite, in order, with one closing line `N passed, N failed`.
 *   checks       deno fmt --check, deno lint, deno check (edge + shared), tsc (Bun code + shared)
 *   deno         unit tests of edge/ and shared/ on Deno (the edge's deploy runtime)
 *   bun          unit tests of shared/, the relay, the user server, platform/ and tools/ on Bun
 *   integration  real processes on loopback through the harness (testing/)
 *   e2e          Debian's Chromium driven by playwright-core (e2e/)
 * `--only=checks,bun` runs a subset. Counts come from each runner's JUnit report.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { bunPath, denoPath, repoRoot } from "./stack/paths.ts";

type Result = { suite: string; passed: number; failed: number; skipped: number; seconds: number };

const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const outDir = join(repoRoot, "test-results");
mkdirSync(outDir, { recursive: true });

const tsc = join(repoRoot, "node_modules", ".bin", "tsc");
const denoTargets = ["edge/main.ts", "edge/mod.ts", "edge/deploy.ts", "shared/"];

interface Suite {
  name: string;
  run: () => Promise<Omit<Result, "suite" | "seconds">>;
}

/** One check = one test: it passes when the command exits 0. */
function check(name: string, cmd: string[]): Suite {
  return {
    name,
    run: async () => {
      const code = await spawnInherit(cmd);
      return { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 };
    },
  };
}

function junitSuite(name: string, cmd: (junit: string) => string[]): Suite {
  return {
    name,
    run: async () => {
      const junit = join(outDir, `${name}.xml`);
      rmSync(junit, { force: true });
      const code = await spawnInherit(cmd(junit));
      const counts = readJunit(junit);
      // A runner that crashed before writing its report, or failed with no failing test, counts as one failure.
      if (code !== 0 && counts.failed === 0) counts.failed = 1;
      if (code === 0 && counts.passed === 0) {
        console.error(`${name}: the runner exited 0 but ran no test`);
        counts.failed += 1;
      }
      return counts;
    },
  };
}

const suites: Suite[] = [
  check("fmt", [denoPath, "fmt", "--check"]),
  check("lint", [denoPath, "lint"]),
  check("typecheck-deno", [denoPath, "check", ...denoTargets]),
  check("typecheck-bun", [tsc, "-p", "tsconfig.json"]),
  junitSuite("deno", (junit) => [
    denoPath,
    "test",
    "-A",
    "--reporter=dot",
    `--junit-path=${junit}`,
    // Which files: deno.json's "test" (shared/ and edge/, without the Bun-only relay).
  ]),
  junitSuite("bun", (junit) => [
    bunPath,
    "test",
    "--reporter=junit",
    `--reporter-outfile=${junit}`,
    "shared/",
    "edge/relay/",
    "userserver/",
    "platform/",
    "tools/",
  ]),
  junitSuite("integration", (junit) => [
    bunPath,
    "test",
    // Hooks start whole stacks; bunfig's timeout covers tests, not hooks, hence the flag.
    "--timeout=120000",
    "--reporter=junit",
    `--reporter-outfile=${junit}`,
    "testing/",
  ]),
  junitSuite(
    "e2e",
    (
      junit,
    ) => [bunPath, "test", "--timeout=120000", "--reporter=junit", `--reporter-outfile=${junit}`, "e2e/"],
  ),
];

const results: Result[] = [];
for (const suite of suites) {
  if (only && !only.includes(suite.name)) continue;
  console.log(`\n=== ${suite.name}`);
  const started = performance.now();
  const counts = await suite.run();
  results.push({ suite: suite.name, ...counts, seconds: (performance.now() - started) / 1000 });
  const r = results.at(-1)!;
  console.log(`=== ${suite.name}: ${r.passed} passed, ${r.failed} failed (${r.seconds.toFixed(1)} s)`);
}

console.log("\nSuite          passed  failed  skipped  seconds");
for (const r of results) {
  console.log(
    `${r.suite.padEnd(14)} ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${
      String(r.skipped).padStart(7)
    }  ${r.seconds.toFixed(1).padStart(7)}`,
  );
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const skipped = results.reduce((n, r) => n + r.skipped, 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed === 0 ? 0 : 1);

function spawnInherit(cmd: string[]): Promise<number> {
  const p = Bun.spawn(cmd, { cwd: repoRoot, stdout: "inherit", stderr: "inherit", stdin: "ignore" });
  return p.exited;
}

/** Sums test cases in a JUnit XML report (Bun's and Deno's both write <testcase> elements). */
function readJunit(file: string): { passed: number; failed: number; skipped: number } {
  let xml: string;
  try {
    xml = readFileSync(file, "utf8");
  } catch {
    return { passed: 0, failed: 0, skipped: 0 };
  }
  let passed = 0, failed = 0, skipped = 0;
  for (const m of xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = m[2] ?? "";
    if (/<(failure|error)\b/.test(body)) failed++;
    else if (/<skipped\b/.test(body)) skipped++;
    else passed++;
  }
  return { passed, failed, skipped };
}
