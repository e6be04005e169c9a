import { q, type ParamSpec, type RawParam } from '@modemlab/at';
import type { CommandContext } from '../../engine/context.js';
import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import type { ModuleHost } from '../../module-host.js';
import { PDU_FLAGS, type CoapConfig } from '../../services/coap/config.js';
import { COAP_PROFILES, CoapBusyError, CoapConfigError, MAX_COAP_PAYLOAD, type CoapService } from '../../services/coap/coap-service.js';
import type { CoapMethod } from '../../services/coap/message.js';
import { coapCodeNumber, coapErrorPair } from './coap-errors.js';
import { UbloxCme } from './errors.js';
import { formatList } from './usecprf.js';

/**
 * +UCOAP (configuration and profiles), +UCOAPC (requests), +UCOAPER (last error) and the
 * +UCOAPCD/+UCOAPCR URCs, after the SARA-N2/R4 manual mirrors and host code for the SARA-R5
 * (notes §D). Decisions where they are silent (docs/architecture.md "CoAP"):
 * - numbers may be given bare or quoted ("0" as the N2 examples write them);
 * - op 2 <option>: 0 Uri-Host, 1 Uri-Port, 2 Uri-Path, 3 Uri-Query, 4 Content-Format,
 *   5 confirmable, 6 Block2, 7 Block1; 6 and 7 take the block size exponent as a third value;
 * - op 7 (modemlab): secure over a +USECPRF profile: DTLS on coap://, TLS on coap+tcp://;
 * - AT+UCOAP? lists the current configuration, one line per op;
 * - +UCOAPCD: <code as class*100+detail>,"<hex payload>",<more_block>, one per response
 *   message (each Block2 block), before +UCOAPCR: <command>,<1 ok | 0 failed>.
 * - Observe (RFC 7641; no u-blox form documented): +UCOAPC=5 registers on the configured URI,
 *   +UCOAPC=6[,<0 deregister | 1 forget>] cancels; each message of the observation is
 *   +UCOAPCD: <code>,"<hex>",<more_block>,<sequence number>; +UCOAPCR: 5,0 when it ends.
 */

type Ctx = CommandContext;

const coap = (ctx: Ctx): CoapService => ctx.module.services.coap;
const int = (name: string, min: number, max: number, optional = false): ParamSpec => ({ name, type: 'int', min, max, optional });

/** The N2 examples quote numbers ("1"); the R5 ones do not. Both are accepted. */
const bareNumbers = (raw: RawParam[]): RawParam[] => raw.map((p) => (p.kind === 'string' && /^\d+$/.test(p.value) ? { kind: 'bare', text: p.value } : p));

function change(ctx: Ctx, call: (s: CoapService) => void): void {
  try {
    call(coap(ctx));
  } catch (err) {
    if (err instanceof CoapBusyError) throw cme(UbloxCme.notAllowed, err.message);
    if (err instanceof CoapConfigError) throw cme(UbloxCme.badParameter, err.message);
    throw err;
  }
}

interface Op {
  read?(c: CoapConfig, s: CoapService): string[];
  set(ctx: Ctx, values: RawParam[]): void;
}

