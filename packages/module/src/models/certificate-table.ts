/** What a product's certificate manager (+USECMNG) accepts: counts, sizes, types, key sizes. */
export interface CertificateTable {
  /** +USECMNG <type> values: 0 CA, 1 client certificate, 2 private key, 3 server certificate, 4/5 where present. */
  types: number[];
  maxEntries: number;
  maxNameLength: number;
  maxDataSize: number;
  minRsaBits: number;
  minEcBits: number;
  /** Silence after which a stream import is aborted (+USECMNG op 0). */
  importGuardMs: number;
}

export const saraR5Certificates: CertificateTable = {
  types: [0, 1, 2, 3],
  maxEntries: 16,
  maxNameLength: 30,
  maxDataSize: 8192,
  minRsaBits: 2048,
  minEcBits: 192,
  importGuardMs: 20_000,
};

export const saraR4Certificates: CertificateTable = { ...saraR5Certificates };
