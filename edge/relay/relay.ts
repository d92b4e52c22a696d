/**
 * The relay: a browser port (plain TCP, routed by the ClientHello's SNI without decrypting)
 * and a TLS tunnel port (user servers attach here; `/healthz` answers over HTTP/1.1).
 */
import type { Socket, TCPSocketListener } from "bun";
import type { Logger } from "../../shared/log/mod.ts";
import { alpnWire, HTTP_ALPN, TUNNEL_ALPN } from "../../shared/tunnel/alpn.ts";
import { listenOrExplain } from "../../platform/main.ts";
import type { RelayConfig } from "./config.ts";
import { HttpHealthConnection } from "./http_health.ts";

export interface RelayDeps {
  tls: { key: string; cert: string };
  log: Logger;
}

export interface RunningRelay {
  browserPorts: number[];
  tunnelPort: number;
  stop(): Promise<void>;
}

type TunnelSocketState = { http?: HttpHealthConnection };

export function startRelay(cfg: RelayConfig, { tls, log }: RelayDeps): RunningRelay {
  const startedAt = Date.now();
  const tunnelListener: TCPSocketListener<TunnelSocketState> = listenOrExplain(
    "tunnels",
    `${cfg.tunnelAddress}:${cfg.tunnelPort}`,
    () =>
      Bun.listen<TunnelSocketState>({
        hostname: cfg.tunnelAddress,
        port: cfg.tunnelPort,
        tls: { key: tls.key, cert: tls.cert, ALPNProtocols: alpnWire([TUNNEL_ALPN, HTTP_ALPN]) },
        socket: {
          open(socket) {
            socket.data = {};
          },
          handshake(socket, success) {
            if (!success) return void socket.end();
            if (socket.alpnProtocol === TUNNEL_ALPN) {
              // Tunnels are wired in by the spine; until then refuse them cleanly.
              return void socket.end();
            }
            socket.data.http = new HttpHealthConnection(
              (path) =>
                path === "/healthz"
                  ? {
                    status: 200,
                    body: { ok: true, service: "relay", id: cfg.id, uptimeMs: Date.now() - startedAt },
                  }
                  : { status: 404, body: { error: `No route for ${path}` } },
              (text) => socket.write(text),
              () => socket.end(),
            );
          },
          data(socket, chunk) {
            socket.data.http?.onData(chunk);
          },
          error(_socket, err) {
            log.debug("tunnel port socket error", { err });
          },
        },
      }),
  );

  const browserListeners = cfg.browserAddresses.map((address) =>
    listenOrExplain("browsers", `${address}:${cfg.browserPort}`, () =>
      Bun.listen<undefined>({
        hostname: address,
        port: cfg.browserPort,
        socket: {
          open(socket: Socket<undefined>) {
            // No tunnels yet: close cleanly rather than hold the browser.
            socket.end();
          },
          data() {},
        },
      }))
  );

  log.info("relay listening", {
    browsers: cfg.browserAddresses.map((a, i) => `${a}:${browserListeners[i].port}`),
    tunnels: `${cfg.tunnelAddress}:${tunnelListener.port}`,
    name: cfg.hostName,
  });

  return {
    browserPorts: browserListeners.map((l) => l.port),
    tunnelPort: tunnelListener.port,
    stop() {
      log.info("relay stopping");
      for (const l of browserListeners) l.stop(true);
      tunnelListener.stop(true);
      return Promise.resolve();
    },
  };
}
