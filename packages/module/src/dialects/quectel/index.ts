import type { Dialect } from '../types.js';
import { quectelBasicCommands } from './basic.js';
import { QuectelCme, quectelErrorText } from './errors.js';
import { wireQsslUrcs } from './ssl.js';
import { sslConfigCommands } from './ssl-config.js';
import { sslCommands } from './ssl.js';
import type { ModuleHost } from '../../module-host.js';
import { registrationUrc } from '../ublox/registration-format.js';

/** Quectel's AT language (BC66): 3GPP basics and the SSL commands of seed 004. */
export const quectelDialect: Dialect = {
  id: 'quectel',
  commands: [...quectelBasicCommands, ...sslConfigCommands, ...sslCommands],
  sessionDefaults: { echo: true, verbose: true, cmee: 0 },
  errorText: quectelErrorText,
  errors: {
    badParameter: QuectelCme.badParameter,
    formNotSupported: QuectelCme.notSupported,
    internal: QuectelCme.unknown,
  },
  // Quectel prompts are '>' and a space at the start of a line.
  promptText: (char) => `\r\n${char} `,
  wire(module: ModuleHost) {
    const s = module.services;
    s.network.prependListener('registration', () => {
      const texts = Array.from({ length: 6 }, (_, n) => registrationUrc('+CEREG', n, module));
      module.urc((session) => texts[session.urcMode('+CEREG')]);
    });
    wireQsslUrcs(module);
  },
};
