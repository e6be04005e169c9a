/**
 * 27.010 CMUX, basic option, module side (the responder): one pipe below (the port), one
 * pipe per DLCI above. DLCI 1 is the pipe the terminal that ran +CMUX keeps speaking; each
 * further DLCI the host opens gets a new AT terminal of the module (`host.openTerminal`),
 * with its own settings.
 *
 * - DLCI 0 (control): SABM -> UA. A channel's SABM -> UA, then an MSC command with the
 *   module's signals (RTC, RTR, DV; 27.010 5.4.6.3.7 wants MSC before data); before DLCI 0
 *   is open, or beyond the mux table -> DM. DISC on a channel -> UA, the channel stops carrying data
 *   (its terminal stays, a new SABM resumes it). CLD, or DISC on DLCI 0 -> answered, then the
 *   layer pops itself: the port speaks plain AT again to the terminal of DLCI 1.
 * - Control messages: MSC, Test, PSC, FCon/FCoff, PN, RPN answered as 27.010 says; an unknown
 *   command gets NSC. UIH data goes to its channel's terminal.
 * - Bad frames (FCS, truncated, oversize, bad header) are dropped and counted by the
 *   decoder; frames for a DLCI that is not open, and undecodable control messages, are
 *   dropped and counted here. Nothing a host sends throws.
 */
import {
  CmuxDecoder,
  crBit,
  decodeControl,
  decodeMsc,
  encodeControl,
  encodeMsc,
  encodeFrame,
  encodeUih,
  type CmuxFrame,
  type ControlMessage,
  type FrameTypeName,
} from '@modemlab/at';
import { pipePair, type BytePipe, type PipeEnd } from './byte-pipe.js';
import type { LayerHost, LinkLayer, LinkStack } from './link-stack.js';

export interface CmuxLayerOptions {
  /** Highest DLCI that is an AT channel (the model's mux table). */
  maxDlci: number;
  /** Largest information field, both ways (the N1 of +CMUX). */
  n1: number;
}

export interface CmuxLayerStats {
  /** Frames for a DLCI that is not open (dropped). */
  unknownDlci: number;
  /** Control-channel payloads that did not decode (dropped). */
  badControl: number;
  /** Output bytes a channel could not hold while closed or flow-controlled (oldest dropped). */
  heldDropped: number;
}

/** Output a channel keeps while the host cannot take it (no SABM yet, DISC, MSC FC): a UART FIFO's worth. */
export const CMUX_HOLD_LIMIT = 64 * 1024;

interface Channel {
  /** The layer's end of the channel's pipe pair; the terminal speaks the other end. */
  inner: PipeEnd;
  /** SABM seen and no DISC since: frames flow. */
  connected: boolean;
  /** Output waiting for SABM or for the host's flow control (MSC FC bit) to clear. */
  held: Buffer[];
  heldBytes: number;
  stopped: boolean;
}

export class CmuxLayer implements LinkLayer {
  readonly name = 'cmux';
  readonly stats: CmuxLayerStats = { unknownDlci: 0, badControl: 0, heldDropped: 0 };
  private readonly decoder: CmuxDecoder;
  private readonly channels = new Map<number, Channel>();
  private lower?: BytePipe;
  private host?: LayerHost;
  private stack?: LinkStack;
  private controlOpen = false;
  private closed = false;
  /** Closed by the host (CLD, DISC on DLCI 0), as opposed to the stack closing. */
  private closedDown = false;

  constructor(private readonly options: CmuxLayerOptions) {
    this.decoder = new CmuxDecoder((frame) => this.onFrame(frame), {
      maxLength: options.n1,
      onDrop: (reason) => this.host?.log(`cmux: dropped a frame (${reason})`, this.decoder.stats.dropped),
    });
  }

  /** The decoder's counters: frames, drops by reason, noise bytes. */
  get decoderStats(): CmuxDecoder['stats'] {
    return this.decoder.stats;
  }

  open(lower: BytePipe, host: LayerHost, stack: LinkStack): BytePipe {
    this.lower = lower;
    this.host = host;
    this.stack = stack;
    lower.attach({ data: (bytes) => this.receive(bytes), close: () => this.shutChannels() });
    const [upper, inner] = pipePair('cmux/dlci1');
    this.addChannel(1, inner);
    return upper;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.lower?.detach();
    this.shutChannels();
  }

  // ---- frames from the host -----------------------------------------------------------

  private receive(bytes: Buffer): void {
    this.decoder.push(bytes);
    if (!this.closedDown) return;
    // Bytes right behind the CLD are plain AT for the terminal the stack is bound to again.
    const rest = this.decoder.takeRest();
    if (rest.length > 0) this.stack?.top.inject(rest);
  }

  private onFrame(frame: CmuxFrame): void {
    if (this.closed) return;
    const { dlci } = frame;
    switch (frame.type) {
      case 'SABM':
        return this.onSabm(dlci);
      case 'DISC':
        return this.onDisc(dlci);
      case 'UIH':
      case 'UI':
        if (dlci === 0) return this.controlOpen ? this.onControl(frame.data) : this.dropUnknown(0);
        return this.onData(dlci, frame.data);
      case 'UA':
      case 'DM':
        // The module never sends a command that expects these: nothing to match.
        return;
    }
  }

