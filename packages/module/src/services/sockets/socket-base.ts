import type { Socket } from 'node:net';
import type { Clock } from '@modemlab/at';
import type { DataPipe, PipeReceiver } from '../../link/byte-pipe.js';
import type { SocketTable } from '../../models/socket-table.js';
import type { Dialer } from '../net/dialer.js';
import type { SocketErrno, SocketError } from '../net/errors.js';
import { optionMismatch, SocketOptions, type SocketOption } from './options.js';
import type { Ended, SocketAddress, SocketEvents, SocketInfo, SocketProtocol, SocketState } from './types.js';

/** What a socket needs of the service that owns it. */
export interface SocketHost {
  readonly table: SocketTable;
  readonly dialer: Dialer;
  readonly clock: Clock;
  /** Local address for listening and bound sockets; all interfaces when undefined. */
  readonly bindAddress?: string;
  /** Records `errno` as the socket's (if any) and the module's last error. */
  record(s: ModuleSocket | undefined, errno: SocketErrno): void;
  /** Records and returns the error. */
  err(s: ModuleSocket | undefined, errno: SocketErrno, message?: string): SocketError;
  /** Any error as the caller should see it: a recorded SocketError, or the data path's ServiceError. */
  failure(s: ModuleSocket | undefined, err: unknown): Error;
  emit<K extends keyof SocketEvents>(event: K, ...args: SocketEvents[K]): boolean;
  /** The socket is released: its id is free again. */
  forget(s: ModuleSocket): void;
  /** Throws (recording ENETDOWN) unless traffic can leave the module now. */
  requireDataPath(s?: ModuleSocket): number;
  /** A listening socket got a connection: it becomes a socket of its own. */
  accept(listener: ModuleSocket, sock: Socket): void;
}

export type Phase = 'idle' | 'connecting' | 'open' | 'listening';

/**
 * What every socket of the module shares: its id and context, security setting, life
 * cycle (idle → connecting → open, or listening; ended by the peer or the network; closing
 * by the host; released), counters, options and the online-mode sink. TCP, UDP and their
 * listening forms build on it.
 */
export abstract class ModuleSocket {
  abstract readonly protocol: SocketProtocol;
  secure = false;
  profileId = 0;
  phase: Phase = 'idle';
  /** The peer or the network ended the socket; it is released once its data has been read. */
  ended?: Ended;
  closing = false;
  released = false;
  peer?: SocketAddress;
  bytesSent = 0;
  bytesReceived = 0;
  lastError?: SocketErrno;
  /** The online-mode sink that takes received bytes instead of the buffer. */
  sink?: PipeReceiver;

  constructor(
    protected readonly host: SocketHost,
    readonly id: number,
    /** The context whose counters this socket's bytes go to. */
    readonly cid: number,
    public localPort: number | undefined,
    readonly options: SocketOptions = new SocketOptions(),
  ) {}

  abstract unread(): number;
  abstract state(): SocketState;
  /** Bytes written but not yet taken by the network stack. */
  abstract unsent(): number;
  abstract connect(host: string, port: number): Promise<void>;
  /** Throws what a write would fail with now. */
  abstract checkWritable(): void;
  abstract write(data: Buffer): number;
  abstract read(max: number): Buffer;
  abstract listen(port: number): Promise<void>;
  abstract openPipe(): DataPipe;
  /** The context went down: the socket ends with ENETDOWN. */
  abstract networkLost(): void;
  /** Lets queued data leave before a close (up to the linger time). */
  abstract shutdown(): Promise<void>;
  /** Applies what node can apply of the options now. */
  protected abstract applyOptions(): void;
  /** Frees the socket's network resources and buffers. */
  protected abstract releaseResources(): void;

  info(): SocketInfo {
    return {
      id: this.id,
      protocol: this.protocol,
      state: this.state(),
      secure: this.secure,
      profileId: this.profileId,
      ...(this.peer ? { peer: { ...this.peer } } : {}),
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      unsent: this.unsent(),
      unread: this.unread(),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  setOption(option: SocketOption, value: readonly number[]): void {
    this.checkOption(option);
    this.options.set(option, value);
    this.applyOptions();
  }

  /**
   * Any option reads on any socket, as on a BSD stack (SO_BROADCAST of a TCP socket reads
   * 0): host libraries read the options of every socket they open. Setting one that does
   * not apply to the protocol is refused (setOption).
   */
  getOption(option: SocketOption): readonly number[] {
    return this.options.get(option);
  }

  /** Throws unless a connect may start now. */
  checkConnectable(): void {
    if (this.phase === 'connecting') throw this.host.err(this, 'EINPROGRESS');
    if (this.phase === 'listening') throw this.host.err(this, 'EINVAL', 'listening socket');
    if (this.closing || this.ended || (this.protocol === 'tcp' && this.phase === 'open')) throw this.host.err(this, 'EISCONN');
  }

  /** Stops everything and forgets the socket, silently. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.releaseResources();
    this.host.forget(this);
    const sink = this.sink;
    this.sink = undefined;
    sink?.close();
  }

  protected endSink(): void {
    const sink = this.sink;
    this.sink = undefined;
    sink?.close();
    this.finishIfDrained();
  }

  /** An ended socket whose data has all been read is released and announced. */
  finishIfDrained(): void {
    if (!this.ended || this.released || this.closing || this.unread() > 0) return;
    const cause = this.ended;
    this.release();
    this.host.emit('closed', { id: this.id, cause });
  }

  private checkOption(option: SocketOption): void {
    const mismatch = optionMismatch(this.protocol, option);
    if (mismatch) throw this.host.err(this, 'ENOPROTOOPT', mismatch);
  }
}
