import type { ParamSpec, ParamValues, RawParam } from '@modemlab/at';
import type { CommandContext } from '../../engine/context.js';
import { cme } from '../../engine/failure.js';
import { defineCommands, type CommandDef } from '../../engine/registry.js';
import { UbloxCme } from './errors.js';
import { keyCall, keysTable, lengthAndData, promptData } from './sec-keys-common.js';

/**
 * Local data protection (seed 001 §5.2.1; notes §1.8, §5.5), the seed's two forms exactly:
 *   AT+USECDATAENC=13,"ciphertextfile"  > datatoencrypt   OK               (blob into the file)
 *   AT+USECFILEDEC="ciphertextfile"     +USECFILEDEC: 13,"datatoencrypt"  OK
 * and the variants the notes list, one rule for all four commands: without a destination
 * file the result is printed as `<len>,"<binary>"`, with one it is stored and the answer is OK.
 *   AT+USECDATAENC=<len>[,"<dst>"]   AT+USECDATADEC=<len>[,"<dst>"]     data at the > prompt
 *   AT+USECFILEENC="<src>"[,"<dst>"] AT+USECFILEDEC="<src>"[,"<dst>"]   data from a file
 * Gated by the LocalDataProtection feature before the prompt; nothing is written on a refusal.
 */

const fileName: ParamSpec = { name: 'file', type: 'string', minLength: 1, maxLength: 248 };
const dstSpec: ParamSpec = { ...fileName, name: 'dst', optional: true };

type Transform = (ctx: CommandContext, input: Buffer) => Buffer;
const encrypt: Transform = (ctx, input) => keyCall(ctx, () => ctx.module.services.keys.local.encrypt(input));
const decrypt: Transform = (ctx, input) => keyCall(ctx, () => ctx.module.services.keys.local.decrypt(input));

/** Prints the result, or stores it in `dst`. */
function deliver(ctx: CommandContext, name: string, result: Buffer, dst: string | undefined): void {
  if (dst === undefined) ctx.info(`${name}: ${lengthAndData(result)}`);
  else keyCall(ctx, () => ctx.module.services.files.write(dst, result));
}

function dataCommand(name: string, transform: Transform): CommandDef {
  return {
    name,
    async set(ctx: CommandContext, _args: ParamValues, raw: RawParam[]) {
      const t = keysTable(ctx);
      const v = ctx.validate(raw, [{ name: 'length', type: 'int', min: 1, max: t.maxData }, dstSpec]);
      keyCall(ctx, () => ctx.module.services.keys.local.check());
      const input = await promptData(ctx, v.length as number);
      deliver(ctx, name, transform(ctx, input), v.dst as string | undefined);
    },
    test(ctx: CommandContext) {
      ctx.info(`${name}: (1-${keysTable(ctx).maxData}),"filename"`);
    },
  };
}

function fileCommand(name: string, transform: Transform): CommandDef {
  return {
    name,
    set(ctx: CommandContext, _args: ParamValues, raw: RawParam[]) {
      const t = keysTable(ctx);
      const v = ctx.validate(raw, [fileName, dstSpec]);
      keyCall(ctx, () => ctx.module.services.keys.local.check());
      const files = ctx.module.services.files;
      const src = v.file as string;
      const size = keyCall(ctx, () => files.size(src));
      if (size > t.maxFile) throw cme(UbloxCme.badParameter, `${src}: ${size} bytes, more than ${t.maxFile}`);
      deliver(ctx, name, transform(ctx, keyCall(ctx, () => files.read(src))), v.dst as string | undefined);
    },
    test(ctx: CommandContext) {
      ctx.info(`${name}: "filename","filename"`);
    },
  };
}

export const secLocalCommands = defineCommands(import.meta.url, [
  dataCommand('+USECDATAENC', encrypt),
  dataCommand('+USECDATADEC', decrypt),
  fileCommand('+USECFILEENC', encrypt),
  fileCommand('+USECFILEDEC', decrypt),
]);
