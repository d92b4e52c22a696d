/** The ETConnector: keeps tunnels to relays and pipes their streams to the relayed listener. */
export { Connector, type ConnectorOptions, type TunnelStatus } from "./connector.ts";
export { CloudRequestError, fetchRelayOffers } from "./cloud.ts";
export { AttachError, currentTotp, openTunnel, type SourcedTarget } from "./tunnel.ts";
export { StreamSources } from "./sources.ts";
