import type { Duplex } from 'node:stream';
import { PipeBase } from './byte-pipe.js';
import { PortFlow } from './port-flow.js';

/**
 * A transport's stream (a TCP socket, the PTY bridge, an in-process pair) as the bottom
 * pipe of a link stack. The stream's end, close or error closes the pipe; closing the pipe
 * stops listening and leaves the stream to its owner (the transport decides whether a
 * detached module ends the connection). Its `flow` says when the stream stops draining:
 * the layers above then stop producing, so a client that does not read never makes the
 * process buffer without limit.
 */
export class StreamPipe extends PipeBase {
  readonly flow: PortFlow;

  constructor(
    private readonly stream: Duplex,
    name: string,
  ) {
    super(name);
    this.flow = new PortFlow(
      () => (this.stream.destroyed ? 0 : this.stream.writableLength),
      () => this.stream.destroy(),
    );
    stream.on('data', this.onData);
    stream.on('close', this.onGone);
    stream.on('end', this.onGone);
    stream.on('error', this.onGone);
  }

  write(bytes: Buffer): void {
    if (!this.isOpen || this.stream.destroyed || !this.stream.writable) return;
    if (this.stream.write(bytes) || this.flow.blocked) return;
    this.flow.block();
    this.stream.once('drain', this.onDrain);
  }

  /** Stops (or resumes) reading the stream: its client's writes back up (a paced line's wire is full). */
  pauseInput(paused: boolean): void {
    if (this.stream.destroyed) return;
    if (paused) this.stream.pause();
    else this.stream.resume();
  }

  override close(): void {
    this.stream.off('data', this.onData);
    this.stream.off('close', this.onGone);
    this.stream.off('end', this.onGone);
    this.stream.off('error', this.onGone);
    this.stream.off('drain', this.onDrain);
    this.shut();
  }

  private readonly onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    this.deliver(bytes);
  };

  private readonly onDrain = (): void => this.flow.release();

  private readonly onGone = (): void => this.close();
}
