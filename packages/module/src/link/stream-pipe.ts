import type { Duplex } from 'node:stream';
import { PipeBase } from './byte-pipe.js';

/**
 * A transport's stream (a TCP socket, the PTY bridge, an in-process pair) as the bottom
 * pipe of a link stack. The stream's end, close or error closes the pipe; closing the pipe
 * stops listening and leaves the stream to its owner (the transport decides whether a
 * detached module ends the connection).
 */
export class StreamPipe extends PipeBase {
  constructor(
    private readonly stream: Duplex,
    name: string,
  ) {
    super(name);
    stream.on('data', this.onData);
    stream.on('close', this.onGone);
    stream.on('end', this.onGone);
    stream.on('error', this.onGone);
  }

  write(bytes: Buffer): void {
    if (!this.isOpen || this.stream.destroyed || !this.stream.writable) return;
    this.stream.write(bytes);
  }

  override close(): void {
    this.stream.off('data', this.onData);
    this.stream.off('close', this.onGone);
    this.stream.off('end', this.onGone);
    this.stream.off('error', this.onGone);
    this.shut();
  }

  private readonly onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    this.deliver(bytes);
  };

  private readonly onGone = (): void => this.close();
}
