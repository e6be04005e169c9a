/** What a product's socket service offers. */
export interface SocketTable {
  /** Sockets 0..count-1. */
  count: number;
  /** Largest payload of one write (+USOWR/+USOST) in bytes, and in hex mode. */
  maxWrite: number;
  maxWriteHex: number;
  /** Largest read (+USORD/+USORF). */
  maxRead: number;
  maxReadHex: number;
  /**
   * Bytes one TCP socket keeps unread before the module stops reading from the network
   * (the peer then sees a closed window, as with a real module's receive buffer).
   */
  rxBuffer: number;
  /** Bytes one TCP socket queues toward a slow peer before writes fail with EWOULDBLOCK. */
  txBuffer: number;
  /** Datagrams one UDP socket keeps unread; more are dropped, as a full UDP queue drops them. */
  maxDatagrams: number;
  /** A connect (TCP handshake plus TLS handshake) gives up after this long with ETIMEDOUT. */
  connectTimeoutMs: number;
  /** A close waits this long for queued data to leave before it resets the connection (TCP linger). */
  closeTimeoutMs: number;
}

/**
 * Buffer sizes are not published for SARA modules; these are the lab's choice: 8 KiB of
 * unread data and 8 KiB of queued output per socket, 16 unread datagrams. The connect and
 * close limits follow the manuals' "< 120 s" response times.
 */
const SARA_BUFFERS = { rxBuffer: 8192, txBuffer: 8192, maxDatagrams: 16, connectTimeoutMs: 120_000, closeTimeoutMs: 120_000 };

export const saraR5Sockets: SocketTable = { count: 7, maxWrite: 1024, maxWriteHex: 512, maxRead: 1024, maxReadHex: 512, ...SARA_BUFFERS };

export const saraR4Sockets: SocketTable = { count: 7, maxWrite: 1024, maxWriteHex: 512, maxRead: 1024, maxReadHex: 512, ...SARA_BUFFERS };
