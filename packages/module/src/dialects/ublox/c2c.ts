/**
 * +USECC2C, local chip-to-chip security (seed 001 §5.1, notes/security-service.md §1.7,
 * notes/c2c-and-host-libraries.md §1.2):
 *
 * - `=0,"<TE secret>"` pairs: `+USECC2C: 0,0,"<key>"` (V1) or `...,"<HMAC key>","<tag>"` (V2).
 * - `=4,"<TE secret>","<128 hex>"` (V2) confirms the pairing with the encrypted tag.
 * - `=1,"<TE secret>"` opens a session: `OK` in clear, then the C2C layer is pushed and
 *   every byte of this terminal is framed. Opening the same session again is a no-op.
 * - `=2[,"<TE secret>"]` closes it: its `OK` is framed, then the layer is popped. The seed
 *   prints the close with the TE secret, ubxlib without: both are accepted.
 * - `=3` rekeys (seed §5.1.5): new keys for this session's pairing, answered inside the
 *   session like a pairing (`+USECC2C: 3,0,...`), after which the session closes.
 *
 * Pairings are per TE secret and terminal device name: `UART` for the port, `MUX<n>` for
 * CMUX channel n. Products without a C2C row answer `ERROR`, as for an unknown command.
 * Errors (ours where the sources are silent, docs/architecture.md "C2C"): not allowed in
 * this bootstrap state / feature missing / grace used up / not in a session: 3; all
 * pairing slots taken: 20; TE secret not paired on this terminal, malformed hex, wrong
 * confirmation: 50. A refusal changes nothing and is logged.
 */
import { q, type ParamSpec } from '@modemlab/at';
import type { CommandContext } from '../../engine/context.js';
import type { TerminalSession } from '../../engine/session.js';
import { cme, plainError } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import { C2cLayer } from '../../link/c2c-layer.js';
import type { LinkControl } from '../../link/link-stack.js';
import type { ModuleHost } from '../../module-host.js';
import { C2cError, type C2cPairingResult, type C2cPairings } from '../../services/c2c/c2c-pairings.js';
import { UbloxCme } from './errors.js';

const OP_PAIR = 0;
const OP_OPEN = 1;
const OP_CLOSE = 2;
const OP_REKEY = 3;
const OP_CONFIRM = 4;

const MEMORY_FULL = 20;

const hexSpec = (name: string, bytes: number, optional = false): ParamSpec => ({
  name,
  type: 'string',
  minLength: bytes * 2,
  maxLength: bytes * 2,
  pattern: /^[0-9A-Fa-f]+$/,
  ...(optional ? { optional } : {}),
});

/** The open session of a terminal: the pairing it runs under. */
const sessions = new WeakMap<TerminalSession, { teSecret: Buffer }>();

/** Whether a C2C session is open on this terminal (ZTP reads need one when C2C is authorized). */
export function inC2cSession(session: TerminalSession): boolean {
  return sessions.has(session);
}

function pairings(module: ModuleHost): C2cPairings {
  const c2c = module.services.c2c;
  if (!c2c) throw plainError('no chip-to-chip security on this product');
  return c2c;
}

/** The terminal device name a pairing is bound to (seed §5.1.2: "the ID of the AT terminal"). */
export function terminalDevice(link: LinkControl): string {
  if (link.layers.includes('cmux')) return 'MUX1';
  const channel = /dlci(\d+)$/.exec(link.port);
  if (link.enclosing.includes('cmux') && channel) return `MUX${channel[1]}`;
  return 'UART';
}

const ERROR_CODE: Record<C2cError['kind'], number> = {
  'not-allowed': UbloxCme.notAllowed,
  'grace-exhausted': UbloxCme.notAllowed,
  full: MEMORY_FULL,
  'unknown-secret': UbloxCme.badParameter,
  'bad-confirmation': UbloxCme.badParameter,
};

function c2cCall<T>(ctx: CommandContext, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (!(err instanceof C2cError)) throw err;
    ctx.module.log(`+USECC2C refused: ${err.message}`);
    throw cme(ERROR_CODE[err.kind], err.message);
  }
}

const hex = (b: Buffer): string => q(b.toString('hex').toUpperCase());

function keysLine(op: number, r: C2cPairingResult): string {
  const parts = [hex(r.keys.encKey)];
  if (r.keys.version === 2) parts.push(hex(r.keys.hmacKey!), hex(r.confirmationTag!));
  return `+USECC2C: ${op},0,${parts.join(',')}`;
}

