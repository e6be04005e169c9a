import type { EventEmitter } from 'node:events';
import type { Clock } from '@modemlab/at';
import { CertDtlsSession } from './dtls/client.js';
import { DTLS_PSK_SUITES } from './dtls/suites.js';

export interface DtlsPskRequest {
  host: string;
  port: number;
  identity: string;
  key: Buffer;
  /** IANA names of PSK suites to offer (DTLS_PSK_SUITES); all of them when omitted. */
  ciphers?: string[];
  /** The module clock: flight retransmission (RFC 6347 §4.2.4) runs on it. */
  clock: Clock;
  /** Abandons the handshake (the caller's handshake timer, a closed socket). */
  signal?: AbortSignal;
}

export interface DtlsEvents {
  message: [Buffer];
  close: [];
  error: [Error];
}

/** A DTLS 1.2 session as the sockets, CoAP and MQTT-SN see it: PSK or certificates, both on dtls/client.ts. */
export interface DtlsSession extends EventEmitter<DtlsEvents> {
  send(data: Buffer): Promise<void>;
  close(): void;
}

/**
 * A DTLS 1.2 session with a pre-shared key over UDP, on the module's own client (dtls/client.ts):
 * TLS_PSK_WITH_AES_128_GCM_SHA256, _AES_256_GCM_SHA384 and _AES_128_CCM_8 (docs/dtls-certificates.md).
 * Rejects with an Error (unknown suite name, failed or abandoned handshake).
 */
export async function openPskDtls(req: DtlsPskRequest): Promise<DtlsSession> {
  const suites = req.ciphers
    ? req.ciphers.map((name) => {
        const suite = DTLS_PSK_SUITES.find((s) => s.name === name);
        if (!suite) throw new Error(`PSK DTLS suite ${name} is not supported`);
        return suite.code;
      })
    : DTLS_PSK_SUITES.map((s) => s.code);
  return CertDtlsSession.open(
    { host: req.host, port: req.port, suites, psk: { identity: Buffer.from(req.identity, 'latin1'), key: req.key }, clock: req.clock },
    req.signal,
  );
}
