/** `openMux`: plain AT link in, N channel streams out. */
import type { Duplex } from 'node:stream';
import { CmuxHost, type CmuxHostOptions } from './cmux-host.js';
import { enterMux } from './enter-mux.js';
import type { MuxChannel } from './mux-channel.js';

export interface MuxOptions extends CmuxHostOptions {
  /** Channels to open: DLCI 1..channels. */
  channels: number;
  /**
   * The command that starts the mux. Default `AT+CMUX=0` (basic option, UIH, the module's
   * default N1), or `AT+CMUX=0,0,,<n1>` when `n1` is given, as u-blox and Telit spell it.
   */
  command?: string;
}

export interface OpenedMux {
  host: CmuxHost;
  /** Channel streams, DLCI 1 first. */
  channels: MuxChannel[];
}

/**
 * Sends the +CMUX command on `transport` (plain AT), then opens DLCI 0 and DLCI 1..N.
 * On failure, what was opened is closed (CLD) and the error is rethrown; the transport stays
 * the caller's.
 */
export async function openMux(transport: Duplex, opts: MuxOptions): Promise<OpenedMux> {
  if (!Number.isInteger(opts.channels) || opts.channels < 1 || opts.channels > 61) {
    throw new RangeError(`mux channels must be 1..61, got ${opts.channels}`);
  }
  const command = opts.command ?? (opts.n1 === undefined ? 'AT+CMUX=0' : `AT+CMUX=0,0,,${opts.n1}`);
  const early = await enterMux(transport, command, opts.timeoutMs ?? 5_000);
  const host = new CmuxHost(transport, opts);
  host.receive(early);
  const channels: MuxChannel[] = [];
  try {
    await host.start();
    for (let dlci = 1; dlci <= opts.channels; dlci++) channels.push(await host.openChannel(dlci));
  } catch (error) {
    await host.close();
    throw error;
  }
  return { host, channels };
}
