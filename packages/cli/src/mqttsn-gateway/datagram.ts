/**
 * The one shape the gateway needs from its network side: datagrams in and out per peer. UDP
 * (udp.ts) implements it; a DTLS server would too (see docs/architecture.md, "MQTT-SN gateway").
 */
export interface DatagramEndpoint {
  /** Called once per received datagram; `peer` is an opaque, stable key (e.g. "127.0.0.1:5000"). */
  onMessage(handler: (peer: string, data: Buffer) => void): void;
  send(peer: string, data: Buffer): void;
  close(): Promise<void>;
  /** What the ready line prints, e.g. "udp 127.0.0.1:10000". */
  readonly description: string;
}
