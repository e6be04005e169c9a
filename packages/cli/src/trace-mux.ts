/**
 * A port's bytes after AT+CMUX answered OK, read as 27.010 frames (X's codec in packages/at):
 * control frames and control-channel messages become lines (`[cmux] SABM dlci 0`,
 * `[cmux] MSC dlci 1 rtc rtr dv`), UIH data goes to the channel's own AT conversation, bad
 * frames are reported as dropped. The multiplexer ends with the close-down (CLD answered,
 * or DLCI 0 disconnected): the port speaks plain AT again.
 */
import { CmuxDecoder, decodeControl, decodeMsc, ControlDecodeError, type CmuxFrame, type ControlMessage, type TraceDirection } from '@modemlab/at';
import type { Conversation, ConversationEvent } from './trace-conversation.js';

/** The source name of a CMUX channel's conversation that was read from the frames on its port. */
export const FROM_FRAMES = 'cmux frames';

export interface MuxReaderHooks {
  /** A line about the multiplexer itself. */
  emit(e: ConversationEvent): void;
  /** Data of a channel (DLCI >= 1). */
  channel(dlci: number, dir: TraceDirection, bytes: Buffer, time: number): void;
  /** The close-down is done; `rest` is what followed it in the same chunk, plain AT again. */
  ended(dir: TraceDirection, rest: Buffer, time: number): void;
}

export class MuxReader {
  private readonly decoders: Record<TraceDirection, CmuxDecoder>;
  private time = 0;
  private ending = false;
  private done = false;

  constructor(private readonly hooks: MuxReaderHooks) {
    const decoder = (dir: TraceDirection): CmuxDecoder =>
      new CmuxDecoder((frame) => this.frame(dir, frame), {
        onDrop: (reason) => this.line(dir, `[cmux] dropped a frame (${reason})`),
      });
    this.decoders = { 'to-module': decoder('to-module'), 'from-module': decoder('from-module') };
  }

  push(dir: TraceDirection, bytes: Buffer, time: number): void {
    this.time = time;
    if (this.done) return;
    const decoder = this.decoders[dir];
    if (!this.ending) {
      decoder.push(bytes);
      return;
    }
    // Closing down: byte by byte, so that the plain AT after the last frame is not taken
    // for noise between frames.
    let consumed = 0;
    while (consumed < bytes.length && !this.done) decoder.push(bytes.subarray(consumed, ++consumed));
    if (this.done) this.hooks.ended(dir, bytes.subarray(consumed), time);
  }

  private frame(dir: TraceDirection, f: CmuxFrame): void {
    if (f.type === 'UIH' || f.type === 'UI') {
      if (f.dlci !== 0) return this.hooks.channel(f.dlci, dir, f.data, this.time);
      return this.control(dir, f.data);
    }
    this.line(dir, `[cmux] ${f.type} dlci ${f.dlci}`);
    if (f.dlci !== 0) return;
    // DLCI 0 disconnected: the multiplexer is closed (27.010 5.8.2).
    if (f.type === 'DISC' && dir === 'to-module') this.ending = true;
    if (this.ending && dir === 'from-module' && (f.type === 'UA' || f.type === 'DM')) this.done = true;
  }

  private control(dir: TraceDirection, payload: Buffer): void {
    let messages: ControlMessage[];
    try {
      messages = decodeControl(payload);
    } catch (err) {
      if (!(err instanceof ControlDecodeError)) throw err;
      return this.line(dir, `[cmux] bad control message (${err.message})`);
    }
    for (const m of messages) {
      const kind = m.command ? 'command' : 'response';
      const name = m.type ?? `type 0x${m.typeOctet.toString(16)}`;
      this.line(dir, `[cmux] ${name} ${kind}${this.detail(m)}`);
      if (m.type === 'CLD' && m.command && dir === 'to-module') this.ending = true;
      if (m.type === 'CLD' && !m.command && dir === 'from-module') this.done = true;
    }
  }

  private detail(m: ControlMessage): string {
    if (m.type === 'MSC') {
      try {
        const v = decodeMsc(m.value);
        const on = (Object.entries(v.signals) as Array<[string, boolean]>).filter(([, set]) => set).map(([name]) => name);
        return ` dlci ${v.dlci}${on.length ? ' ' + on.join(' ') : ''}`;
      } catch {
        return ' (bad value)';
      }
    }
    return m.value.length > 0 ? ` ${m.value.toString('hex')}` : '';
  }

  private line(dir: TraceDirection, text: string): void {
    this.hooks.emit({ time: this.time, mark: dir === 'to-module' ? '>' : '<', text });
  }
}

/**
 * Routes a port's wire bytes once a mux starts on it: each frame's data to its channel's
 * conversation, and back to the port's own conversation (`base`) when the mux ends.
 * Shared by `modemlab trace` and the console's live trace.
 */
export function muxRouter(
  channel: (dlci: number) => Conversation | undefined,
  emit: (e: ConversationEvent) => void,
  base: () => Conversation,
): (dir: TraceDirection, bytes: Buffer, time: number) => void {
  let reader: MuxReader | undefined;
  return (dir, bytes, time) => {
    reader ??= new MuxReader({
      emit,
      channel: (dlci, d, data, t) => {
        const c = channel(dlci);
        if (d === 'to-module') c?.toModule(data, t);
        else c?.fromModule(data, t);
      },
      ended: (d, rest, t) => {
        reader = undefined;
        base().endMux();
        if (d === 'to-module') base().toModule(rest, t);
        else base().fromModule(rest, t);
      },
    });
    reader.push(dir, bytes, time);
  };
}
