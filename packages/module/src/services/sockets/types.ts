import type { NegotiatedTls } from '../tls/tls-service.js';
import type { SocketErrno, SocketError } from '../net/errors.js';

export type SocketProtocol = 'tcp' | 'udp';

/** TCP states a socket reports (RFC 793 names; UDP sockets are always 'inactive'). */
export type SocketState = 'inactive' | 'listen' | 'syn-sent' | 'established' | 'fin-wait-1' | 'close-wait';

export interface SocketAddress {
  address: string;
  port: number;
}

export interface SocketInfo {
  id: number;
  protocol: SocketProtocol;
  state: SocketState;
  secure: boolean;
  profileId: number;
  /** The connected peer (TCP), or the default destination set by connect (UDP). */
  peer?: SocketAddress;
  /** Payload bytes handed to the network / received from it over the socket's life. */
  bytesSent: number;
  bytesReceived: number;
  /** Bytes written but still queued in the module (not yet taken by the network stack). */
  unsent: number;
  unread: number;
  lastError?: SocketErrno;
}

export interface TlsConnectionInfo extends NegotiatedTls {
  /** DER of the session, to resume it on a later connection (SecureConnectRequest.session). */
  session?: Buffer;
}

/** What the lab console shows of a TLS peer's certificate. */
export interface PeerCertificate {
  subject: string;
  issuer: string;
  validTo: string;
  fingerprint256: string;
}

export interface Datagram extends SocketAddress {
  data: Buffer;
}

export interface SocketDataEvent {
  id: number;
  protocol: SocketProtocol;
  /** Unread bytes now (all datagrams for UDP). */
  unread: number;
  /** Bytes that arrived (the datagram's length for UDP); 0 after a partial read. */
  length: number;
  /** 'arrival': data reached an empty TCP buffer, or any datagram arrived; 'partial-read': a read left bytes behind. */
  cause: 'arrival' | 'partial-read';
}

export interface IncomingConnection {
  id: number;
  listener: number;
  remote: SocketAddress;
  /** The module's address and the listening port. */
  local: SocketAddress;
}

export type CloseCause = 'remote' | 'reset' | 'network' | 'local';

/** How a socket ended without the module closing it. */
export type Ended = Exclude<CloseCause, 'local'>;

export interface SocketEvents {
  data: [SocketDataEvent];
  /** The socket is gone: the peer closed or reset it, the network dropped, or an asynchronous close finished. */
  closed: [{ id: number; cause: CloseCause }];
  /** Result of startConnect(); error undefined means connected. */
  'connect-result': [{ id: number; error?: SocketError }];
  incoming: [IncomingConnection];
}
