import type { AtClient } from '../../at-client.js';
import { AtError, UrcError } from '../../errors.js';
import { parseInfoLine } from '../../params.js';
import type { SocketBackend } from '../../socket/modem-socket.js';
import { matchesPrefix } from '../../urc-prefix.js';

/** Hex data format: at most 730 bytes per +QSSLSEND (seed 004 §2.2.3). */
export const QUECTEL_MAX_HEX_SEND = 730;

/** `+QSSLSEND` as documented, `+QSSSEND` as the seed's example spells it. */
export const QSSLSEND_PREFIXES = ['+QSSLSEND', '+QSSSEND'] as const;

/**
 * One BC66 SSL connection with dataformat 1,1 (hex both ways, so every byte value
 * crosses): writes are `+QSSLSEND=<ctx>,<conn>,<n>` then 2n hex digits, confirmed by
 * `+QSSLSEND: <ctx>,<conn>,<err>`; data arrives pushed in `+QSSLURC: "recv"` URCs and the
 * close in `+QSSLURC: "closed"`.
 */
export class QuectelSocketBackend implements SocketBackend {
  readonly maxWrite = QUECTEL_MAX_HEX_SEND;
  readonly maxRead = 0;
  private readonly unsubscribe: Array<() => void> = [];
  private closed = false;
  private dataListener?: (data: Buffer) => void;
  private closeListener?: () => void;

  constructor(
    private readonly client: AtClient,
    readonly contextId: number,
    readonly connectId: number,
    /** The connection's <timeout> (+QSSLCFG "timeout"), which bounds a send. */
    private readonly timeoutMs: number,
  ) {
    this.unsubscribe.push(
      client.onUrc('+QSSLURC', (line) => {
        const p = parseInfoLine(line).params;
        if (Number(p[1]) !== this.contextId || Number(p[2]) !== this.connectId) return;
        if (p[0] === 'recv') {
          const length = Number(p[3]);
          const data = Buffer.from(p[4] ?? '', 'hex');
          if (data.length !== length) {
            this.onProtocolError?.(new UrcError('+QSSLURC "recv"', line, undefined));
            return;
          }
          this.dataListener?.(data);
        } else if (p[0] === 'closed') {
          this.closed = true;
          this.closeListener?.();
        }
      }),
    );
  }

  /** Set by the driver: a URC that breaks the documented grammar. */
  onProtocolError?: (error: Error) => void;

  async write(data: Buffer): Promise<void> {
    const command = `AT+QSSLSEND=${this.contextId},${this.connectId},${data.length}`;
    const stop = new AbortController();
    const result = this.client.watchUrcs(
      QSSLSEND_PREFIXES,
      { timeoutMs: this.timeoutMs + 10_000, signal: stop.signal, description: `${command} result` },
      (line) => {
        const p = parseInfoLine(line).params;
        if (Number(p[0]) !== this.contextId || Number(p[1]) !== this.connectId) return undefined;
        const err = Number(p[2]);
        if (err !== 0) throw new UrcError(command, line, err);
        return true;
      },
    );
    result.catch(() => {});
    try {
      await this.client.send(command, { prompt: { data: data.toString('hex').toUpperCase(), char: '>' }, expectPrefix: null, timeoutMs: this.timeoutMs + 10_000 });
      await result;
    } finally {
      stop.abort();
    }
  }

  read(): Promise<Buffer> {
    return Promise.reject(new AtError('+QSSLURC', [], 'the BC66 pushes received data; there is no read command'));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeConnection(this.client, this.contextId, this.connectId).catch(() => {});
  }

  onAvailable(): void {}

  onData(listener: (data: Buffer) => void): void {
    this.dataListener = listener;
  }

  onRemoteClose(listener: () => void): void {
    this.closeListener = listener;
  }

  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }
}

/** `+QSSLCLOSE=<ctx>,<conn>` -> OK, then `+QSSLCLOSE: <ctx>,<conn>,<err>`. */
export async function closeConnection(client: AtClient, contextId: number, connectId: number, timeoutMs = 10_000): Promise<void> {
  const command = `AT+QSSLCLOSE=${contextId},${connectId}`;
  const stop = new AbortController();
  const done = client.watchUrcs(['+QSSLCLOSE'], { timeoutMs, signal: stop.signal, description: `${command} result` }, (line) => {
    const p = parseInfoLine(line).params;
    if (!matchesPrefix(line, '+QSSLCLOSE') || Number(p[0]) !== contextId || Number(p[1]) !== connectId) return undefined;
    if (Number(p[2]) !== 0) throw new UrcError(command, line, Number(p[2]));
    return true;
  });
  done.catch(() => {});
  try {
    await client.send(command, { expectPrefix: null, timeoutMs });
    await done;
  } finally {
    stop.abort();
  }
}
