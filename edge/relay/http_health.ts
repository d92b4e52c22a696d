/**
 * A minimal HTTP/1.1 responder for `/healthz` on the tunnel port (TLS with ALPN http/1.1 or
 * none). It reads one request head (at most 8 KiB), answers, and closes.
 */

const MAX_HEAD = 8192;

export type HealthReply = { status: number; body: unknown };

export class HttpHealthConnection {
  #head = "";
  #done = false;
  constructor(
    private readonly respond: (path: string) => HealthReply,
    private readonly send: (bytes: string) => void,
    private readonly close: () => void,
  ) {}

  onData(chunk: Uint8Array): void {
    if (this.#done) return;
    this.#head += new TextDecoder().decode(chunk);
    if (this.#head.length > MAX_HEAD) return this.#reply(431, { error: "Request head too large" });
    const end = this.#head.indexOf("\r\n\r\n");
    if (end < 0) return;
    const [method, path] = this.#head.slice(0, this.#head.indexOf("\r\n")).split(" ");
    if (method !== "GET" && method !== "HEAD") {
      return this.#reply(405, { error: `Method ${method} not allowed` });
    }
    const { status, body } = this.respond(path ?? "/");
    this.#reply(status, body);
  }

  #reply(status: number, body: unknown): void {
    this.#done = true;
    const json = JSON.stringify(body);
    const len = new TextEncoder().encode(json).length;
    this.send(
      `HTTP/1.1 ${status} ${status === 200 ? "OK" : "Error"}\r\ncontent-type: application/json\r\n` +
        `content-length: ${len}\r\nconnection: close\r\n\r\n${json}`,
    );
    this.close();
  }
}
