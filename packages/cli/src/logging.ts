import pino, { type Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogOptions {
  level: LogLevel;
  /** Append JSON lines to this file instead of writing to stderr. */
  file?: string;
  /** stderr's format; default pretty on a TTY, JSON lines otherwise. A file is always JSON. */
  format?: LogFormat;
}

export interface CliLogger {
  logger: Logger;
  /** Flushes and closes the destination. */
  close(): Promise<void>;
}

/**
 * The operator's log of `serve`: pino on stderr (stdout keeps the ready lines scripts parse),
 * pretty for a person at a terminal, JSON lines for a machine; or JSON lines appended to a
 * file. Writes are synchronous so the last lines before an exit are never lost.
 * pino-pretty is loaded only when used (startup time).
 */
export async function createLogger(opts: LogOptions, stderr: { isTTY?: boolean } = process.stderr): Promise<CliLogger> {
  const base = { level: opts.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  if (opts.file !== undefined) {
    const dest = pino.destination({ dest: opts.file, append: true, mkdir: true, sync: true });
    return { logger: pino(base, dest), close: async () => dest.flushSync() };
  }
  const format = opts.format ?? (stderr.isTTY ? 'pretty' : 'json');
  if (format === 'pretty') {
    const { default: pretty } = await import('pino-pretty');
    const stream = pretty({ destination: 2, sync: true, colorize: !!stderr.isTTY, ignore: 'event' });
    return { logger: pino(base, stream), close: async () => {} };
  }
  const dest = pino.destination({ dest: 2, sync: true });
  return { logger: pino(base, dest), close: async () => {} };
}
