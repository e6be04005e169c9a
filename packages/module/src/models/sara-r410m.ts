import { saraR4SecurityKeys } from './security-keys-table.js';
import { saraR4FileSystem } from './file-system-table.js';
import { saraR4Certificates } from './certificate-table.js';
import { saraR4Sockets } from './socket-table.js';
import { saraR4Tls } from './tls-table.js';
import { saraR4Http } from './http-table.js';
import { saraR410mMux } from './mux-table.js';
import { saraMqtt } from './mqtt-table.js';
import type { ModelTable } from './types.js';
import { UART_LIMITS } from './uart-limits.js';
import { saraR4SecurityService } from './security-service-table.js';

/** u-blox SARA-R410M-02B: LTE Cat-M1 / NB-IoT, the older R4 generation. */
export const saraR410m: ModelTable = {
  id: 'sara-r410m',
  vendor: 'u-blox',
  dialect: 'ublox',
  identity: {
    manufacturer: 'u-blox',
    model: 'SARA-R410M-02B',
    revision: 'L0.0.00.00.05.12',
    appVersion: 'L0.0.00.00.05.12,A.02.19',
    imeiTac: '35290611',
    svn: '02',
    atiLines: ['SARA-R410M-02B'],
  },
  limits: { maxLineLength: 1100, cidMin: 0, cidMax: 7, maxActiveContexts: 4, psdProfiles: 1, ...UART_LIMITS },
  network: {
    rats: [7, 8],
    actByRat: { 7: 7, 8: 9 },
    copsActs: [7, 9],
    defaultIpv4v6Grant: 'IP',
    defaultMnoProfile: 1,
    mnoProfiles: [0, 1, 2, 3, 4, 5, 6, 8, 19, 21, 28, 31, 39, 100],
    bands: {
      7: [2, 3, 4, 5, 8, 12, 13, 20, 28],
      8: [2, 3, 4, 5, 8, 12, 13, 20, 28],
    },
    psd: { typeMustMatch: false, defaultIpType: 'ipv4', defaultCid: 1, cidMin: 1, cidMax: 7 },
  },
  certificates: saraR4Certificates,
  tls: saraR4Tls,
  sockets: saraR4Sockets,
  mux: saraR410mMux,
  http: saraR4Http,
  mqtt: saraMqtt,
  securityService: saraR4SecurityService,
  fileSystem: saraR4FileSystem,
  securityKeys: saraR4SecurityKeys,
  timing: { rebootMs: 5000 },
  /** No chip-to-chip security on SARA-R4 (models/c2c-table.ts). */
  excludedCommands: ['+USECC2C'],
  cgdcontTrailer: '0,0',
};
