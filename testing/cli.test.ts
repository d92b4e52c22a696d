/**
 * What an operator sees of every entry point: `--version`, `check-config` (one clear sentence per
 * problem, exit 1; nothing created or rewritten), and logs fit for journald and logrotate when
 * the output is not a terminal (one JSON object per line, no terminal colour codes).
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bunPath, repoRoot } from "../tools/stack/paths.ts";
import { freePort, waitFor } from "./harness.ts";
import { runCli } from "./cli_helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "hearth-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const entries = [
  { proc: "userserver", args: ["userserver/main.ts"], runtime: "bun" },
  { proc: "relay", args: ["edge/relay/main.ts"], runtime: "bun" },
  { proc: "dns", args: ["edge/dns/server.ts"], runtime: "bun" },
  { proc: "cloud", args: ["edge/main.ts"], runtime: "deno" },
] as const;

const ESC = String.fromCharCode(27);

for (const { proc, args, runtime } of entries) {
  test(`${proc} --version prints one line and touches no data dir`, async () => {
    const dataDir = join(tmp, `version-${proc}`);
    const r = await runCli([...args, "serve", "--version", "--data-dir", dataDir], { runtime });
    expect(r.stdout).toMatch(new RegExp(`^${proc} \\d+\\.\\d+\\.\\d+ \\((bun|deno) [0-9.]+[^)]*\\)\\n$`));
    expect(r.code).toBe(0);
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);

  test(`${proc} check-config: a bad value is one sentence naming the key and the file`, async () => {
    const file = join(tmp, `bad-${proc}.json`);
    const bad = proc === "userserver" ? { version: 2, name: "alice", localPort: 70000 } : { port: "eighty" };
    writeFileSync(file, JSON.stringify(bad));
    const dataDir = join(tmp, `bad-${proc}`);
    const r = await runCli([...args, "check-config", "--config", file, "--data-dir", dataDir], { runtime });
    expect(r.code).toBe(1);
    const key = proc === "userserver" ? "localPort" : proc === "relay" ? "(id|port)" : "port";
    expect(r.stderr).toMatch(new RegExp(`^${proc}: Config key "${key}" in ${file} is invalid: [^\\n]+\\n$`));
    expect(r.stderr).not.toContain(ESC);
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);
}

test(
  "check-config: a valid config passes, names what is not there yet, and a missing CA file fails",
  async () => {
    const dataDir = join(tmp, "relay-ok");
    const file = join(tmp, "relay-ok.json");
    writeFileSync(file, JSON.stringify({ id: "relay-x" }));
    const ok = await runCli(["edge/relay/main.ts", "check-config", "--config", file, "--data-dir", dataDir]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`relay: config ${file} is valid`);
    expect(ok.stdout).toContain(`relay: note: ${join(dataDir, "tls.key")} does not exist yet`);

    writeFileSync(file, JSON.stringify({ id: "relay-x", caFile: join(tmp, "no-such-ca.pem") }));
    const noCa = await runCli([
      "edge/relay/main.ts",
      "check-config",
      "--config",
      file,
      "--data-dir",
      dataDir,
    ]);
    expect(noCa.code).toBe(1);
    expect(noCa.stderr).toBe(
      `relay: Config key "caFile" in ${file} names "${join(tmp, "no-such-ca.pem")}", which cannot be read\n`,
    );
  },
  60_000,
);

test(
  "userserver check-config validates an older config as it will be upgraded, and leaves the file alone",
  async () => {
    const dataDir = join(tmp, "user-old");
    mkdirSync(dataDir);
    const file = join(dataDir, "config.json");
    const old = JSON.stringify({ name: "alice" }) + "\n"; // version 1: no "version" key
    writeFileSync(file, old);
    const r = await runCli(["userserver/main.ts", "check-config", "--data-dir", dataDir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`userserver: config ${file} is valid`);
    expect(r.stdout).toContain("the file is version 1; serve upgrades it");
    expect(readFileSync(file, "utf8")).toBe(old);
    expect(existsSync(`${file}.v1.bak`)).toBe(false);
  },
  60_000,
);

test("serving through a pipe, every line is one JSON event and no colour codes", async () => {
  const dataDir = join(tmp, "dns-logs");
  mkdirSync(dataDir);
  // No cloud answers at this URL: the front logs its start and its failing snapshot polls.
  const config = {
    id: "ns9",
    port: freePort(),
    cloudUrl: `https://127.0.0.1:${freePort()}`,
    refreshIntervalMs: 200,
  };
  writeFileSync(join(dataDir, "config.json"), JSON.stringify(config));
  expect((await runCli(["edge/dns/server.ts", "init", "--data-dir", dataDir])).code).toBe(0);
  const proc = Bun.spawn([bunPath, "edge/dns/server.ts", "serve", "--data-dir", dataDir], {
    cwd: repoRoot,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, HEARTH_LOG_LEVEL: "debug" },
  });
  let text = "";
  const read = (async () => {
    for await (const chunk of proc.stdout) text += new TextDecoder().decode(chunk);
  })();
  try {
    await waitFor("the front to log its start and a failed poll", () => {
      const lines = text.split("\n").filter(Boolean);
      return lines.length >= 2 && text.includes("dns front listening");
    });
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
    await read;
  }
  const err = await new Response(proc.stderr).text();
  const lines = (text + err).split("\n").filter(Boolean);
  expect(lines.length).toBeGreaterThanOrEqual(2);
  for (const line of lines) {
    expect(line).not.toContain(ESC);
    const event = JSON.parse(line);
    expect(typeof event.time).toBe("string");
    expect(typeof event.msg).toBe("string");
    expect(event.proc).toBe("ns9");
  }
}, 60_000);

test(
  "check-config --deploy-env checks the variables edge/deploy.ts reads, with the same sentences",
  async () => {
    const run = (env: Record<string, string>) =>
      runCli(["edge/main.ts", "check-config", "--deploy-env"], {
        runtime: "deno",
        env: {
          HEARTH_DATABASE_URL: "",
          HEARTH_DATABASE_TOKEN: "",
          HEARTH_ZONE: "",
          HEARTH_MAIL_TRANSPORT: "",
          ...env,
        },
      });
    const missing = await run({});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("cloud: Set HEARTH_DATABASE_URL and HEARTH_DATABASE_TOKEN\n");

    const file = await run({ HEARTH_DATABASE_URL: "file:cloud.db", HEARTH_DATABASE_TOKEN: "t" });
    expect(file.code).toBe(1);
    expect(file.stderr).toBe(
      `cloud: Database URL "file:cloud.db" is a file, but this runtime has only HTTP\n`,
    );

    const badZone = await run({
      HEARTH_DATABASE_URL: "libsql://hearth-example.turso.io",
      HEARTH_DATABASE_TOKEN: "t",
      HEARTH_ZONE: "Hearth Example",
    });
    expect(badZone.code).toBe(1);
    expect(badZone.stderr).toBe(`cloud: HEARTH_ZONE is "Hearth Example": expected a lower-case DNS name\n`);

    const ok = await run({
      HEARTH_DATABASE_URL: "libsql://hearth-example.turso.io",
      HEARTH_DATABASE_TOKEN: "t",
      HEARTH_ZONE: "hearth.example",
    });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("cloud: the Deno Deploy environment is valid");
    expect(ok.stdout).toContain("HEARTH_MAIL_TRANSPORT is not set");
  },
  60_000,
);