const OPS: Record<number, Op> = {
  0: {
    read: (c) => [`${q(c.serverHost)},${c.serverPort}`],
    set(ctx, values) {
      const v = ctx.validate(bareNumbers(values), [{ name: 'host', type: 'string', maxLength: 128 }, int('port', 1, 65535, true)]);
      change(ctx, (s) => s.configure((c) => {
        c.serverHost = v.host as string;
        c.serverPort = (v.port as number | undefined) ?? 0;
      }));
    },
  },
  1: {
    read: (c) => [q(c.uri)],
    set(ctx, values) {
      const v = ctx.validate(values, [{ name: 'uri', type: 'string', maxLength: 200 }]);
      change(ctx, (s) => s.configure((c) => (c.uri = v.uri as string)));
    },
  },
  2: {
    read: (c) => PDU_FLAGS.map((f, i) => `${i},${c.pdu[f] ? 1 : 0}${i >= 6 ? `,${c.blockSzx}` : ''}`),
    set(ctx, values) {
      const v = ctx.validate(bareNumbers(values), [int('option', 0, PDU_FLAGS.length - 1), int('enable', 0, 1), int('szx', 0, 6, true)]);
      const option = v.option as number;
      if (v.szx !== undefined && option < 6) throw cme(UbloxCme.badParameter, 'a block size belongs to Block1/Block2');
      change(ctx, (s) => s.configure((c) => {
        c.pdu[PDU_FLAGS[option]!] = v.enable === 1;
        if (v.szx !== undefined) c.blockSzx = v.szx as number;
      }));
    },
  },
  3: {
    read: (_c, s) => [String(s.selectedProfile)],
    set(ctx, values) {
      const v = ctx.validate(bareNumbers(values), [int('profile', 0, COAP_PROFILES - 1)]);
      change(ctx, (s) => s.selectProfile(v.profile as number));
    },
  },
  4: {
    read: (c) => [c.valid ? '1' : '0'],
    set(ctx, values) {
      const v = ctx.validate(bareNumbers(values), [int('valid', 0, 1)]);
      change(ctx, (s) => s.configure((c) => (c.valid = v.valid === 1)));
    },
  },
  5: {
    set(ctx, values) {
      const v = ctx.validate(bareNumbers(values), [int('profile', 0, COAP_PROFILES - 1)]);
      change(ctx, (s) => s.restore(v.profile as number));
    },
  },
  6: {
    set(ctx, values) {
      const v = ctx.validate(bareNumbers(values), [int('profile', 0, COAP_PROFILES - 1)]);
      change(ctx, (s) => s.store(v.profile as number));
    },
  },
  7: {
    read: (c) => [c.secure ? `1,${c.securityProfile}` : '0'],
    set(ctx, values) {
      const v = ctx.validate(bareNumbers(values), [int('secure', 0, 1), int('profile', 0, ctx.module.model.tls.profiles - 1, true)]);
      if (v.secure === 0 && v.profile !== undefined) throw cme(UbloxCme.badParameter, 'security profile without security');
      change(ctx, (s) => s.configure((c) => {
        c.secure = v.secure === 1;
        c.securityProfile = (v.profile as number | undefined) ?? 0;
      }));
    },
  },
};

const READABLE = Object.entries(OPS).filter(([, op]) => op.read).map(([n]) => Number(n));

/** +UCOAPC <command>: 1 GET, 2 DELETE, 3 PUT, 4 POST. */
const COMMANDS: Record<number, CoapMethod> = { 1: 'GET', 2: 'DELETE', 3: 'PUT', 4: 'POST' };
const COMMAND_NUMBER = Object.fromEntries(Object.entries(COMMANDS).map(([n, m]) => [m, Number(n)])) as Record<CoapMethod, number>;

function readLines(ctx: Ctx, op: number): string[] {
  const s = coap(ctx);
  return OPS[op]!.read!(s.config, s).map((value) => `+UCOAP: ${op},${value}`);
}

