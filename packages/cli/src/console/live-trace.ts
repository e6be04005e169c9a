/**
 * The trace tap's chunks of one module read live, as `modemlab trace` reads a file
 * (trace-pretty.ts): one AT conversation per port and CMUX channel, the first level seen
 * for it feeding it, CMUX frames decoded after AT+CMUX answered OK. Every chunk is also
 * kept raw (for the page's hex view; a data run shows as an event once the next line ends it,
 * its bytes at once as chunks). The last `limit` entries are kept for a page that
 * opens later. Inside a C2C session the wire's frames show as `[c2c] frame ...` lines and the
 * session's plaintext (the `c2c` level) as the port's AT conversation (trace-c2c.ts).
 */
import { performance } from 'node:perf_hooks';
import type { TraceChunk } from '@modemlab/at';
import { Conversation, type ConversationEvent, type ConversationMark } from '../trace-conversation.js';
import { FROM_FRAMES, muxRouter } from '../trace-mux.js';
import { feedC2cPlain, isC2cLevel } from '../trace-c2c.js';

/** One line of the page: an AT event (command, response, URC, data run) or a raw chunk. */
export type ConsoleEntry =
  | { kind: 'event'; seq: number; time: number; where: string; mark: ConversationMark; text: string }
  | { kind: 'chunk'; seq: number; time: number; where: string; layer: string; dir: TraceChunk['dir']; hex: string }
  /** What the lab did to the module (a network control), between the bytes it caused. */
  | { kind: 'lab'; seq: number; time: number; where: 'lab'; text: string };

const where = (port: string, channel?: number): string => (channel === undefined ? port : `${port}/dlci${channel}`);

export class LiveTrace {
  private readonly entries: ConsoleEntry[] = [];
  private readonly listeners = new Set<(e: ConsoleEntry) => void>();
  private readonly conversations = new Map<string, { conversation: Conversation; source: string }>();
  private seq = 0;

  /** The trace tap's time 0 (made with this trace), for the lab's own lines. */
  private readonly t0 = performance.now();

  constructor(private readonly limit = 5000) {}

  /** A line of the lab's own (`lab coverage=false`), at the time it happened. */
  note(text: string): void {
    this.add({ kind: 'lab', seq: 0, time: performance.now() - this.t0, where: 'lab', text });
  }

  /** The tap's sink. */
  push(chunk: TraceChunk): void {
    const w = where(chunk.port, chunk.channel);
    this.add({ kind: 'chunk', seq: 0, time: chunk.time, where: w, layer: chunk.layer, dir: chunk.dir, hex: chunk.bytes.toString('hex') });
    if (isC2cLevel(chunk.layer)) return feedC2cPlain(this.conversations, chunk.port, chunk.dir, chunk.bytes, chunk.time);
    const c = this.conversationFor(chunk.port, chunk.channel, chunk.layer);
    if (!c) return;
    if (chunk.dir === 'to-module') c.toModule(chunk.bytes, chunk.time);
    else c.fromModule(chunk.bytes, chunk.time);
  }

  /** What is kept, oldest first. */
  history(): readonly ConsoleEntry[] {
    return this.entries;
  }

  /** Every new entry; returns the function that stops listening. */
  subscribe(listener: (e: ConsoleEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private add(e: ConsoleEntry): void {
    e.seq = ++this.seq;
    this.entries.push(e);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    for (const l of this.listeners) l(e);
  }

  private emitter(w: string): (e: ConversationEvent) => void {
    return (e) => this.add({ kind: 'event', seq: 0, time: e.time, where: w, mark: e.mark, text: e.text });
  }

  private conversationFor(port: string, channel: number | undefined, source: string): Conversation | undefined {
    const w = where(port, channel);
    let entry = this.conversations.get(w);
    if (!entry) {
      const emit = this.emitter(w);
      const mux = channel === undefined ? muxRouter((dlci) => this.conversationFor(port, dlci, FROM_FRAMES), emit, () => entry!.conversation) : undefined;
      entry = { conversation: new Conversation(emit, mux), source };
      this.conversations.set(w, entry);
    }
    return entry.source === source ? entry.conversation : undefined;
  }
}
