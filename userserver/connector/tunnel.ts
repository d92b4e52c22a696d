/**
 * One tunnel: TLS to a relay's tunnel port (SNI = the relay's own name, ALPN hearth-tunnel/1),
 * the hello with a one-time nonce and a TOTP code, then a yamux session in which the relay opens
 * one stream per browser connection. Each stream is piped into the relayed listener's Unix
 * socket — never the local listener — where TLS ends.
 */
import type { Socket } from "bun";
import { concatBytes } from "../../shared/bytes.ts";
import * as OTPAuth from "otpauth";
import {
  type AttachedSession,
  attachSocket,
  type Session,
  splice,
  type Stream,
} from "../../shared/mux/mod.ts";
import { alpnWire, TUNNEL_ALPN } from "../../shared/tunnel/alpn.ts";
import {
  decodeMessage,
  encodeMessage,
  parseReply,
  TUNNEL_PROTOCOL_VERSION,
  TunnelProtocolError,
  type TunnelReply,
} from "../../shared/tunnel/hello.ts";
import type { Logger } from "../../shared/log/mod.ts";
import { contain } from "../../shared/net/contain.ts";
import type { RelayOffer } from "./cloud.ts";
import type { StreamSources } from "./sources.ts";
import { decodeSourceHeader } from "../../shared/tunnel/source_header.ts";

export class AttachError extends Error {
  override name = "AttachError";
  constructor(message: string, readonly code: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export interface TunnelOptions {
  offer: RelayOffer;
  serverId: string;
  totpSecret: string;
  caPem?: string;
  relayedSocket: string;
  /**
   * Asks the relay for each browser's address (a source header per stream): streams then go to
   * the relayed listener's loopback TCP port, and the address is recorded in `sources`.
   */
  sourced?: SourcedTarget;
  log: Logger;
  timeoutMs?: number;
}

export interface OpenTunnel {
  relayId: string;
  session: Session;
  /** Resolves when the relay sent GoAway (it is shutting down: attach elsewhere). */
  goingAway: Promise<void>;
  /** Resolves when the tunnel is gone. */
  closed: Promise<void>;
  close(): void;
}

type State =
  | { kind: "hello"; buf: Uint8Array }
  | { kind: "mux"; mux: AttachedSession };

export function currentTotp(secret: string, now = Date.now()): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: now,
  });
}

