import type { Dialect } from '../types.js';
import { basicCommands } from './basic.js';
import { UbloxCme, ubloxErrorText } from './errors.js';
import { identityCommands } from './identity.js';
import { wireUbloxUrcs } from './urcs.js';

export const ubloxDialect: Dialect = {
  id: 'ublox',
  commands: [...basicCommands, ...identityCommands],
  sessionDefaults: { echo: true, verbose: true, cmee: 0 },
  errorText: ubloxErrorText,
  errors: {
    badParameter: UbloxCme.badParameter,
    formNotSupported: UbloxCme.notSupported,
    internal: UbloxCme.unknown,
    lineTooLong: UbloxCme.lineTooLong,
  },
  promptText: (char) => `\r\n${char}`,
  wire: wireUbloxUrcs,
};
