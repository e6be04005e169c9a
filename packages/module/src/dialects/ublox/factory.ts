import { defineCommands } from '../../engine/registry.js';
import { formatValueRange } from './usecmng.js';

/**
 * +UFACTORY=<fs_op>,<nvm_op>: a factory restore of the file system and/or NVM, remembered
 * and carried out at the next boot (0,0 cancels a pending one). What is modelled so far is
 * the part the certificate manager documents: the imported certificates and keys are
 * erased (seed 002: "NOT PRESERVED (deleted) after a factory reset using +UFACTORY"), and
 * an fs_op that deletes the file system erases every user file (services/index.ts powerOn);
 * an NVM restore alone keeps the files, which are not NVM. Which values the product accepts and which of them erase security data are in its
 * certificate table (SARA-R5: fs_op 2 deletes every file, nvm_op 2 restores the NVM).
 */
export const factoryCommands = defineCommands(import.meta.url, [
  {
    name: '+UFACTORY',
    set(ctx, _args, raw) {
      const { fsOps, nvmOps } = ctx.module.model.certificates.factory;
      const v = ctx.validate(raw, [
        { name: 'fs_op', type: 'int', values: fsOps },
        { name: 'nvm_op', type: 'int', values: nvmOps },
      ]);
      ctx.module.services.certificates.requestFactoryRestore({ fsOp: v.fs_op as number, nvmOp: v.nvm_op as number });
    },
    read(ctx) {
      const { fsOp, nvmOp } = ctx.module.services.certificates.factoryRequest;
      ctx.info(`+UFACTORY: ${fsOp},${nvmOp}`);
    },
    test(ctx) {
      const { fsOps, nvmOps } = ctx.module.model.certificates.factory;
      ctx.info(`+UFACTORY: ${formatValueRange(fsOps)},${formatValueRange(nvmOps)}`);
    },
  },
]);
