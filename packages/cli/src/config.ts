import fs from 'node:fs';
import path from 'node:path';
import type { ModemlabConfig } from './config-schema.js';
import type { LogOptions } from './logging.js';
import { CliError, type NetworkOptions } from './module-api.js';
import type { HostPort } from './parse.js';

export type { ModemlabConfig };
import type { ServeOptions } from './serve.js';

/** The file `serve` reads from the working folder when no --config is given (absent = no file). */
export const DEFAULT_CONFIG_FILE = 'modemlab.config.json';

/**
 * Reads and validates a config file. `required` (an explicit --config) makes a missing file
 * an error; the default file may be absent. Any problem is a CliError (exit 2) naming the
 * file and each offending field.
 */
export async function loadConfig(file: string, required: boolean): Promise<ModemlabConfig | undefined> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`modemlab: cannot read config ${file}: ${(err as Error).message}`, 2);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CliError(`modemlab: config ${file} is not JSON: ${(err as Error).message}`, 2);
  }
  const { configSchema } = await import('./config-schema.js');
  const result = configSchema.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new CliError(`modemlab: invalid config ${file}:\n${lines.join('\n')}`, 2);
  }
  // Relative paths in the file are relative to the file, not to where serve was started.
  const dir = path.dirname(path.resolve(file));
  const cfg = result.data;
  const rel = (p: string | undefined) => (p === undefined ? undefined : path.resolve(dir, p));
  return {
    ...cfg,
    ...(cfg.state !== undefined ? { state: rel(cfg.state)! } : {}),
    ...(cfg.trace !== undefined ? { trace: rel(cfg.trace)! } : {}),
    // gnss is a position (kept) or a track file (the file's).
    ...(cfg.gnss !== undefined && !/^\s*-?\d+(\.\d+)?\s*,/.test(cfg.gnss) ? { gnss: rel(cfg.gnss)! } : {}),
    ...(cfg.radioScript !== undefined ? { radioScript: rel(cfg.radioScript)! } : {}),
    ...(cfg.log?.file !== undefined ? { log: { ...cfg.log, file: rel(cfg.log.file)! } } : {}),
  };
}

/** What the serve command got on its command line (commander's values) and which of them the user typed. */
export interface ServeFlags {
  model: string;
  tcp?: HostPort | null;
  pty?: string;
  state: string;
  hosts?: Record<string, string>;
  forward?: Record<string, string>;
  apns?: string[];
  net: 'lab' | 'open';
  gnss?: string;
  gpio?: Record<number, 0 | 1 | null>;
  count: number;
  trace?: string;
  baud?: number;
  radio?: string;
  radioScript?: string;
  console?: HostPort;
  consoleToken?: string;
  logLevel: LogOptions['level'];
  logFile?: string;
  logFormat?: LogOptions['format'];
}

export const DEFAULT_TCP: HostPort = { host: '127.0.0.1', port: 7000 };

/** The TCP listener when neither flag nor file names one: none beside a --pty (so `serve --pty` runs next to `npm start`). */
export function defaultTcp(tcp: HostPort | null | undefined, pty: string | undefined): HostPort | null {
  if (tcp !== undefined) return tcp;
  return pty === undefined ? DEFAULT_TCP : null;
}

/**
 * The serve options: a flag typed on the command line wins over the file, the file over the
 * flag's default. `typed(name)` says whether the user typed flag `name`.
 */
export function resolveServe(flags: ServeFlags, typed: (flag: keyof ServeFlags) => boolean, cfg: ModemlabConfig = {}): { serve: ServeOptions; log: LogOptions } {
  const pick = <K extends keyof ServeFlags & keyof ModemlabConfig>(k: K): ServeFlags[K] | ModemlabConfig[K] => (typed(k) || cfg[k] === undefined ? flags[k] : cfg[k]);
  const pty = pick('pty') as string | undefined;
  const tcp = typed('tcp') ? flags.tcp : cfg.tcp !== undefined ? cfg.tcp : undefined;
  const hosts = { ...(cfg.hosts ?? {}), ...(flags.hosts ?? {}) };
  const forwards = { ...(cfg.forward ?? {}), ...(flags.forward ?? {}) };
  const apns = typed('apns') ? flags.apns : cfg.apns;
  const trace = pick('trace') as string | undefined;
  const baud = pick('baud') as number | undefined;
  const network: NetworkOptions | undefined = cfg.network;
  const radio = pick('radio') as string | undefined;
  const radioScript = pick('radioScript') as string | undefined;
  // Field by field: a typed --console or --console-token wins over the file's.
  const consoleAt = typed('console') ? flags.console : (cfg.console?.listen ?? flags.console);
  const consoleToken = typed('consoleToken') ? flags.consoleToken : (cfg.console?.token ?? flags.consoleToken);
  const serve: ServeOptions = {
    model: pick('model') as string,
    tcp: defaultTcp(tcp, pty),
    ...(pty !== undefined ? { pty } : {}),
    state: pick('state') as string,
    hosts,
    ...(Object.keys(forwards).length > 0 ? { forwards } : {}),
    ...(apns ? { apns } : {}),
    net: pick('net') as 'lab' | 'open',
    count: pick('count') as number,
    ...(trace !== undefined ? { trace } : {}),
    ...(baud !== undefined ? { baud } : {}),
    ...(network ? { network } : {}),
    ...(pick('gnss') !== undefined ? { gnss: pick('gnss') as string } : {}),
    ...(flags.gpio || cfg.gpio ? { gpio: { ...(cfg.gpio ?? {}), ...(flags.gpio ?? {}) } } : {}),
    ...(radio !== undefined ? { radio } : {}),
    ...(radioScript !== undefined ? { radioScript } : {}),
    ...(consoleAt ? { console: { ...consoleAt, ...(consoleToken ? { token: consoleToken } : {}) } } : {}),
  };
  const level = typed('logLevel') || cfg.log?.level === undefined ? flags.logLevel : cfg.log.level;
  const file = flags.logFile ?? cfg.log?.file;
  const format = flags.logFormat ?? cfg.log?.format;
  return { serve, log: { level, ...(file !== undefined ? { file } : {}), ...(format !== undefined ? { format } : {}) } };
}
