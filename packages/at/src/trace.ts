/**
 * The byte trace format, shared by the module's trace tap, the CLI and the SDK's AtClient:
 * one JSON object per line. No I/O here: encode, decode, escape.
 *
 * A trace file is a sequence of sessions. Each session opens with a start line
 *   {"trace":1,"start":"2026-12-05T07:00:00.000Z"}
 * followed by one chunk line per chunk of bytes that passed a layer:
 *   {"time":12.345,"dir":"to-module","port":"tcp0","channel":1,"layer":"cmux","text":"AT\r","hex":"41540d"}
 * `time` is milliseconds since the session's start on a monotonic clock (microsecond
 * resolution); `channel` (a 27.010 DLCI) is present only for bytes on a multiplexer channel.
 * `hex` is authoritative; `text` is the same bytes made readable (see escapeBytes) and must
 * agree with it.
 */

export const TRACE_FORMAT_VERSION = 1;

/** To the module: what the host sent. From the module: what the module answered. */
export type TraceDirection = 'to-module' | 'from-module';

export interface TraceStart {
  kind: 'start';
  /** Wall-clock time of the session's time 0 (ISO 8601), for humans; chunk times are monotonic. */
  start: string;
}

export interface TraceChunk {
  kind: 'chunk';
  /** Milliseconds since the session start (monotonic). */
  time: number;
  dir: TraceDirection;
  /** The physical port the bytes belong to, e.g. `tcp0`, `pty0`, `at-client`. */
  port: string;
  /** 27.010 DLCI when the bytes are on a multiplexer channel. */
  channel?: number;
  /** The layer the bytes passed when they were seen, e.g. `transport`, `cmux`, `at-client`. */
  layer: string;
  bytes: Buffer;
}

export type TraceLine = TraceStart | TraceChunk;

/** A line that is not a valid trace line; `line` is 1-based when the caller knows it. */
export class TraceFormatError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'TraceFormatError';
  }
}

/** The letter after the backslash of the named escapes, by byte. */
const NAMED_ESCAPES = new Map<number, number>([
  [0x0d, 0x72], // \r
  [0x0a, 0x6e], // \n
  [0x09, 0x74], // \t
  [0x5c, 0x5c], // \\
]);
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const BACKSLASH = 0x5c;
const QUOTE = 0x22;

/**
 * escapeBytes, written byte by byte into one buffer (a direct link traces megabytes per
 * second); `json` also escapes for a JSON string (backslashes doubled, quotes escaped), so a
 * trace line is built without a second pass over the text.
 */
function escapeInto(bytes: Uint8Array, json: boolean): string {
  // The longest escape: \xHH, 4 characters; 5 in JSON (its backslash doubled).
  const out = Buffer.allocUnsafe(bytes.length * (json ? 5 : 4));
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 0x20 && b < 0x7f && b !== BACKSLASH) {
      if (json && b === QUOTE) out[o++] = BACKSLASH;
      out[o++] = b;
      continue;
    }
    out[o++] = BACKSLASH;
    if (json) out[o++] = BACKSLASH;
    const named = NAMED_ESCAPES.get(b);
    if (named !== undefined) {
      if (json && named === BACKSLASH) out[o++] = BACKSLASH;
      out[o++] = named;
    } else {
      out[o++] = 0x78; // x
      out[o++] = HEX_DIGITS[b >> 4]!;
      out[o++] = HEX_DIGITS[b & 0x0f]!;
    }
  }
  return out.toString('latin1', 0, o);
}

/**
 * Bytes as readable text: printable ASCII as is, CR/LF/TAB as \r \n \t, a backslash as \\,
 * every other byte (Ctrl-Z, ESC, 0xF9, ...) as \xHH with lower-case hex.
 */
export function escapeBytes(bytes: Uint8Array): string {
  return escapeInto(bytes, false);
}

