import { E2E_V1, q, type E2eVersion, type ParamSpec } from '@modemlab/at';
import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import { UbloxCme } from './errors.js';
import { keyCall, keysTable, lengthAndData, promptData } from './sec-keys-common.js';

/**
 * End-to-end data protection, upstream (seed 001 §6.2.3; notes §1.1, §1.4):
 *   AT+USECOPCMD="e2e_enc"          →  +USECOPCMD: "e2e_enc",<v>     (0 = V1, 1 = V2)
 *   AT+USECOPCMD="e2e_enc",<v>      →  OK                            (kept in the NVM)
 *   AT+USECE2EDATAENC=<len>  > data  →  +USECE2EDATAENC: <len+32|28>,"<binary>"
 *   AT+USECE2EDATADEC=<len>  > blob  →  +USECE2EDATADEC: <len-32>,"<binary>"  (downlink, notes §1.4 [D])
 *   AT+USECE2EFILEENC="<src>"[,"<dst>"]  →  +USECE2EFILEENC: <n>,"<binary>" (or stored in dst, OK)
 * The blob is key identity ‖ ciphertext ‖ tag, binary inside the quotes. Gated by the E2E
 * feature; the key epoch comes from the heartbeats.
 */
const E2E_OPTION = 'e2e_enc';
const fileName: ParamSpec = { name: 'file', type: 'string', minLength: 1, maxLength: 248 };

export const secE2eCommands = defineCommands(import.meta.url, [
  {
    name: '+USECOPCMD',
    set(ctx, _args, raw) {
      const head = ctx.validate(raw.slice(0, 1), [{ name: 'option', type: 'string', maxLength: 32 }]);
      if (head.option !== E2E_OPTION) throw cme(UbloxCme.badParameter, `option ${String(head.option)}`);
      const e2e = ctx.module.services.keys.e2e;
      if (raw.length === 1) {
        keyCall(ctx, () => e2e.check());
        ctx.info(`+USECOPCMD: ${q(E2E_OPTION)},${e2e.version - 1}`);
        return;
      }
      const versions = keysTable(ctx).e2eVersions.map((v) => v - 1);
      const v = ctx.validate(raw.slice(1), [{ name: 'version', type: 'int', values: versions }]);
      keyCall(ctx, () => e2e.setVersion(((v.version as number) + 1) as E2eVersion));
    },
    test(ctx) {
      const versions = keysTable(ctx).e2eVersions.map((v) => v - 1);
      ctx.info(`+USECOPCMD: ${q(E2E_OPTION)},(${versions.join(',')})`);
    },
  },
  {
    name: '+USECE2EDATAENC',
    async set(ctx, _args, raw) {
      const v = ctx.validate(raw, [{ name: 'length', type: 'int', min: 1, max: keysTable(ctx).maxData }]);
      const e2e = ctx.module.services.keys.e2e;
      keyCall(ctx, () => e2e.check());
      const input = await promptData(ctx, v.length as number);
      ctx.info(`+USECE2EDATAENC: ${lengthAndData(keyCall(ctx, () => e2e.encrypt(input)))}`);
    },
    test(ctx) {
      ctx.info(`+USECE2EDATAENC: (1-${keysTable(ctx).maxData})`);
    },
  },
  {
    name: '+USECE2EDATADEC',
    async set(ctx, _args, raw) {
      const v = ctx.validate(raw, [{ name: 'length', type: 'int', min: 1, max: keysTable(ctx).maxData + E2E_V1.overhead }]);
      const e2e = ctx.module.services.keys.e2e;
      keyCall(ctx, () => e2e.check());
      const input = await promptData(ctx, v.length as number);
      ctx.info(`+USECE2EDATADEC: ${lengthAndData(keyCall(ctx, () => e2e.decrypt(input)))}`);
    },
    test(ctx) {
      ctx.info(`+USECE2EDATADEC: (1-${keysTable(ctx).maxData + E2E_V1.overhead})`);
    },
  },
  {
    name: '+USECE2EFILEENC',
    set(ctx, _args, raw) {
      const t = keysTable(ctx);
      const v = ctx.validate(raw, [fileName, { ...fileName, name: 'dst', optional: true }]);
      const { e2e } = ctx.module.services.keys;
      const files = ctx.module.services.files;
      keyCall(ctx, () => e2e.check());
      const src = v.file as string;
      const size = keyCall(ctx, () => files.size(src));
      if (size > t.maxFile) throw cme(UbloxCme.badParameter, `${src}: ${size} bytes, more than ${t.maxFile}`);
      const blob = keyCall(ctx, () => e2e.encrypt(files.read(src)));
      if (v.dst === undefined) ctx.info(`+USECE2EFILEENC: ${lengthAndData(blob)}`);
      else keyCall(ctx, () => files.write(v.dst as string, blob));
    },
    test(ctx) {
      ctx.info('+USECE2EFILEENC: "filename","filename"');
    },
  },
]);