export function openTunnel(o: TunnelOptions): Promise<OpenTunnel> {
  const [host, portText] = splitHostPort(o.offer.tunnelAddress);
  return new Promise((resolve, reject) => {
    let settled = false;
    let closedResolve!: () => void;
    const closed = new Promise<void>((r) => (closedResolve = r));
    let goingAwayResolve!: () => void;
    const goingAway = new Promise<void>((r) => (goingAwayResolve = r));
    const fail = (err: Error, socket?: Socket<State>) => {
      if (!settled) {
        settled = true;
        reject(err);
      }
      socket?.end();
    };
    const timer = setTimeout(
      () => fail(new AttachError(`Relay ${o.offer.relayId} did not answer the hello in time`, "timeout")),
      o.timeoutMs ?? 10_000,
    );
    const unreachable = (err: Error) => {
      clearTimeout(timer);
      const where = `${o.offer.relayId} at ${o.offer.tunnelAddress}`;
      fail(new AttachError(`Cannot reach relay ${where}: ${err.message}`, "unreachable"));
      closedResolve();
    };
    const onReply = (socket: Socket<State>, reply: TunnelReply, rest: Uint8Array) => {
      clearTimeout(timer);
      if (!reply.ok) {
        return fail(
          new AttachError(`Relay ${o.offer.relayId} refused the tunnel: ${reply.message}`, reply.code),
          socket,
        );
      }
      const mux = attachSocket(socket, {
        client: true,
        maxStreams: reply.limits.maxStreams,
        keepaliveInterval: reply.limits.keepaliveIntervalMs,
        logger: o.log,
        onStream: (stream) =>
          reply.sourceHeader && o.sourced
            ? pipeWithSource(stream, o.sourced, o.log)
            : pipeToRelayedListener(stream, { unix: o.relayedSocket }, o.log),
        onGoAway: () => goingAwayResolve(),
      });
      socket.data = { kind: "mux", mux };
      settled = true;
      mux.session.closed.then(closedResolve, closedResolve);
      resolve({
        relayId: o.offer.relayId,
        session: mux.session,
        goingAway,
        closed,
        close: () => void mux.session.close(),
      });
      if (rest.length) mux.data(rest);
    };

    const guard = <A extends unknown[]>(fn: (socket: Socket<State>, ...rest: A) => void) =>
      contain(o.log, "tunnel", fn);
    Bun.connect<State>({
      hostname: host,
      port: Number(portText),
      tls: {
        serverName: o.offer.hostName,
        ...(o.caPem ? { ca: o.caPem } : {}),
        ALPNProtocols: alpnWire([TUNNEL_ALPN]),
      } as Bun.TLSOptions & { serverName: string },
      socket: {
        open: guard((socket) => {
          socket.data = { kind: "hello", buf: new Uint8Array(0) };
        }),
        handshake: guard((socket, success, authError) => {
          if (!success) {
            return fail(
              new AttachError(`TLS to relay ${o.offer.relayId} failed: ${authError?.message}`, "tls"),
              socket,
            );
          }
          if (socket.alpnProtocol !== TUNNEL_ALPN) {
            return fail(
              new AttachError(`Relay ${o.offer.relayId} does not speak ${TUNNEL_ALPN}`, "alpn"),
              socket,
            );
          }
          socket.write(encodeMessage({
            version: TUNNEL_PROTOCOL_VERSION,
            serverId: o.serverId,
            nonce: o.offer.nonce,
            totp: currentTotp(o.totpSecret),
            ...(o.sourced ? { sourceHeader: true } : {}),
          }));
        }),
        data: guard((socket, chunk) => {
          const st = socket.data;
          if (st.kind === "mux") return st.mux.data(chunk);
          const buf = (st.buf = concatBytes(st.buf, chunk));
          try {
            const msg = decodeMessage(buf);
            if (msg) onReply(socket, parseReply(msg.value), buf.subarray(msg.used));
          } catch (e) {
            fail(
              e instanceof TunnelProtocolError
                ? new AttachError(e.message, "bad_reply", { cause: e })
                : e as Error,
              socket,
            );
          }
        }),
        drain: guard((socket) => {
          if (socket.data?.kind === "mux") socket.data.mux.drain();
        }),
        close: guard((socket, err) => {
          clearTimeout(timer);
          if (socket.data?.kind === "mux") socket.data.mux.close(err);
          fail(new AttachError(`Relay ${o.offer.relayId} closed the connection during the hello`, "closed"));
          closedResolve();
        }),
        connectError: guard((_socket, err) => {
          unreachable(err);
        }),
        error: guard((_socket, err) => {
          o.log.debug("tunnel socket error", { relay: o.offer.relayId, err });
        }),
      },
    }).catch(unreachable);
  });
}

export interface SourcedTarget {
  /** The relayed listener's loopback TCP port (undefined until it listens). */
  port(): number | undefined;
  sources: StreamSources;
}

/** Where a stream is piped: the relayed listener's Unix socket, or its loopback TCP port. */
export type RelayedTarget = { unix: string } | { hostname: string; port: number };

/**
 * A stream that begins with a source header: reads the header, then pipes the rest (the browser's
 * TLS bytes) into the relayed listener over loopback TCP, recording the browser's address under
 * that connection's local port while it lasts. A stream without a valid header is reset.
 */
