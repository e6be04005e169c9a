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
}

export const saraR5Sockets: SocketTable = { count: 7, maxWrite: 1024, maxWriteHex: 512, maxRead: 1024, maxReadHex: 512 };

export const saraR4Sockets: SocketTable = { count: 7, maxWrite: 1024, maxWriteHex: 512, maxRead: 1024, maxReadHex: 512 };
