/**
 * Turns the byte stream from a module into lines, prompts and raw binary blocks.
 *
 * - Lines end with CR, LF or CR LF (V0 final codes end with a lone CR). Blank lines are dropped.
 * - A prompt (`>` or `@`, alone on its line, possibly followed by a space, without a line
 *   end) is reported as soon as it arrives, but only while a prompt is expected.
 * - Raw reads: `readRaw(n)` makes the next n bytes bypass line splitting. It is race-free
 *   when called synchronously from a line callback (bytes are processed in order, one
 *   callback at a time). `headerMatcher` does the same from inside a line: when the
 *   unterminated line so far matches (e.g. `+USORD: 0,5,"`), the byte count it returns is
 *   read raw, then the rest of the line (e.g. the closing quote) continues the same line.
 */

const CR = 0x0d;
const LF = 0x0a;
const MAX_HEADER = 1024;

export interface SplitterSink {
  line(line: string): void;
  prompt(char: string): void;
}

interface RawRead {
  need: number;
  got: number;
  chunks: Buffer[];
  done: (data: Buffer) => void;
}

export class LineSplitter {
  /** Prompt characters currently expected (e.g. `>`), or '' when none. */
  promptChars = '';
  /** Called with the unterminated line so far; returns a raw byte count to read now. */
  headerMatcher: ((partial: string) => number | undefined) | undefined;

  private line: number[] = [];
  private skipLf = false;
  private headerDone = false;
  private raw: RawRead | undefined;
  private readonly rawQueue: RawRead[] = [];

  constructor(private readonly sink: SplitterSink) {}

  /** Reads the next `length` bytes raw; `done` is called once they have all arrived. */
  readRaw(length: number, done: (data: Buffer) => void): () => void {
    const read: RawRead = { need: length, got: 0, chunks: [], done };
    if (length === 0) {
      done(Buffer.alloc(0));
      return () => {};
    }
    if (this.raw) this.rawQueue.push(read);
    else this.raw = read;
    return () => {
      if (this.raw === read) this.raw = this.rawQueue.shift();
      else {
        const i = this.rawQueue.indexOf(read);
        if (i >= 0) this.rawQueue.splice(i, 1);
      }
    };
  }

  /** Feeds bytes received from the module. */
  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.skipLf) {
        this.skipLf = false;
        if (chunk[i] === LF) {
          i++;
          continue;
        }
      }
      if (this.divert) {
        // Online data mode began on the line just ended: the rest is data.
        this.divert(chunk.subarray(i));
        return;
      }
      const raw = this.raw;
      if (raw) {
        const take = Math.min(raw.need - raw.got, chunk.length - i);
        raw.chunks.push(Buffer.from(chunk.subarray(i, i + take)));
        raw.got += take;
        i += take;
        if (raw.got === raw.need) {
          this.raw = this.rawQueue.shift();
          raw.done(Buffer.concat(raw.chunks, raw.need));
        }
        continue;
      }
      const b = chunk[i++]!;
      if (b === CR || b === LF) {
        this.skipLf = b === CR;
        this.endLine();
        continue;
      }
      this.line.push(b);
      if (this.promptChars && this.isPrompt(b)) continue;
      if (this.headerMatcher && !this.headerDone && this.line.length <= MAX_HEADER) {
        const n = this.headerMatcher(Buffer.from(this.line).toString('latin1'));
        if (n !== undefined) {
          this.headerDone = true;
          this.readRaw(n, (data) => this.rawSink?.(data));
        }
      }
    }
  }

  /** While set (online data mode), every byte goes here instead of being split into lines. */
  divert: ((data: Buffer) => void) | undefined;

  /** Receives the blocks read because of `headerMatcher`. */
  rawSink: ((data: Buffer) => void) | undefined;

  /** Drops the partial line and any raw reads (after a timeout or on close). */
  reset(): void {
    this.line = [];
    this.headerDone = false;
    this.raw = undefined;
    this.rawQueue.length = 0;
  }

  private isPrompt(b: number): boolean {
    if (!this.promptChars.includes(String.fromCharCode(b))) return false;
    // The prompt is alone on its line: only blanks may precede it.
    for (let k = 0; k < this.line.length - 1; k++) if (this.line[k] !== 0x20) return false;
    this.line = [];
    const char = String.fromCharCode(b);
    this.sink.prompt(char);
    return true;
  }

  private endLine(): void {
    const bytes = this.line;
    this.line = [];
    this.headerDone = false;
    if (bytes.length === 0) return;
    const text = Buffer.from(bytes).toString('utf8').trim();
    if (text) this.sink.line(text);
  }
}
