/**
 * A trace (packages/at/src/trace.ts) read back as a readable AT conversation, one line per
 * event:   <seconds since start>  <port[/dlci]>  <mark> <text>
 * with the transcript marks (`>` command, `<` response, `!` URC, `>>`/`<<` data).
 *
 * One conversation per port and CMUX channel. The same bytes may be traced at several
 * layers of a stack; a conversation reads the first layer it saw for its port and channel
 * and skips the others, so nothing is shown twice (`layer` picks one explicitly).
 */
import type { TraceChunk, TraceLine } from '@modemlab/at';
import { Conversation, type ConversationEvent } from './trace-conversation.js';

export interface PrettyOptions {
  /** Only chunks seen at this layer. */
  layer?: string;
}

const where = (c: Pick<TraceChunk, 'port' | 'channel'>): string => (c.channel === undefined ? c.port : `${c.port}/dlci${c.channel}`);

export function formatEvent(e: ConversationEvent, label: string): string {
  return `${(e.time / 1000).toFixed(3).padStart(9)}  ${label.padEnd(10)}  ${e.mark} ${e.text}`;
}

/** Turns trace lines into pretty lines (no line ends). */
export function prettyTrace(lines: readonly TraceLine[], opts: PrettyOptions = {}): string[] {
  const out: string[] = [];
  let conversations = new Map<string, { conversation: Conversation; layer: string }>();
  let lastTime = 0;
  const flushAll = (): void => {
    for (const { conversation } of conversations.values()) conversation.flush(lastTime);
  };
  for (const line of lines) {
    if (line.kind === 'start') {
      flushAll();
      conversations = new Map();
      lastTime = 0;
      out.push(`--- trace started ${line.start} ---`);
      continue;
    }
    if (opts.layer !== undefined && line.layer !== opts.layer) continue;
    const label = where(line);
    let entry = conversations.get(label);
    if (!entry) {
      entry = { conversation: new Conversation((e) => out.push(formatEvent(e, label))), layer: line.layer };
      conversations.set(label, entry);
    }
    if (entry.layer !== line.layer) continue;
    lastTime = Math.max(lastTime, line.time);
    if (line.dir === 'to-module') entry.conversation.toModule(line.bytes, line.time);
    else entry.conversation.fromModule(line.bytes, line.time);
  }
  flushAll();
  return out;
}