function refuse(ctx: CommandContext, message: string): never {
  ctx.module.log(`+USECC2C refused: ${message}`);
  throw cme(UbloxCme.notAllowed, message);
}

function openSession(ctx: CommandContext, c2c: C2cPairings, teSecret: Buffer): void {
  const current = sessions.get(ctx.session);
  if (ctx.link.layers.includes('c2c') && current) {
    if (!current.teSecret.equals(teSecret)) refuse(ctx, 'another C2C session is open on this terminal');
    return; // already open: a no-op success (ubxlib), answered inside the session
  }
  const keys = c2cCall(ctx, () => c2c.open(teSecret, terminalDevice(ctx.link)));
  const module = ctx.module;
  const session = ctx.session;
  const powerOff = (): void => layer.end();
  const layer = new C2cLayer(keys, {
    // Recorded once the push happened: a later command of the same line that fails drops it.
    onOpen: () => {
      sessions.set(session, { teSecret });
      // The C2C context is gone at power-off and reboot (ubxlib drops it there too).
      module.services.lifecycle.once('power-off', powerOff);
    },
    onClose: () => {
      sessions.delete(session);
      module.services.lifecycle.off('power-off', powerOff);
    },
  });
  ctx.link.push(layer);
}

function closeSession(ctx: CommandContext, c2c: C2cPairings, teSecret: Buffer | undefined): void {
  const current = sessions.get(ctx.session);
  if (!current || !ctx.link.layers.includes('c2c')) refuse(ctx, 'no C2C session is open on this terminal');
  if (teSecret && !teSecret.equals(current.teSecret)) {
    ctx.module.log('+USECC2C refused: the TE secret is not the open session’s');
    throw cme(UbloxCme.badParameter);
  }
  c2c.close();
  ctx.link.pop();
}

export const c2cCommands = defineCommands(import.meta.url, [
  {
    name: '+USECC2C',
    set(ctx, _args, raw) {
      const c2c = pairings(ctx.module);
      const maxOp = c2c.version === 2 ? OP_CONFIRM : OP_REKEY;
      const opSpec: ParamSpec = { name: 'op', type: 'int', min: 0, max: maxOp };
      const { op } = ctx.validate(raw.slice(0, 1), [opSpec]);
      const device = terminalDevice(ctx.link);
      switch (op) {
        case OP_PAIR: {
          const v = ctx.validate(raw, [opSpec, hexSpec('te_secret', 16)]);
          const r = c2cCall(ctx, () => c2c.pair(Buffer.from(v.te_secret as string, 'hex'), device));
          ctx.info(keysLine(OP_PAIR, r));
          return;
        }
        case OP_CONFIRM: {
          const v = ctx.validate(raw, [opSpec, hexSpec('te_secret', 16), hexSpec('confirmation', 64)]);
          c2cCall(ctx, () => c2c.confirm(Buffer.from(v.te_secret as string, 'hex'), device, Buffer.from(v.confirmation as string, 'hex')));
          return;
        }
        case OP_OPEN: {
          const v = ctx.validate(raw, [opSpec, hexSpec('te_secret', 16)]);
          return openSession(ctx, c2c, Buffer.from(v.te_secret as string, 'hex'));
        }
        case OP_CLOSE: {
          const v = ctx.validate(raw, [opSpec, hexSpec('te_secret', 16, true)]);
          const te = v.te_secret as string | undefined;
          return closeSession(ctx, c2c, te === undefined ? undefined : Buffer.from(te, 'hex'));
        }
        case OP_REKEY: {
          ctx.validate(raw, [opSpec]);
          const current = sessions.get(ctx.session);
          if (!current || !ctx.link.layers.includes('c2c')) refuse(ctx, 'rekeying needs an open C2C session');
          const r = c2cCall(ctx, () => c2c.rekey(current.teSecret, device));
          ctx.info(keysLine(OP_REKEY, r));
          // "The session used for rekeying is closed" (seed §5.1.5), after this framed answer.
          ctx.link.pop();
          return;
        }
      }
    },
    test(ctx) {
      const c2c = pairings(ctx.module);
      ctx.info(`+USECC2C: (0-${c2c.version === 2 ? OP_CONFIRM : OP_REKEY})`);
    },
  },
]);
