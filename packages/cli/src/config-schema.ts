/** The zod schema of modemlab.config.json (loaded only when a config file exists: zod costs start time). */
import { z } from 'zod';
import { LOG_FORMATS, LOG_LEVELS } from './logging.js';
import { BAUD_MAX, BAUD_MIN, parseApns, parseConsoleListen, parseForwards, parseGpioLevels, parseHostPort, parseHosts } from './parse.js';

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
  gnss: z.string().min(1).optional(),
  gpio: z.record(z.string(), z.union([z.literal(0), z.literal(1), z.literal('float')])).transform(via((v: Record<string, 0 | 1 | 'float'>) => (Object.keys(v).length === 0 ? {} : parseGpioLevels(pairs(v as Record<string, string>))))).optional(),
  count: z.number().int().min(1).max(1024).optional(),
  trace: z.string().min(1).optional(),
  baud: z.number().int().min(BAUD_MIN).max(BAUD_MAX).optional(),
  log: z.strictObject({ level: z.enum(LOG_LEVELS).optional(), file: z.string().min(1).optional(), format: z.enum(LOG_FORMATS).optional() }).optional(),
  network: networkSchema.optional(),
  /** --radio and --radio-script (checked with the flags' own checks when serve starts). */
  radio: z.string().min(1).optional(),
  radioScript: z.string().min(1).optional(),
  /** --console and --console-token: the lab console's address ([HOST:]PORT) and access token. */
  console: z
    .strictObject({
      listen: z.union([z.string().min(1), z.number().int()]).transform(via((v: string | number) => parseConsoleListen(String(v)))),
      token: z.string().min(1).optional(),
    })
    .optional(),
});
export type ModemlabConfig = z.output<typeof configSchema>;
