/** What RegCloud hands a booting user server for each alive relay (PROTOCOL.md §2). */
export interface RelayOffer {
  relayId: string;
  /** The relay's own name: the tunnel port's SNI and certificate. */
  hostName: string;
  /** `host:port` of the relay's TLS tunnel port. */
  tunnelAddress: string;
  /** One-time, bound to (server, relay), valid until `expiresAt` (Unix ms). */
  nonce: string;
  expiresAt: number;
}
