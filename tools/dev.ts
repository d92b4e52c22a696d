/**
 * `npm run dev`: the whole stack on this machine with the dev topology of ARCHITECTURE.md §7.
 * Non-interactive: creates what is missing under `.data/`, reuses what is there, starts every
 * process, waits until each is healthy, prints what runs where, and stops all on Ctrl-C.
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startStack } from "./stack/stack.ts";
import { repoRoot } from "./stack/paths.ts";
import { writeSampleImportRoot } from "../userserver/add/sample.ts";
import { ownFilesOnly } from "../platform/main.ts";
import { writePublicFile } from "../platform/files.ts";
import { rmSync } from "node:fs";
import { type RunningPebble, startPebble } from "./stack/pebble.ts";

ownFilesOnly(); // the dev CA and every data directory the set-up creates: 0600 files, 0700 dirs

// `--data DIR` and `--port-offset N` let a second stack run beside the first (tests do this);
// `--log-format json` gives machine-readable lines (readable ones otherwise, even through a pipe).
const { values: flags } = parseArgs({
  options: {
    data: { type: "string" },
    "port-offset": { type: "string" },
    "log-format": { type: "string" },
    // Alice's certificate from pebble (ACME DNS-01 through DNSCloud) instead of RegCloud's issuer.
    acme: { type: "boolean" },
  },
});
const offset = Number(flags["port-offset"] ?? 0);
if (!Number.isInteger(offset) || offset < 0 || offset > 50_000) {
  console.error(`--port-offset "${flags["port-offset"]}" must be an integer from 0 to 50000`);
  process.exit(2);
}
const port = (p: number) => p + offset;
const zone = "hearth.localhost";
const [C, B, T, L, D] = [8787, 8443, 8444, 9443, 5300].map(port);
// pebble: ACME directory, management, and the ports it would dial for HTTP-01 / TLS-ALPN-01.
const [P, PM, PH, PT] = [14000, 15000, 5002, 5001].map(port);
const baseDir = resolve(flags.data ?? join(repoRoot, ".data"));
const tty = process.stdout.isTTY;
const colors = ["36", "35", "33", "32", "34", "31"];
const colorOf = new Map<string, string>();
const paint = (name: string) => {
  if (!colorOf.has(name)) colorOf.set(name, colors[colorOf.size % colors.length]);
  return tty ? `\x1b[${colorOf.get(name)}m${name.padEnd(12)}\x1b[0m` : name.padEnd(12);
};

console.log("Hearth dev: preparing .data/ (keys, certificates, config) and starting the stack…");
let pebble: RunningPebble | undefined;
if (flags.acme) {
  try {
    // pebble resolves through our DNS front (started by the stack); it only asks when validating.
    pebble = await startPebble({
      dir: join(baseDir, "pebble"),
      port: P,
      managementPort: PM,
      dnsServer: `127.0.0.1:${D}`,
      httpPort: PH,
      tlsPort: PT,
      onLine: (line, proc) => console.log(`${paint(proc)} ${line}`),
    });
  } catch (e) {
    console.error(`\nHearth dev could not start pebble (apt install pebble): ${(e as Error).message}`);
    process.exit(1);
  }
  // pebble makes a new root at every start: what it issued before chains to nothing now.
  rmSync(join(baseDir, "users", "alice", "acme-state.json"), { force: true });
}
const acme = pebble
  ? {
    directoryUrl: pebble.directoryUrl,
    caFile: pebble.listenerCaFile,
    dnsServers: [`127.0.0.1:${D}`],
  }
  : undefined;
// Relays by HTTP-01: pebble dials port PH at the tunnel address their names resolve to.
const relayAcme = pebble
  ? { directoryUrl: pebble.directoryUrl, caFile: pebble.listenerCaFile, httpPort: PH }
  : undefined;
let stack: Awaited<ReturnType<typeof startStack>>;
try {
  stack = await startStack({
    baseDir,
    zone,
    cloud: { host: "127.0.0.1", port: C },
    relays: [
      {
        id: "relay-a",
        browserAddresses: ["127.0.0.11", "127.0.0.1"],
        browserPort: B,
        tunnelAddress: "127.0.0.11",
        tunnelPort: T,
        acme: relayAcme,
      },
      {
        id: "relay-b",
        browserAddresses: ["127.0.0.12"],
        browserPort: B,
        tunnelAddress: "127.0.0.12",
        tunnelPort: T,
        acme: relayAcme,
      },
    ],
    users: [{
      name: "alice",
      localAddress: "127.0.0.1",
      localPort: L,
      publicPort: B,
      importRoots: [writeSampleImportRoot(join(baseDir, "sample-import"))],
      acme,
    }],
    extraCaPem: await pebble?.rootPem(),
    dns: { id: "ns1", host: "127.0.0.1", port: D },
    // A person runs this (often `| tee`): readable lines unless asked for JSON.
    logFormat: flags["log-format"] === "json" ? "json" : "pretty",
    onLine: (line, proc) => console.log(`${paint(proc)} ${line}`),
    onUnexpectedExit: (proc, code) => {
      const next = proc.name.startsWith("user:") ? " Restarting it." : "";
      console.error(`\n${proc.name} exited unexpectedly (status ${code}).${next} Its last lines:`);
      for (const l of proc.lastLines.slice(-15)) console.error(`  ${l}`);
    },
    // A user server that dies is started again (as its systemd unit will be), and the console says so.
    restartOnExit: (name) => name.startsWith("user:"),
    onRestart: (name, attempt, result) =>
      console.error(
        result instanceof Error
          ? `${name} restart ${attempt} failed: ${result.message} (trying again)`
          : `${name} restarted (restart ${attempt})`,
      ),
  });
} catch (e) {
  console.error(`\nHearth dev could not start: ${(e as Error).message}`);
  await pebble?.stop();
  process.exit(1);
}
// Alice's browser must trust pebble's root of this run (it changes at every start).
const pebbleRootFile = join(baseDir, "pebble", "root.crt");
if (pebble) writePublicFile(pebbleRootFile, await pebble.rootPem());

// Handlers go in before the banner: whoever reads "Press Ctrl-C" may press it at once.
let stopping = false;
const stopAll = async () => {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping…");
  await stack.stop();
  await pebble?.stop();
  console.log("All processes stopped.");
  process.exit(0);
};
process.on("SIGINT", stopAll);
process.on("SIGTERM", stopAll);
const ca = stack.caFile;
// Seeded owner accounts: the password is shown once, in the run that created it.
const accountLines = () =>
  stack.accounts.map((a) =>
    a.password
      ? `\n  ${a.name}'s account  ${a.email}  password: ${a.password}   (shown once: save it; TOTP is off)`
      : `\n  ${a.name}'s account  ${a.email}  (password shown when it was created; reset it from the login page:` +
        ` the mail lands in ${join(baseDir, "cloud", "mail")}/)`
  ).join("");
console.log(`
Hearth is running.
  cloud tier (RegCloud, IdCloud, DoH)  https://127.0.0.1:${C}   (reg.${zone}, id.${zone})
  relay A   browsers 127.0.0.11:${B} and 127.0.0.1:${B}, tunnels 127.0.0.11:${T}
  relay B   browsers 127.0.0.12:${B}, tunnels 127.0.0.12:${T}
  alice     local https://local.alice.${zone}:${L}/   relayed https://alice.${zone}:${B}/
  DNS       127.0.0.1:${D} UDP + TCP (ns1.${zone}), DoH https://127.0.0.1:${C}/dns-query

Open in a browser:  https://alice.${zone}:${B}/        (through relay A: *.localhost is 127.0.0.1)
                    https://local.alice.${zone}:${L}/  (alice's local listener, no relay)
IdCloud (accounts): https://id.${zone}:${C}/login${accountLines()}
Dev CA to trust:    ${ca}   (see README: "Trusting the dev CA")${
  pebble
    ? `\nACME (--acme):      certificates from pebble ${pebble.directoryUrl}: alice's by DNS-01 (state in her` +
      ` Settings, "Certificate"), the relays' tunnel ports by HTTP-01; trust ${pebbleRootFile} (new at each start)`
    : ""
}
Check health:       curl --cacert ${ca} https://127.0.0.1:${C}/healthz
Ask DNS:            dig @127.0.0.1 -p ${D} alice.${zone} A          (add +tcp for TCP)
                    kdig @127.0.0.1 -p ${C} +https +tls-ca=${ca} alice.${zone} A   (DoH)
Press Ctrl-C to stop everything.
`);

await new Promise(() => {});
