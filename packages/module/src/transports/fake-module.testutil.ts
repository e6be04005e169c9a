import type { Duplex } from 'node:stream';
import type { UartAttachable } from './types.js';

/**
 * Test double for a VirtualModule's attach(): 'at' answers `\r\nOK\r\n` to every line ending
 * in CR (and echoes nothing); 'echo' writes back every byte it receives.
 */
export class FakeModule implements UartAttachable {
  readonly modelId = 'fake';
  attached = 0;
  detached = 0;
  current: Duplex | undefined;

  constructor(readonly mode: 'at' | 'echo' = 'at') {}

  attach(stream: Duplex): () => void {
    this.attached++;
    this.current = stream;
    let line = '';
    const onData = (chunk: Buffer): void => {
      if (this.mode === 'echo') {
        stream.write(chunk);
        return;
      }
      line += chunk.toString('latin1');
      let i: number;
      while ((i = line.indexOf('\r')) >= 0) {
        const cmd = line.slice(0, i).trim();
        line = line.slice(i + 1);
        stream.write(cmd.toUpperCase() === 'AT' ? '\r\nOK\r\n' : '\r\nERROR\r\n');
      }
    };
    stream.on('data', onData);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.detached++;
      stream.off('data', onData);
      if (this.current === stream) this.current = undefined;
    };
  }

  async close(): Promise<void> {}
}

/** Collects data from a readable until `predicate(all)` is true; rejects after `ms`. */
export function readUntil(
  stream: NodeJS.ReadableStream,
  predicate: (all: Buffer) => boolean,
  ms = 3000,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const check = (): void => {
      const all = Buffer.concat(parts);
      if (predicate(all)) {
        cleanup();
        resolve(all);
      }
    };
    const onData = (c: Buffer | string): void => {
      parts.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : c);
      check();
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error(`stream ended; got ${JSON.stringify(Buffer.concat(parts).toString('latin1'))}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timeout; got ${JSON.stringify(Buffer.concat(parts).toString('latin1'))}`));
    }, ms);
    const cleanup = (): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
  });
}

export const includes = (s: string) => (all: Buffer): boolean => all.toString('latin1').includes(s);
