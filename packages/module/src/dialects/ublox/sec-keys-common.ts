import { cme, plainError } from '../../engine/failure.js';
import type { CommandContext } from '../../engine/context.js';
import type { SecurityKeysTable } from '../../models/security-keys-table.js';
import { KeyServiceError } from '../../services/security/key-service-error.js';
import { FileSystemError } from '../../services/files/file-system.js';
import { UbloxCme } from './errors.js';
import { fileFailure } from './files.js';

/**
 * What the RoT key commands share (+USECDATAENC..., +USECPSK, +USECE2E*, +USECDEVCERT).
 * Refusals (also in docs/architecture.md, "RoT key services"):
 * - not sealed, feature not authorized, ZTP material not delivered, a spent E2E counter:
 *   "operation not allowed" (3), notes §4;
 * - data that is not this module's (another RoT, a clone's copy is fine, tampered, cut
 *   short): "Incorrect parameters" (50);
 * - the data prompt's guard timer: "Command timeout" (2000); ESC: plain ERROR;
 * - file system refusals: the file system's own codes (1612 not found...).
 * Every refusal is logged and changes nothing.
 */
export const PROMPT_TIMEOUT = 2000;

/** The product's key services table; "operation not supported" on a product without one. */
export function keysTable(ctx: CommandContext): SecurityKeysTable {
  const t = ctx.module.model.securityKeys;
  if (!t) throw cme(UbloxCme.notSupported, 'no RoT key services on this product');
  return t;
}

/** Runs a key service or file call and turns its refusal into the u-blox error, logged. */
export function keyCall<T>(ctx: CommandContext, call: () => T): T {
  try {
    return call();
  } catch (err) {
    if (err instanceof KeyServiceError) {
      ctx.module.log(`${ctx.name} refused: ${err.message}`);
      throw cme(err.failure === 'bad-data' ? UbloxCme.badParameter : UbloxCme.notAllowed, err.message);
    }
    if (err instanceof FileSystemError) {
      ctx.module.log(`${ctx.name} refused: file system: ${err.message}`);
      throw fileFailure(err);
    }
    throw err;
  }
}

/** Collects exactly `length` bytes after the `>` prompt, or fails as the command's prompt does. */
export async function promptData(ctx: CommandContext, length: number): Promise<Buffer> {
  const input = await ctx.prompt({ kind: 'binary', length, char: '>', guardMs: keysTable(ctx).promptGuardMs });
  if (input.status === 'timeout') {
    ctx.module.log(`${ctx.name}: prompt timed out after ${input.received} of ${length} bytes`);
    throw cme(PROMPT_TIMEOUT, `${input.received} of ${length} bytes`);
  }
  if (input.status === 'cancelled') throw plainError('data cancelled');
  return input.data;
}

/** `<len>,"<bytes>"`: binary inside the quotes, as the seed prints +USECE2EDATAENC. */
export const lengthAndData = (data: Buffer): string => `${data.length},"${data.toString('latin1')}"`;
