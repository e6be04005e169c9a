import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LOG_FORMATS, LOG_LEVELS, type LogOptions } from './logging.js';
import { CliError, type NetworkOptions } from './module-api.js';
import { parseApns, parseForwards, parseHostPort, parseHosts, type HostPort } from './parse.js';
import type { ServeOptions } from './serve.js';

/** The file `serve` reads from the working folder when no --config is given (absent = no file). */
export const DEFAULT_CONFIG_FILE = 'modemlab.config.json';

/** A transform through one of the command line's own parsers, so the file and the flags accept the same text; its error becomes the field's issue. */
function via<I, O>(parse: (value: I) => O) {
  return (value: I, ctx: z.RefinementCtx): O => {
    try {
      return parse(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  };
}

const pairs = (v: Record<string, string>): string => Object.entries(v).map(([k, x]) => `${k}=${x}`).join(',');

const hex = (digits: string) => z.string().regex(new RegExp(`^[0-9A-Fa-f]{${digits}}$`), `expected ${digits} hex digits`);

/** The simulated operator network: the fields of the module's NetworkOptions (services/network/options.ts). */
const networkSchema = z.strictObject({
  operatorName: z.string().min(1).max(64).optional(),
  shortName: z.string().min(1).max(32).optional(),
  plmn: z.string().regex(/^\d{5,6}$/, 'expected 5 or 6 digits (MCC+MNC)').optional(),
  registrationDelayMs: z.number().int().min(0).max(600_000).optional(),
  roaming: z.boolean().optional(),
  tac: hex('4').optional(),
  cellId: hex('7,8').optional(),
  pci: z.number().int().min(0).max(503).optional(),
  earfcn: z.number().int().min(0).max(262143).optional(),
  band: z.number().int().min(1).max(256).optional(),
  rssi: z.number().int().min(-113).max(-51).optional(),
  rsrp: z.number().int().min(-140).max(-44).optional(),
  rsrq: z.number().min(-20).max(-3).optional(),
  sinr: z.number().min(-20).max(40).optional(),
  addressPool: z.ipv4().optional(),
  ipv6Prefix: z.string().regex(/^[0-9a-fA-F]{1,4}(:[0-9a-fA-F]{1,4}){3}$/, 'expected the first 64 bits, e.g. 2001:db8:100:0').optional(),
  dnsServers: z.array(z.ipv4()).min(1).optional(),
  defaultApn: z.string().min(1).optional(),
  ipv4v6Grant: z.enum(['IP', 'IPV6', 'IPV4V6']).optional(),
  coverage: z.boolean().optional(),
  rrcInactivityMs: z.number().int().min(0).optional(),
  packetLoss: z.number().min(0).max(1).optional(),
  accessTechnology: z.number().int().min(0).max(9).optional(),
});

/** modemlab.config.json: every `serve` flag (same names, same syntax), the log, and the network. */
export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  model: z.string().min(1).optional(),
  tcp: z.string().nullable().transform(via((v: string | null) => (v === null || v === 'none' ? null : parseHostPort(v)))).optional(),
  pty: z.string().min(1).optional(),
  state: z.string().min(1).optional(),
  hosts: z.record(z.string(), z.string()).transform(via((v: Record<string, string>) => (Object.keys(v).length === 0 ? {} : parseHosts(pairs(v))))).optional(),
  forward: z.record(z.string(), z.string()).transform(via((v: Record<string, string>) => (Object.keys(v).length === 0 ? {} : parseForwards(pairs(v))))).optional(),
  apns: z.array(z.string()).min(1).transform(via((v: string[]) => parseApns(v.join(',')))).optional(),
  net: z.enum(['lab', 'open']).optional(),
  count: z.number().int().min(1).max(1024).optional(),
  trace: z.string().min(1).optional(),
  log: z.strictObject({ level: z.enum(LOG_LEVELS).optional(), file: z.string().min(1).optional(), format: z.enum(LOG_FORMATS).optional() }).optional(),
  network: networkSchema.optional(),
});
export type ModemlabConfig = z.output<typeof configSchema>;

/**
 * Reads and validates a config file. `required` (an explicit --config) makes a missing file
 * an error; the default file may be absent. Any problem is a CliError (exit 2) naming the
 * file and each offending field.
 */
export function loadConfig(file: string, required: boolean): ModemlabConfig | undefined {
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
  count: number;
  trace?: string;
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
  const network: NetworkOptions | undefined = cfg.network;
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
    ...(network ? { network } : {}),
  };
  const level = typed('logLevel') || cfg.log?.level === undefined ? flags.logLevel : cfg.log.level;
  const file = flags.logFile ?? cfg.log?.file;
  const format = flags.logFormat ?? cfg.log?.format;
  return { serve, log: { level, ...(file !== undefined ? { file } : {}), ...(format !== undefined ? { format } : {}) } };
}
