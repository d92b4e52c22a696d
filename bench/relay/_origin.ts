/**
 * The "direct" baseline origin, run as its own process by the benchmarks: the same app as the
 * user server's relayed listener (with `/_bytes/<n>`), served by Bun over TLS on loopback TCP with
 * the user's own key and certificate. Prints `{"port":N}` once listening.
 *   bun bench/relay/_origin.ts <userDataDir> [name]
 */
import { loadTlsFiles } from "../../platform/identity.ts";
import { createRelayedApp } from "../../userserver/web/relayed_app.tsx";

const [dataDir, name = "alice"] = process.argv.slice(2);
if (!dataDir) throw new Error("Usage: bun bench/relay/_origin.ts <userDataDir> [name]");
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  tls: loadTlsFiles(dataDir),
  fetch: createRelayedApp({ name, enableByteStream: true }).fetch,
});
console.log(JSON.stringify({ port: server.port }));
process.on("SIGTERM", () => {
  server.stop(true);
  process.exit(0);
});
