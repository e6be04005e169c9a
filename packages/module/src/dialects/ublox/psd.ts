import { q, type ParamSpec, type ParamValue } from '@modemlab/at';
import { cme } from '../../engine/failure.js';
import type { CommandContext } from '../../engine/context.js';
import { defineCommands } from '../../engine/registry.js';
import type { ProfileIpType } from '../../models/types.js';
import type { InternalProfile } from '../../services/network/internal-contexts.js';
import { UbloxCme } from './errors.js';
import { service } from './service-errors.js';

/** +UPSD op 0 values, in u-blox order. */
const IP_TYPES: readonly ProfileIpType[] = ['ipv4', 'ipv6', 'ipv4v6-prefer-v4', 'ipv4v6-prefer-v6'];
const IPV4 = /^(\d{1,3}\.){3}\d{1,3}$/;

interface OpCode {
  spec(ctx: CommandContext): ParamSpec;
  show(p: InternalProfile): string;
  change(v: ParamValue): Partial<InternalProfile>;
}

const text = (field: 'apn' | 'username' | 'password' | 'dns1' | 'dns2' | 'staticAddress', spec: Omit<ParamSpec & { type: 'string' }, 'name' | 'type'>): OpCode => ({
  spec: () => ({ name: 'value', type: 'string', ...spec }),
  // Passwords are write-only.
  show: (p) => q(field === 'password' ? '' : p[field]),
  change: (v) => ({ [field]: v as string }),
});

/** The +UPSD parameters this module keeps, by op code. */
const OPS: Record<number, OpCode> = {
  0: {
    spec: () => ({ name: 'value', type: 'int', min: 0, max: IP_TYPES.length - 1 }),
    show: (p) => String(IP_TYPES.indexOf(p.ipType)),
    change: (v) => ({ ipType: IP_TYPES[v as number]! }),
  },
  1: text('apn', { maxLength: 99 }),
  2: text('username', { maxLength: 64 }),
  3: text('password', { maxLength: 64 }),
  4: text('dns1', { pattern: IPV4 }),
  5: text('dns2', { pattern: IPV4 }),
  6: {
    spec: () => ({ name: 'value', type: 'int', min: 0, max: 3 }),
    show: (p) => String(p.auth),
    change: (v) => ({ auth: v as number }),
  },
  7: text('staticAddress', { pattern: IPV4 }),
  100: {
    spec: (ctx) => ({ name: 'value', type: 'int', min: ctx.module.model.network.psd.cidMin, max: ctx.module.model.network.psd.cidMax }),
    show: (p) => String(p.cid),
    change: (v) => ({ cid: v as number }),
  },
};
const OP_CODES = Object.keys(OPS).map(Number);
/** What `AT+UPSD=<profile>` lists: every op code but the password. */
const LISTED = OP_CODES.filter((op) => op !== 3);

const profileSpec = (ctx: CommandContext): ParamSpec => ({ name: 'profile', type: 'int', min: 0, max: ctx.module.model.limits.psdProfiles - 1 });
const profileRange = (ctx: CommandContext): string => `(0-${ctx.module.model.limits.psdProfiles - 1})`;

const UPSDA_RESET = 0;
const UPSDA_STORE = 1;
const UPSDA_LOAD = 2;
const UPSDA_ACTIVATE = 3;
const UPSDA_DEACTIVATE = 4;

/** Internal PDP contexts (PSD profiles) of the embedded IP stack. */
export const psdCommands = defineCommands(import.meta.url, [
  {
    name: '+UPSD',
    set(ctx, _args, raw) {
      const head = ctx.validate(raw.slice(0, 2), [profileSpec(ctx), { name: 'op', type: 'int', values: OP_CODES, optional: true }]);
      const p = head.profile as number;
      const psd = ctx.module.services.internalContexts;
      if (head.op === undefined) {
        if (raw.length > 1) throw cme(UbloxCme.badParameter);
        const profile = psd.profile(p);
        for (const op of LISTED) ctx.info(`+UPSD: ${p},${op},${OPS[op]!.show(profile)}`);
        return;
      }
      const op = OPS[head.op as number]!;
      if (raw.length === 2) {
        ctx.info(`+UPSD: ${p},${head.op},${op.show(psd.profile(p))}`);
        return;
      }
      const { value } = ctx.validate(raw.slice(2), [op.spec(ctx)]);
      psd.configure(p, op.change(value));
    },
    test(ctx) {
      ctx.info(`+UPSD: ${profileRange(ctx)},0,(0-3)`);
      ctx.info(`+UPSD: ${profileRange(ctx)},1,"APN"`);
      const { cidMin, cidMax } = ctx.module.model.network.psd;
      ctx.info(`+UPSD: ${profileRange(ctx)},100,(${cidMin}-${cidMax})`);
    },
  },
  {
    name: '+UPSDA',
    set(ctx, _args, raw) {
      const v = ctx.validate(raw, [profileSpec(ctx), { name: 'action', type: 'int', min: 0, max: 4 }]);
      const p = v.profile as number;
      const psd = ctx.module.services.internalContexts;
      switch (v.action) {
        case UPSDA_RESET:
          psd.reset(p);
          break;
        case UPSDA_STORE:
          psd.store(p);
          break;
        case UPSDA_LOAD:
          psd.load(p);
          break;
        // The result comes as +UUPSDA / +UUPSDD after OK (see urcs.ts).
        case UPSDA_ACTIVATE:
          service(() => psd.activate(p));
          break;
        case UPSDA_DEACTIVATE:
          service(() => psd.deactivate(p));
          break;
      }
    },
    test(ctx) {
      ctx.info(`+UPSDA: ${profileRange(ctx)},(0-4)`);
    },
  },
  {
    name: '+UPSND',
    set(ctx, _args, raw) {
      const v = ctx.validate(raw, [profileSpec(ctx), { name: 'param', type: 'int', values: [0, 1, 2, 8] }]);
      const p = v.profile as number;
      const status = ctx.module.services.internalContexts.status(p);
      const value =
        v.param === 8 ? String(status.active ? 1 : 0) : v.param === 0 ? q(status.address ?? '') : q(status.dns[(v.param as number) - 1] ?? '');
      ctx.info(`+UPSND: ${p},${v.param},${value}`);
    },
    test(ctx) {
      ctx.info(`+UPSND: ${profileRange(ctx)},(0-2,8)`);
    },
  },
]);
