import { EventEmitter } from 'node:events';
// Types only: the library (about a fifth of the module's load time) is imported by the first DTLS session.
import type { dtls } from 'node-dtls-client';

export interface DtlsPskRequest {
  host: string;
  port: number;
  identity: string;
  key: Buffer;
  /** IANA names of PSK suites to offer; all the library supports when omitted. */
  ciphers?: string[];
  timeoutMs: number;
  /** Abandons the handshake (the caller's own inactivity timer, a closed socket). */
  signal?: AbortSignal;
}

export interface DtlsEvents {
  message: [Buffer];
  close: [];
  error: [Error];
}

/** A DTLS 1.2 session as the sockets, CoAP and MQTT-SN see it: PSK (this file) or certificates (dtls/). */
export interface DtlsSession extends EventEmitter<DtlsEvents> {
  send(data: Buffer): Promise<void>;
  close(): void;
}

/**
 * A DTLS 1.2 session with a pre-shared key over UDP. node-dtls-client does the protocol
 * (PSK suites only: CCM_8, CBC, GCM). Certificate DTLS runs on the module's own client
 * (dtls/client.ts): no Node library did it with OpenSSL 3 peers.
 */
export class PskDtlsSession extends EventEmitter<DtlsEvents> {
  private closed = false;

  private constructor(private readonly socket: dtls.Socket) {
    super();
    socket.on('message', (msg: Buffer) => this.emit('message', Buffer.from(msg)));
    socket.on('close', () => this.finish());
    socket.on('error', (err: Error) => {
      this.emit('error', err);
      this.finish();
    });
  }

  static async open(req: DtlsPskRequest): Promise<PskDtlsSession> {
    const lib = (await import('node-dtls-client')).dtls;
    return new Promise((resolve, reject) => {
      let settled = false;
      const socket = lib.createSocket({
        type: 'udp4',
        address: req.host,
        port: req.port,
        psk: { [req.identity]: req.key },
        timeout: req.timeoutMs,
        ...(req.ciphers ? { ciphers: req.ciphers as NonNullable<dtls.Options['ciphers']> } : {}),
      });
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        // close() would leave the library's handshake timer running (it keeps the process
        // alive for up to timeoutMs); its killConnection() clears it and closes the UDP socket.
        (socket as unknown as { killConnection(): void }).killConnection();
        reject(err);
      };
      if (req.signal?.aborted) return fail(new Error('DTLS handshake abandoned'));
      req.signal?.addEventListener('abort', () => fail(new Error('DTLS handshake abandoned')), { once: true });
      socket.once('error', fail);
      socket.once('close', () => fail(new Error('DTLS handshake failed')));
      socket.once('connected', () => {
        if (settled) return;
        settled = true;
        socket.removeListener('error', fail);
        socket.removeAllListeners('close');
        resolve(new PskDtlsSession(socket));
      });
    });
  }

  send(data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('DTLS session closed'));
      this.socket.send(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): void {
    if (this.closed) return;
    try {
      this.socket.close();
    } catch {
      // already closed
    }
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}
