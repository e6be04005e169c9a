import type { RawParam } from '@modemlab/at';
import { cme } from '../../engine/failure.js';
import type { CommandContext } from '../../engine/context.js';
import { defineCommands } from '../../engine/registry.js';
import { UbloxCme } from './errors.js';

/** +UBANDMASK numbers its RATs 0 (LTE-M) and 1 (NB-IoT); the services use +URAT values. */
const BANDMASK_RAT: Record<number, number> = { 0: 7, 1: 8 };

/**
 * Radio off is +CFUN=0 or +CFUN=4 (seed 000 §2.3; host libraries set the MNO profile in
 * airplane mode): every radio-configuration command accepts both.
 */
const requireRadioOff = (ctx: CommandContext): void => {
  if (ctx.module.services.network.functionality === 1) throw cme(UbloxCme.notAllowed);
};

/** A 64-bit decimal mask; JSON numbers would lose its low bits. */
const maskParam = (p: RawParam | undefined): bigint => {
  if (p?.kind !== 'bare' || !/^\d{1,20}$/.test(p.text)) throw cme(UbloxCme.badParameter);
  const mask = BigInt(p.text);
  if (mask >= 1n << 64n) throw cme(UbloxCme.badParameter);
  return mask;
};

/** Radio configuration: MNO profile, RAT selection, bands. Changed only with the radio off. */
export const radioCommands = defineCommands(import.meta.url, [
  {
    name: '+UMNOPROF',
    set(ctx, _args, raw) {
      const { profile } = ctx.validate(raw, [
        { name: 'profile', type: 'int', values: ctx.module.model.network.mnoProfiles },
        { name: 'opt', type: 'int', min: 0, max: 1, optional: true },
      ]);
      // The profile rewrites the radio stack's settings, so the module refuses it with the radio on.
      requireRadioOff(ctx);
      ctx.module.services.radio.setOperatorProfile(profile as number);
    },
    read(ctx) {
      ctx.info(`+UMNOPROF: ${ctx.module.services.radio.effectiveOperatorProfile}`);
    },
    test(ctx) {
      ctx.info(`+UMNOPROF: (${ctx.module.model.network.mnoProfiles.join(',')}),(0-1)`);
    },
  },
  {
    name: '+URAT',
    set(ctx, _args, raw) {
      const rats = ctx.module.model.network.rats;
      const names = ['selected', 'preferred', 'second'].slice(0, rats.length);
      const values = ctx.validate(
        raw,
        names.map((name, i) => ({ name, type: 'int' as const, values: rats, optional: i > 0 })),
      );
      const chosen = names.map((n) => values[n]).filter((v): v is number => v !== undefined);
      if (new Set(chosen).size !== chosen.length) throw cme(UbloxCme.badParameter);
      requireRadioOff(ctx);
      ctx.module.services.radio.setRats(chosen);
    },
    read(ctx) {
      ctx.info(`+URAT: ${ctx.module.services.radio.effectiveRats.join(',')}`);
    },
    test(ctx) {
      const rats = ctx.module.model.network.rats;
      ctx.info(`+URAT: ${rats.map(() => `(${rats.join(',')})`).join(',')}`);
    },
  },
  {
    name: '+UBANDMASK',
    set(ctx, _args, raw) {
      if (raw.length < 2 || raw.length > 3) throw cme(UbloxCme.badParameter);
      const { rat } = ctx.validate(raw.slice(0, 1), [{ name: 'rat', type: 'int', values: bandmaskRats(ctx) }]);
      const mask = maskParam(raw[1]);
      // Bands 65-128 (the optional second mask) are accepted and not modelled.
      if (raw[2] !== undefined && raw[2].kind !== 'omitted') maskParam(raw[2]);
      const radio = ctx.module.services.radio;
      const serviceRat = BANDMASK_RAT[rat as number]!;
      if (mask === 0n || (mask & ~radio.supportedMask(serviceRat)) !== 0n) throw cme(UbloxCme.badParameter);
      requireRadioOff(ctx);
      radio.setBandMask(serviceRat, mask);
    },
    read(ctx) {
      const radio = ctx.module.services.radio;
      const listed = ctx.module.model.network.bandmaskReadsEnabledRatsOnly
        ? bandmaskRats(ctx).filter((r) => radio.effectiveRats.includes(BANDMASK_RAT[r]!))
        : bandmaskRats(ctx);
      ctx.info(`+UBANDMASK: ${listed.map((r) => `${r},${radio.bandMask(BANDMASK_RAT[r]!)}`).join(',')}`);
    },
    test(ctx) {
      ctx.info(`+UBANDMASK: (${bandmaskRats(ctx).join(',')})`);
    },
  },
]);

function bandmaskRats(ctx: CommandContext): number[] {
  const rats = ctx.module.model.network.rats;
  return Object.keys(BANDMASK_RAT)
    .map(Number)
    .filter((r) => rats.includes(BANDMASK_RAT[r]!));
}
