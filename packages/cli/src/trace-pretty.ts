/**
 * A trace (packages/at/src/trace.ts) read back as a readable AT conversation, one line per
 * event:   <seconds since start>  <port[/dlci]>  <mark> <text>
 * with the transcript marks (`>` command, `<` response, `!` URC, `>>`/`<<` data).
 *
 * One conversation per port and CMUX channel. The same bytes may be traced at several
 * levels of a stack; a conversation reads the first source it saw for its port and channel
 * and skips the others, so nothing is shown twice (`layer` picks one level explicitly).
 * After AT+CMUX=... answered OK a port's bytes are decoded as 27.010 frames (trace-mux.ts):
 * control frames are shown on the port, each channel's data feeds that channel's
 * conversation (source `cmux frames`), unless the channel's own level was seen first.
 * After AT+USECC2C=1 answered OK the port's bytes are C2C frames (trace-c2c.ts): each frame
 * is a line, and the `c2c` level (the session's plaintext) feeds the port's conversation.
 */
import type { TraceChunk, TraceLine } from '@modemlab/at';
import { Conversation, type ConversationEvent } from './trace-conversation.js';
import { FROM_FRAMES, muxRouter } from './trace-mux.js';
import { feedC2cPlain, isC2cLevel } from './trace-c2c.js';

export interface PrettyOptions {
  /** Only chunks seen at this layer. */
  layer?: string;
}

const where = (c: Pick<TraceChunk, 'port' | 'channel'>): string => (c.channel === undefined ? c.port : `${c.port}/dlci${c.channel}`);
/** The source of a channel conversation fed by frames decoded at the port's level. */

/** `width`: the label column, as wide as the longest label of the session. */
export function formatEvent(e: ConversationEvent, label: string, width = label.length): string {
  return `${(e.time / 1000).toFixed(3).padStart(9)}  ${label.padEnd(width)}  ${e.mark} ${e.text}`;
}

/** Turns trace lines into pretty lines (no line ends). */
export function prettyTrace(lines: readonly TraceLine[], opts: PrettyOptions = {}): string[] {
  const out: string[] = [];
  // A session's events are held until it ends, so its label column fits its longest label.
  let session: Array<{ event: ConversationEvent; label: string }> = [];
  const endSession = (): void => {
    const width = Math.max(0, ...session.map((s) => s.label.length));
    for (const { event, label } of session) out.push(formatEvent(event, label, width));
    session = [];
  };
  let conversations = new Map<string, { conversation: Conversation; source: string }>();
  let lastTime = 0;
  const flushAll = (): void => {
    for (const { conversation } of conversations.values()) conversation.flush(lastTime);
  };
  /** The conversation of `label`, if `source` feeds it (the first source seen does). */
  const conversationFor = (port: string, channel: number | undefined, source: string): Conversation | undefined => {
    const label = where({ port, channel });
    let entry = conversations.get(label);
    if (!entry) {
      const emit = (event: ConversationEvent): void => void session.push({ event, label });
      const mux = channel === undefined ? muxRouter((dlci) => conversationFor(port, dlci, FROM_FRAMES), emit, () => entry!.conversation) : undefined;
      entry = { conversation: new Conversation(emit, mux), source };
      conversations.set(label, entry);
    }
    return entry.source === source ? entry.conversation : undefined;
  };
  for (const line of lines) {
    if (line.kind === 'start') {
      flushAll();
      endSession();
      conversations = new Map();
      lastTime = 0;
      out.push(`--- trace started ${line.start} ---`);
      continue;
    }
    if (opts.layer !== undefined && line.layer !== opts.layer) continue;
    if (opts.layer === undefined && isC2cLevel(line.layer)) {
      lastTime = Math.max(lastTime, line.time);
      feedC2cPlain(conversations, line.port, line.dir, line.bytes, line.time);
      continue;
    }
    const conversation = conversationFor(line.port, line.channel, line.layer);
    if (!conversation) continue;
    lastTime = Math.max(lastTime, line.time);
    if (line.dir === 'to-module') conversation.toModule(line.bytes, line.time);
    else conversation.fromModule(line.bytes, line.time);
  }
  flushAll();
  endSession();
  return out;
}
