import { saraR5SecurityKeys } from './security-keys-table.js';
import { saraR5FileSystem } from './file-system-table.js';
import { saraR5Certificates } from './certificate-table.js';
import { saraR5Sockets } from './socket-table.js';
import { saraR5Tls } from './tls-table.js';
import { saraR5Http } from './http-table.js';
import { saraR5Mux } from './mux-table.js';
import { saraMqtt } from './mqtt-table.js';
import type { ModelTable } from './types.js';
import { saraR5SecurityService } from './security-service-table.js';
import { saraR5Gpio } from './gpio-table.js';
import { UART_LIMITS } from './uart-limits.js';
import { saraR5C2c } from './c2c-table.js';

/** u-blox SARA-R510M8S: LTE Cat-M1 / NB-IoT, the seed documents' main product. */
export const saraR5: ModelTable = {
  id: 'sara-r5',
  vendor: 'u-blox',
  dialect: 'ublox',
  identity: {
    manufacturer: 'u-blox',
    model: 'SARA-R510M8S',
    revision: '03.15',
    appVersion: '03.15,A00.01',
    imeiTac: '35360611',
    svn: '01',
    atiLines: ['Manufacturer: u-blox', 'Model: SARA-R510M8S', 'Revision: 03.15', 'SVN: 01', 'IMEI: {imei}'],
  },
  limits: { maxLineLength: 1100, cidMin: 0, cidMax: 11, maxActiveContexts: 7, psdProfiles: 7, ...UART_LIMITS },
  network: {
    rats: [7, 8],
    actByRat: { 7: 7, 8: 9 },
    copsActs: [7, 9],
    defaultIpv4v6Grant: 'IP',
    defaultMnoProfile: 90,
    mnoProfiles: [0, 1, 19, 21, 28, 31, 39, 42, 43, 44, 45, 46, 90, 100, 101, 102, 103, 104, 200, 201, 206],
    bandmaskReadsEnabledRatsOnly: true,
    bands: {
      7: [1, 2, 3, 4, 5, 8, 12, 13, 18, 19, 20, 25, 26, 28, 66, 71, 85],
      8: [1, 2, 3, 4, 5, 8, 12, 13, 18, 19, 20, 25, 28, 66, 71, 85],
    },
    psd: { typeMustMatch: true, defaultIpType: 'ipv4v6-prefer-v4', defaultCid: 1, cidMin: 1, cidMax: 8 },
  },
  certificates: saraR5Certificates,
  tls: saraR5Tls,
  sockets: saraR5Sockets,
  mux: saraR5Mux,
  c2c: saraR5C2c,
  http: saraR5Http,
  mqtt: saraMqtt,
  securityService: saraR5SecurityService,
  fileSystem: saraR5FileSystem,
  securityKeys: saraR5SecurityKeys,
  gpio: saraR5Gpio,
  gnss: true,
  timing: { rebootMs: 3000 },
  cgdcontTrailer: '0,0,0,0,0,0',
};
