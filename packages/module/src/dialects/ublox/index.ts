import { cmuxCommand } from '../shared/cmux.js';
import { c2cCommands } from './c2c.js';
import type { Dialect } from '../types.js';
import { basicCommands } from './basic.js';
import { coapCommands } from './coap.js';
import { deviceCommands } from './device.js';
import { dnsPingCommands } from './dns-ping.js';
import { factoryCommands } from './factory.js';
import { fileCommands } from './files.js';
import { UbloxCme, ubloxErrorText } from './errors.js';
import { ftpCommands } from './ftp.js';
import { cellTimeCommands } from './cell-time.js';
import { fotaCommands } from './fota.js';
import { gnssCommands } from './gnss.js';
import { edrxReadCommands } from './edrx-read.js';
import { gpioCommands } from './gpio.js';
import { httpCommands } from './http.js';
import { mqttProfileCommands } from './mqtt.js';
import { mqttSessionCommands } from './mqtt-session.js';
import { identityCommands } from './identity.js';
import { mqttsnCommands } from './mqttsn.js';
import { pdpCounterCommands } from './pdp-counters.js';
import { pdpCommands } from './pdp.js';
import { powerCommands } from './power.js';
import { psdCommands } from './psd.js';
import { radioCommands } from './radio.js';
import { registrationCommands } from './registration.js';
import { signalCommands } from './signal.js';
import { simCommands } from './sim.js';
import { releaseSocketOwner } from './socket-owners.js';
import { socketCommands } from './sockets.js';
import { usecmngCommands } from './usecmng.js';
import { usecprfCommands } from './usecprf.js';
import { securityRotCommands } from './security-rot.js';
import { securityServiceCommands } from './security-service.js';
import { wireUbloxUrcs } from './urcs.js';
import { secDevCertCommands } from './sec-devcert.js';
import { secE2eCommands } from './sec-e2e.js';
import { secLocalCommands } from './sec-local.js';
import { secPskCommands } from './sec-psk.js';

export const ubloxDialect: Dialect = {
  id: 'ublox',
  commands: [
    ...basicCommands,
    ...identityCommands,
    ...simCommands,
    ...powerCommands,
    ...radioCommands,
    ...deviceCommands,
    ...registrationCommands,
    ...signalCommands,
    ...pdpCommands,
    ...pdpCounterCommands,
    ...psdCommands,
    ...dnsPingCommands,
    ...usecmngCommands,
    ...factoryCommands,
    ...usecprfCommands,
    ...socketCommands,
    ...httpCommands,
    ...mqttProfileCommands,
    ...mqttSessionCommands,
    ...fileCommands,
    ...mqttsnCommands,
    ...coapCommands,
    ...ftpCommands,
    ...gpioCommands,
    ...edrxReadCommands,
    ...cellTimeCommands,
    ...fotaCommands,
    ...gnssCommands,
    // IoT Security-as-a-Service (issue 11): root of trust, seal, bootstrap, heartbeat.
    ...securityRotCommands,
    ...securityServiceCommands,
    // RoT key services (seed 001 §5.2-§7): local data, PSK, E2E, ZTP.
    ...secLocalCommands,
    ...secPskCommands,
    ...secE2eCommands,
    ...secDevCertCommands,
    ...c2cCommands,
    cmuxCommand({ notAllowed: UbloxCme.notAllowed, badParameter: UbloxCme.badParameter }),
  ],
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
  terminalClosed: releaseSocketOwner,
};
