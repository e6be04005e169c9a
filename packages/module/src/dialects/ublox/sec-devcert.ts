import { q } from '@modemlab/at';
import type { CommandContext } from '../../engine/context.js';
import { defineCommands } from '../../engine/registry.js';
import type { ZtpCredentials } from '../../services/security/security-state.js';
import { cme } from '../../engine/failure.js';
import { inC2cSession } from './c2c.js';
import { UbloxCme } from './errors.js';
import { keyCall, keysTable } from './sec-keys-common.js';

/**
 * +USECDEVCERT, the ZTP material (seed 001 §7.1.4-§7.1.5; notes §1.6), numbered per product
 * (models/security-keys-table.ts): SARA-R5 as ubxlib sends it (0 key, 1 certificate, 2 CA
 * chain), SARA-R4 as the seed prints it (0 check, 1 CA, 2 certificate, 3 key).
 *   AT+USECDEVCERT=<type>  →  +USECDEVCERT: <type>,"<PEM>"        (PEM lines joined by \n)
 *   AT+USECDEVCERT=0 (seed's check) → +USECDEVCERT: 0,<0 all present | 1 something missing>
 *   AT+USECDEVCERT?        →  +USECDEVCERT: <CA>,<certificate>,<key>   0 = provisioned, 1 = missing
 * The read form is the seed's on both products ("if all the numbers returned are 0, all the
 * needed data have been provisioned"). Gated by the ZTP feature; a part not delivered yet
 * answers "operation not allowed".
 */
const flag = (present: boolean): number => (present ? 0 : 1);

/**
 * Notes §1.6 [C, S1]: "If the C2C feature is enabled for the module, ZTP reads require an
 * open C2C session": on a product with C2C and the feature authorized, the key, certificate
 * and CA chain are refused (3, logged, nothing changes) outside a session on this terminal.
 */
function requireC2cSession(ctx: CommandContext): void {
  if (!ctx.module.services.c2c || !ctx.module.services.security.has('C2C') || inC2cSession(ctx.session)) return;
  ctx.module.log(`${ctx.name} refused: C2C is authorized, ZTP reads need an open C2C session`);
  throw cme(UbloxCme.notAllowed, 'ZTP reads need an open C2C session');
}

function part(ctx: CommandContext, type: number): keyof ZtpCredentials | 'check' | undefined {
  const t = keysTable(ctx).devCert;
  if (t.check === type) return 'check';
  if (t.key === type) return 'key';
  if (t.certificate === type) return 'certificate';
  if (t.caChain === type) return 'caChain';
  return undefined;
}

function types(ctx: CommandContext): number[] {
  const t = keysTable(ctx).devCert;
  return [t.check, t.key, t.certificate, t.caChain].filter((n): n is number => n !== undefined).sort((a, b) => a - b);
}

export const secDevCertCommands = defineCommands(import.meta.url, [
  {
    name: '+USECDEVCERT',
    set(ctx, _args, raw) {
      const v = ctx.validate(raw, [{ name: 'type', type: 'int', values: types(ctx) }]);
      const type = v.type as number;
      const which = part(ctx, type)!;
      const ztp = ctx.module.services.keys.ztp;
      if (which === 'check') {
        const s = keyCall(ctx, () => ztp.status());
        ctx.info(`+USECDEVCERT: ${type},${flag(s.key && s.certificate && s.caChain)}`);
        return;
      }
      requireC2cSession(ctx);
      const pem = keyCall(ctx, () => ztp.credentials())[which];
      ctx.info(`+USECDEVCERT: ${type},${q(pem.replace(/\r\n/g, '\n').replace(/\n+$/, ''))}`);
    },
    read(ctx) {
      const s = keyCall(ctx, () => ctx.module.services.keys.ztp.status());
      ctx.info(`+USECDEVCERT: ${flag(s.caChain)},${flag(s.certificate)},${flag(s.key)}`);
    },
    test(ctx) {
      ctx.info(`+USECDEVCERT: (${types(ctx).join(',')})`);
    },
  },
]);
