/**
 * Switches a module's serial link to 27.010: sends the +CMUX command in clear and waits for
 * its final result. The module answers OK at the old framing, then speaks only frames; the
 * bytes after the OK line (if any arrived in the same chunk) are returned for the decoder.
 * Deliberately not an AtClient: the AtClient owns its stream until it is closed, and this
 * exchange hands the stream over to the multiplexer half-way through a chunk.
 */
import type { Duplex } from 'node:stream';
import { AtError, AtTimeoutError, CmeError, ConnectionClosedError } from '../errors.js';
import { parseFinalResult } from '../result-codes.js';

export async function enterMux(transport: Duplex, command: string, timeoutMs: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    let received = Buffer.alloc(0);
    const lines: string[] = [];
    const done = (fn: () => void): void => {
      clearTimeout(timer);
      transport.off('data', onData);
      transport.off('close', onClose);
      transport.off('error', onClose);
      fn();
    };
    const onClose = (): void => done(() => reject(new ConnectionClosedError('link closed while entering CMUX mode', { command })));
    const timer = setTimeout(() => done(() => reject(new AtTimeoutError(command, timeoutMs, lines))), timeoutMs);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      for (;;) {
        const end = received.findIndex((b) => b === 0x0d || b === 0x0a);
        if (end < 0) return;
        const line = received.subarray(0, end).toString('latin1').trim();
        let next = end + 1;
        if (received[end] === 0x0d && received[next] === 0x0a) next++;
        received = received.subarray(next);
        if (line === '' || line.toUpperCase() === command.toUpperCase()) continue; // blank or echo
        const final = parseFinalResult(line, false);
        if (!final) {
          lines.push(line);
          continue;
        }
        const response = [...lines, line];
        if (final.kind === 'success' && final.final === 'OK') return done(() => resolve(Buffer.from(received)));
        if (final.kind === 'cme') return done(() => reject(new CmeError(command, response, final.errorKind, final.code, final.text)));
        return done(() => reject(new AtError(command, response, undefined, { final: line })));
      }
    };
    transport.on('data', onData);
    transport.once('close', onClose);
    transport.once('error', onClose);
    transport.write(`${command}\r`);
  });
}