export async function pipeWithSource(stream: Stream, target: SourcedTarget, log: Logger): Promise<void> {
  let buf: Uint8Array = new Uint8Array(0);
  try {
    for (;;) {
      const chunk = await stream.read();
      if (chunk === null) return void stream.reset(); // closed before its header was complete
      buf = concatBytes(buf, chunk);
      const r = decodeSourceHeader(buf);
      if (r.kind === "need-more") continue;
      if (r.kind === "error") {
        log.warn("relayed stream without a valid source header", { error: r.message });
        return void stream.reset();
      }
      const port = target.port();
      if (port === undefined) return void stream.reset();
      const address = r.source?.address;
      return pipeToRelayedListener(stream, { hostname: "127.0.0.1", port }, log, {
        first: buf.subarray(r.used),
        opened: (localPort) => address && target.sources.set(localPort, address),
        closed: (localPort) => target.sources.delete(localPort),
      });
    }
  } catch (err) {
    log.debug("relayed stream ended before its source header", { err });
    stream.reset();
  }
}

interface PipeHooks {
  /** Bytes already read from the stream, written to the listener before the splice begins. */
  first?: Uint8Array;
  opened?(localPort: number): void;
  closed?(localPort: number): void;
}

/**
 * Pipes one relay-opened stream into the relayed listener, both ways. The relay may
 * reset the stream before the connect completes: `splice()` then closes the socket from inside
 * `open`, so the socket's state exists before the splice starts, and every handler is contained
 * (an exception here costs this stream, never the process).
 */
export function pipeToRelayedListener(
  stream: Stream,
  target: RelayedTarget,
  log: Logger,
  hooks: PipeHooks = {},
): void {
  type PipeState = { pipe?: ReturnType<typeof splice>; pending?: Uint8Array; port?: number };
  const unreachable = (err: unknown) => {
    log.error("relayed listener unreachable", { target, err });
    stream.reset();
  };
  const guard = <A extends unknown[]>(fn: (socket: Socket<PipeState>, ...rest: A) => void) =>
    contain(log, "relayed stream", fn);
  /** Writes what was read before the splice; the splice begins once all of it is taken. */
  const flush = (socket: Socket<PipeState>) => {
    const pending = socket.data.pending;
    if (pending && pending.length > 0) {
      const n = socket.write(pending);
      if (n < 0) return;
      socket.data.pending = pending.subarray(n);
      if (n < pending.length) return; // the rest on drain
    }
    socket.data.pending = undefined;
    socket.data.pipe = splice(stream, socket, { halfClose: true });
  };
  const socket: Bun.SocketHandler<PipeState> = {
    open: guard((socket) => {
      socket.data = { pending: hooks.first, port: "port" in target ? socket.localPort : undefined };
      if (socket.data.port !== undefined) hooks.opened?.(socket.data.port);
      flush(socket);
    }),
    data: guard((socket, chunk) => socket.data?.pipe?.data(chunk)),
    drain: guard((socket) => socket.data?.pipe ? socket.data.pipe.drain() : flush(socket)),
    end: guard((socket) => socket.data?.pipe?.end()),
    close: guard((socket, err) => {
      if (socket.data?.port !== undefined) hooks.closed?.(socket.data.port);
      if (socket.data?.pipe) socket.data.pipe.close(err);
      else stream.reset(); // closed before the splice began: the relay must not wait on it
    }),
    error: guard((_socket, err) => log.debug("relayed stream socket error", { err })),
    connectError: guard((_socket, err) => unreachable(err)),
  };
  // The browser's FIN arrives as the stream's FIN and half-closes this socket; the server's
  // answer must still be read (Bun would otherwise close both ends): allowHalfOpen.
  const connecting = "unix" in target
    ? Bun.connect<PipeState>({ unix: target.unix, allowHalfOpen: true, socket })
    : Bun.connect<PipeState>({ hostname: target.hostname, port: target.port, allowHalfOpen: true, socket });
  connecting.catch(unreachable);
}

function splitHostPort(address: string): [string, string] {
  const i = address.lastIndexOf(":");
  return [address.slice(0, i).replace(/^\[|\]$/g, ""), address.slice(i + 1)];
}