  private onSabm(dlci: number): void {
    if (dlci === 0) {
      this.controlOpen = true;
      return this.send(0, 'UA');
    }
    if (!this.controlOpen || dlci > this.options.maxDlci) return this.send(dlci, 'DM');
    let channel = this.channels.get(dlci);
    if (!channel) {
      const [upper, inner] = pipePair(`cmux/dlci${dlci}`);
      channel = this.addChannel(dlci, inner);
      this.host!.openTerminal(upper);
    }
    channel.connected = true;
    this.send(dlci, 'UA');
    // The module's own V.24 signals on the new channel, as real modules send them: some host
    // muxers (gsm0710muxd) send no data until they have seen them.
    this.sendControl(encodeControl('MSC', true, encodeMsc({ dlci, signals: { fc: false, rtc: true, rtr: true, ic: false, dv: true } })));
    this.flush(dlci, channel);
  }

  private onDisc(dlci: number): void {
    if (dlci === 0) {
      // DISC on the control channel closes the multiplexer, like CLD (27.010 5.8.2).
      this.send(0, 'UA');
      return this.closeDown();
    }
    const channel = this.channels.get(dlci);
    if (!channel?.connected) return this.send(dlci, 'DM');
    channel.connected = false;
    this.send(dlci, 'UA');
  }

  private onData(dlci: number, data: Buffer): void {
    const channel = this.channels.get(dlci);
    if (!channel?.connected) return this.dropUnknown(dlci);
    channel.inner.write(data);
  }

  private onControl(payload: Buffer): void {
    let messages: ControlMessage[];
    try {
      messages = decodeControl(payload);
    } catch {
      return this.dropBadControl();
    }
    for (const m of messages) {
      if (!m.command) continue; // responses to commands this side never sends
      switch (m.type) {
        case 'MSC':
          this.onMsc(m.value);
          break;
        case 'CLD':
          this.sendControl(encodeControl('CLD', false));
          this.closeDown();
          return;
        case 'TEST':
        case 'PSC':
        case 'FCON':
        case 'FCOFF':
        case 'PN':
        case 'RPN':
          // Accepted as asked: the response carries the command's value back.
          this.sendControl(encodeControl(m.type, false, m.value));
          break;
        default:
          this.sendControl(encodeControl('NSC', false, Buffer.from([m.typeOctet])));
      }
    }
  }

  private onMsc(value: Buffer): void {
    let msc;
    try {
      msc = decodeMsc(value);
    } catch {
      return this.dropBadControl();
    }
    this.sendControl(encodeControl('MSC', false, value));
    const channel = this.channels.get(msc.dlci);
    if (!channel) return;
    channel.stopped = msc.signals.fc;
    if (!channel.stopped) this.flush(msc.dlci, channel);
  }

  private dropUnknown(dlci: number): void {
    this.stats.unknownDlci++;
    this.host?.log(`cmux: dropped a frame for DLCI ${dlci}, which is not open`, this.stats);
  }

  private dropBadControl(): void {
    this.stats.badControl++;
    this.host?.log('cmux: dropped an undecodable control message', this.stats);
  }

  // ---- towards the host ----------------------------------------------------------------

  private addChannel(dlci: number, inner: PipeEnd): Channel {
    const channel: Channel = { inner, connected: false, held: [], heldBytes: 0, stopped: false };
    this.channels.set(dlci, channel);
    inner.attach({
      data: (bytes) => this.channelOutput(dlci, channel, bytes),
      close: () => this.channels.delete(dlci),
    });
    return channel;
  }

  /**
   * What a channel's terminal writes. Before the host's SABM (or after its DISC), and while
   * the host holds the channel with MSC FC, output waits: a URC is not lost.
   */
  private channelOutput(dlci: number, channel: Channel, bytes: Buffer): void {
    if (this.closed) return;
    if (!channel.connected || channel.stopped) {
      channel.held.push(Buffer.from(bytes));
      channel.heldBytes += bytes.length;
      let dropped = 0;
      while (channel.heldBytes > CMUX_HOLD_LIMIT) {
        const oldest = channel.held.shift()!;
        channel.heldBytes -= oldest.length;
        dropped += oldest.length;
      }
      if (dropped > 0) {
        this.stats.heldDropped += dropped;
        this.host?.log(`cmux: DLCI ${dlci} output dropped while the host could not take it (${dropped} bytes)`, this.stats);
      }
      return;
    }
    this.lower?.write(encodeUih(dlci, bytes, { cr: crBit('responder', 'UIH'), n1: this.options.n1 }));
  }

  private flush(dlci: number, channel: Channel): void {
    const held = channel.held;
    channel.held = [];
    channel.heldBytes = 0;
    for (const b of held) this.channelOutput(dlci, channel, b);
  }

  private send(dlci: number, type: FrameTypeName): void {
    this.lower?.write(encodeFrame({ dlci, type, cr: crBit('responder', type), pf: true, data: Buffer.alloc(0) }));
  }

  private sendControl(payload: Buffer): void {
    this.lower?.write(encodeUih(0, payload, { cr: crBit('responder', 'UIH'), n1: Math.max(this.options.n1, payload.length) }));
  }

  /** CLD: back to plain AT on the port, the terminal of DLCI 1 speaks it again. */
  private closeDown(): void {
    this.closedDown = true;
    this.decoder.stop();
    this.stack?.remove(this);
  }

  /** Ends every channel except DLCI 1 (whose terminal returns to the port). */
  private shutChannels(): void {
    for (const [dlci, channel] of [...this.channels]) {
      if (dlci !== 1) channel.inner.close();
    }
    this.channels.clear();
  }
}
