import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import type { ModuleHost } from '../../module-host.js';
import { UbloxCme } from './errors.js';

/** +UFOTASTAT event 3 (install status) with status 1: installed successfully (ubxlib's U_CELL_FOTA_STATUS_INSTALL_SUCCESS). */
const INSTALL_SUCCESS = 1;

/** FOTA URCs when enabled: a pushed download's start/progress/complete (+UFOTASTAT: 1,0,0 / 0,1,<%> / 2,2,100), after the boot that ran an install +UFOTASTAT: 3,1,0. */
export function wireFotaUrcs(module: ModuleHost): void {
  const fw = module.services.firmware;
  fw.on('installed', () => {
    if (fw.fotaUrcs) module.urc(`+UFOTASTAT: 3,${INSTALL_SUCCESS},0`);
  });
  fw.on('download', ({ event, param1, param2 }) => {
    if (fw.fotaUrcs) module.urc(`+UFOTASTAT: ${event},${param1},${param2}`);
  });
}

/** Firmware update (SARA-R5): +UFOTASTAT reports, +UFWINSTALL installs an image from the file system. */
export const fotaCommands = defineCommands(import.meta.url, [
  {
    name: '+UFOTASTAT',
    params: [{ name: 'state', type: 'int', min: 0, max: 1 }],
    set(ctx, { state }) {
      ctx.module.services.firmware.fotaUrcs = state === 1;
    },
    read(ctx) {
      ctx.info(`+UFOTASTAT: ${ctx.module.services.firmware.fotaUrcs ? 1 : 0}`);
    },
    test(ctx) {
      ctx.info('+UFOTASTAT: (0-1)');
    },
  },
  {
    name: '+UFWINSTALL',
    // AT+UFWINSTALL[=[<port>][,[<baud_rate>][,[<reserved>][,<urc_state>]]]]: with <urc_state> it
    // only switches the +UFWPREVAL/+UUFWINSTALL reports (ubxlib's way); without, it installs.
    params: [
      { name: 'port', type: 'int', min: 0, max: 3, optional: true },
      { name: 'baud', type: 'int', min: 9600, max: 3_000_000, optional: true },
      { name: 'reserved', type: 'int', min: 0, max: 0, optional: true },
      { name: 'urcs', type: 'int', min: 0, max: 1, optional: true },
    ],
    set(ctx, { urcs }) {
      if (urcs !== undefined) {
        ctx.module.services.firmware.installUrcs = urcs === 1;
        return;
      }
      install(ctx.module, (fn) => ctx.afterResult(fn));
    },
    action(ctx) {
      install(ctx.module, (fn) => ctx.afterResult(fn));
    },
    test(ctx) {
      ctx.info('+UFWINSTALL: (0-3),(9600-3000000),,(0-1)');
    },
  },
]);

/** No image in the file system: "operation not allowed" (our choice). Else OK, the validation and install reports, and a reboot into the new version. */
function install(module: ModuleHost, afterResult: (fn: () => void) => void): void {
  const fw = module.services.firmware;
  if (!fw.findImage()) throw cme(UbloxCme.notAllowed);
  afterResult(() => {
    if (fw.installUrcs) {
      module.urc('+UFWPREVAL: 100');
      module.urc('+UUFWINSTALL: 100');
    }
    fw.install();
    module.reboot();
  });
}
