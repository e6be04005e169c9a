import { q } from '@modemlab/at';
import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import type { SocketOption, SocketState } from '../../services/sockets/socket-service.js';
import { UbloxCme } from './errors.js';
import { SOCKET_PARAM, socketCall, socketErrno, socketId, socketRange } from './socket-errors.js';

/** +USOCTL=<s>,10 numbering of TCP states (R4 manual). */
const TCP_STATE: Record<SocketState, number> = {
  inactive: 0,
  listen: 1,
  'syn-sent': 2,
  established: 4,
  'fin-wait-1': 5,
  'close-wait': 7,
};

const USOCTL_PARAMS = [0, 1, 2, 3, 4, 10, 11];

interface OptionSpec {
  option: SocketOption;
  min: number;
  max: number;
  /** SO_LINGER: <onoff>,<linger_time> (the time only, and then required, when on). */
  pair?: { min: number; max: number };
}

/**
 * +USOSO / +USOGO <level>,<opt_name> pairs: the BSD values ubxlib passes through (notes
 * §A, inferred; the manual's table was not retrieved). Value ranges are ours where the
 * notes give none: TTL/TOS a byte, TCP_KEEPIDLE 1 s .. 2 h in ms, linger time 0..32767.
 */
const OPTIONS: Record<string, OptionSpec> = {
  '0,1': { option: 'ip-tos', min: 0, max: 255 },
  '0,2': { option: 'ip-ttl', min: 0, max: 255 },
  '6,1': { option: 'tcp-nodelay', min: 0, max: 1 },
  '6,2': { option: 'tcp-keepidle', min: 1000, max: 7_200_000 },
  '65535,4': { option: 'reuseaddr', min: 0, max: 1 },
  '65535,8': { option: 'keepalive', min: 0, max: 1 },
  '65535,32': { option: 'broadcast', min: 0, max: 1 },
  '65535,128': { option: 'linger', min: 0, max: 1, pair: { min: 0, max: 32767 } },
  '65535,512': { option: 'reuseport', min: 0, max: 1 },
};

function optionSpec(level: unknown, name: unknown): OptionSpec {
  const spec = OPTIONS[`${level as number},${name as number}`];
  if (!spec) throw cme(UbloxCme.badParameter, 'unknown option');
  return spec;
}

const OPTION_PARAMS = [SOCKET_PARAM, { name: 'level', type: 'int', values: [0, 6, 65535] }, { name: 'opt', type: 'int', min: 0, max: 65535 }] as const;

/** Socket queries, last error and options (notes §A). */
export const socketControlCommands = defineCommands(import.meta.url, [
  {
    name: '+USOCTL',
    params: [SOCKET_PARAM, { name: 'param', type: 'int', values: USOCTL_PARAMS }],
    set(ctx, args) {
      const id = socketId(ctx, args.socket);
      const param = args.param as number;
      const info = socketCall(() => ctx.module.services.sockets.info(id));
      const line = (value: string | number) => ctx.info(`+USOCTL: ${id},${param},${value}`);
      switch (param) {
        case 0:
          return line(info.protocol === 'tcp' ? 6 : 17);
        case 1:
          return line(socketErrno(info.lastError));
        case 2:
          return line(info.bytesSent);
        case 3:
          return line(info.bytesReceived);
        case 4:
          // No peer yet (not connected): operation not allowed [I].
          if (!info.peer) throw cme(UbloxCme.notAllowed, 'no peer');
          return line(`${q(info.peer.address)},${info.peer.port}`);
        default:
          // 10 and 11 are TCP only [I].
          if (info.protocol !== 'tcp') throw cme(UbloxCme.notAllowed, 'TCP only');
          return line(param === 10 ? TCP_STATE[info.state] : info.unsent);
      }
    },
    test(ctx) {
      ctx.info(`+USOCTL: ${socketRange(ctx)},(0-4,10-11)`);
    },
  },
  {
    name: '+USOER',
    action(ctx) {
      ctx.info(`+USOER: ${socketErrno(ctx.module.services.sockets.lastError)}`);
    },
  },
  {
    name: '+USOSO',
    params: [...OPTION_PARAMS, { name: 'value', type: 'int', min: -2147483648, max: 2147483647 }, { name: 'value2', type: 'int', min: -2147483648, max: 2147483647, optional: true }],
    set(ctx, args) {
      const id = socketId(ctx, args.socket);
      const spec = optionSpec(args.level, args.opt);
      const value = args.value as number;
      const value2 = args.value2 as number | undefined;
      if (value < spec.min || value > spec.max) throw cme(UbloxCme.badParameter);
      let values: number[] = [value];
      if (spec.pair && value === 1) {
        if (value2 === undefined || value2 < spec.pair.min || value2 > spec.pair.max) throw cme(UbloxCme.badParameter);
        values = [value, value2];
      } else if (value2 !== undefined && !spec.pair) {
        throw cme(UbloxCme.badParameter);
      }
      socketCall(() => ctx.module.services.sockets.setOption(id, spec.option, values));
    },
    test(ctx) {
      ctx.info(`+USOSO: ${socketRange(ctx)},(0,6,65535),(1,2,4,8,32,128,512),(0-2147483647),(0-32767)`);
    },
  },
  {
    name: '+USOGO',
    params: [...OPTION_PARAMS],
    set(ctx, args) {
      const id = socketId(ctx, args.socket);
      const spec = optionSpec(args.level, args.opt);
      const values = socketCall(() => ctx.module.services.sockets.getOption(id, spec.option));
      ctx.info(`+USOGO: ${values.join(',')}`);
    },
    test(ctx) {
      ctx.info(`+USOGO: ${socketRange(ctx)},(0,6,65535),(1,2,4,8,32,128,512)`);
    },
  },
]);