export const coapCommands = defineCommands(import.meta.url, [
  {
    name: '+UCOAP',
    set(ctx, _args, raw) {
      const head = ctx.validate(bareNumbers(raw.slice(0, 1)), [{ name: 'op', type: 'int', values: Object.keys(OPS).map(Number) }]);
      const op = head.op as number;
      const values = raw.slice(1);
      if (values.length === 0) {
        if (!OPS[op]!.read) throw cme(UbloxCme.badParameter, 'this op takes a value');
        for (const line of readLines(ctx, op)) ctx.info(line);
        return;
      }
      OPS[op]!.set(ctx, values);
    },
    read(ctx) {
      for (const op of READABLE) for (const line of readLines(ctx, op)) ctx.info(line);
    },
    test(ctx) {
      ctx.info(`+UCOAP: ${formatList(Object.keys(OPS).map(Number))}`);
    },
  },
  {
    name: '+UCOAPC',
    set(ctx, _args, raw) {
      const head = ctx.validate(bareNumbers(raw.slice(0, 1)), [int('command', 1, 6)]);
      if ((head.command as number) >= 5) return observeCommand(ctx, head.command as number, bareNumbers(raw.slice(1)));
      const method = COMMANDS[head.command as number]!;
      // The hex data stays a string even when it is all digits; only the format may come quoted.
      const rest = [...raw.slice(1, 2), ...bareNumbers(raw.slice(2))];
      let payload: Buffer | undefined;
      let contentFormat: number | undefined;
      if (method === 'PUT' || method === 'POST') {
        const v = ctx.validate(rest, [{ name: 'data', type: 'string', maxLength: MAX_COAP_PAYLOAD * 2 }, int('format', 0, 65535, true)]);
        const hex = v.data as string;
        if (hex.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(hex)) throw cme(UbloxCme.badParameter, 'data is not hexadecimal');
        payload = Buffer.from(hex, 'hex');
        contentFormat = v.format as number | undefined;
      } else if (rest.length > 0) throw cme(UbloxCme.badParameter, 'too many parameters');
      try {
        coap(ctx).start({ method, ...(payload ? { payload } : {}), ...(contentFormat !== undefined ? { contentFormat } : {}) });
      } catch (err) {
        if (err instanceof CoapBusyError) throw cme(UbloxCme.notAllowed, err.message);
        if (err instanceof CoapConfigError) throw cme(err.reason === 'payload' ? UbloxCme.badParameter : UbloxCme.notAllowed, err.message);
        throw err;
      }
    },
    test(ctx) {
      ctx.info('+UCOAPC: (1-6)');
    },
  },
  {
    name: '+UCOAPER',
    action(ctx) {
      const [cls, code] = coapErrorPair(coap(ctx).lastError());
      ctx.info(`+UCOAPER: ${cls},${code}`);
    },
  },
]);

/** +UCOAPC=5 observe the configured URI; +UCOAPC=6[,<mode>] cancel it (0 GET with Observe: 1, 1 forget and RST). */
function observeCommand(ctx: Ctx, command: number, rest: RawParam[]): void {
  const v = command === 5 ? ctx.validate(rest, []) : ctx.validate(rest, [int('mode', 0, 1, true)]);
  try {
    if (command === 5) coap(ctx).observe();
    else coap(ctx).cancelObservation(v.mode === 1 ? 'forget' : 'deregister');
  } catch (err) {
    if (err instanceof CoapBusyError || err instanceof CoapConfigError) throw cme(UbloxCme.notAllowed, err.message);
    throw err;
  }
}

/** Response messages and results as URCs on every terminal. */
export function wireCoapUrcs(module: ModuleHost): void {
  const s = module.services.coap;
  s.on('reply', ({ reply }) => module.urc(`+UCOAPCD: ${coapCodeNumber(reply.code)},${q(reply.payload.toString('hex').toUpperCase())},${reply.more ? 1 : 0}`));
  s.on('result', ({ method, ok }) => module.urc(`+UCOAPCR: ${COMMAND_NUMBER[method]},${ok ? 1 : 0}`));
  s.on('notification', ({ reply, seq }) =>
    module.urc(`+UCOAPCD: ${coapCodeNumber(reply.code)},${q(reply.payload.toString('hex').toUpperCase())},${reply.more ? 1 : 0}${seq === undefined ? '' : `,${seq}`}`),
  );
  s.on('observe', ({ op, ok }) => module.urc(`+UCOAPCR: ${op === 'deregister' ? 6 : 5},${ok ? 1 : 0}`));
}
