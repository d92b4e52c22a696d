/**
 * Browser addresses of relayed connections. With source headers on (PROTOCOL.md §5), the
 * connector reads each stream's header, connects to the relayed listener over loopback TCP and
 * records the browser's address under the local port of that connection; the web layer looks up
 * a request's peer port here (`clientAddress`). Entries live exactly as long as the connection.
 */
export class StreamSources {
  readonly #byPort = new Map<number, string>();

  set(port: number, address: string): void {
    this.#byPort.set(port, address);
  }

  delete(port: number): void {
    this.#byPort.delete(port);
  }

  /** The browser's address behind the connection from local port `port`, if it is a relayed one. */
  get(port: number): string | undefined {
    return this.#byPort.get(port);
  }

  get size(): number {
    return this.#byPort.size;
  }
}