/** The inverse of escapeBytes; throws TraceFormatError on an escape it does not produce. */
export function unescapeText(text: string): Buffer {
  // Every byte takes at least one character: the text's length bounds the bytes.
  const out = Buffer.allocUnsafe(text.length);
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7e || code < 0x20) throw new TraceFormatError(`text has a raw character 0x${code.toString(16)} at ${i}`);
    if (code !== BACKSLASH) {
      out[o++] = code;
      continue;
    }
    const next = text.charCodeAt(++i);
    if (next === 0x72) out[o++] = 0x0d; // r
    else if (next === 0x6e) out[o++] = 0x0a; // n
    else if (next === 0x74) out[o++] = 0x09; // t
    else if (next === BACKSLASH) out[o++] = BACKSLASH;
    else if (next === 0x78 && hexValue(text.charCodeAt(i + 1)) >= 0 && hexValue(text.charCodeAt(i + 2)) >= 0) {
      out[o++] = hexValue(text.charCodeAt(i + 1)) * 16 + hexValue(text.charCodeAt(i + 2));
      i += 2;
    } else throw new TraceFormatError(`text has a bad escape at ${i - 1}`);
  }
  return out.subarray(0, o);
}

/** The value of a lower-case hex digit's character code, -1 for anything else. */
function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

/** Rounds a time to microseconds, so lines stay short and equal times compare equal. */
export function roundTraceTime(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** One trace line as JSON, without the line end. */
export function encodeTraceLine(line: TraceLine): string {
  if (line.kind === 'start') return JSON.stringify({ trace: TRACE_FORMAT_VERSION, start: line.start });
  // Built by hand: the text is escaped for JSON in the same pass that makes it readable.
  const channel = line.channel === undefined ? '' : `,"channel":${line.channel}`;
  return (
    `{"time":${roundTraceTime(line.time)},"dir":"${line.dir}","port":${JSON.stringify(line.port)}${channel},` +
    `"layer":${JSON.stringify(line.layer)},"text":"${escapeInto(line.bytes, true)}","hex":"${line.bytes.toString('hex')}"}`
  );
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses one trace line; throws TraceFormatError (with `lineNumber`) when it is not one. */
export function decodeTraceLine(text: string, lineNumber?: number): TraceLine {
  const fail = (why: string): never => {
    throw new TraceFormatError(why, lineNumber);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('not JSON');
  }
  if (!isRecord(value)) return fail('not a JSON object');
  if ('trace' in value) {
    if (value.trace !== TRACE_FORMAT_VERSION) return fail(`unknown trace format version ${JSON.stringify(value.trace)}`);
    if (typeof value.start !== 'string' || Number.isNaN(Date.parse(value.start))) return fail('start is not a date');
    return { kind: 'start', start: value.start };
  }
  const { time, dir, port, channel, layer, text: escaped, hex } = value;
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) return fail('time is not a number of milliseconds');
  if (dir !== 'to-module' && dir !== 'from-module') return fail('dir is neither "to-module" nor "from-module"');
  if (typeof port !== 'string' || port === '') return fail('port is missing');
  if (channel !== undefined && !(Number.isInteger(channel) && (channel as number) >= 0 && (channel as number) <= 63)) {
    return fail('channel is not a DLCI (0..63)');
  }
  if (typeof layer !== 'string' || layer === '') return fail('layer is missing');
  if (typeof hex !== 'string' || !/^(?:[0-9a-f]{2})*$/.test(hex)) return fail('hex is not lower-case hex pairs');
  const bytes = Buffer.from(hex, 'hex');
  if (escaped !== undefined) {
    if (typeof escaped !== 'string') return fail('text is not a string');
    let fromText: Buffer;
    try {
      fromText = unescapeText(escaped);
    } catch (err) {
      return fail((err as Error).message);
    }
    if (!fromText.equals(bytes)) return fail('text and hex disagree');
  }
  return {
    kind: 'chunk',
    time,
    dir,
    port,
    ...(channel === undefined ? {} : { channel: channel as number }),
    layer,
    bytes,
  };
}

/**
 * Parses a whole trace (JSON lines; blank lines are skipped). A chunk before any start
 * line is accepted (a trace cut from the middle of a file).
 */
export function decodeTrace(text: string): TraceLine[] {
  const out: TraceLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    out.push(decodeTraceLine(line, i + 1));
  }
  return out;
}
