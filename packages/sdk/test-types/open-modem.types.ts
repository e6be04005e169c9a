/**
 * Type test: compiled with tsc by typed-modem.test.ts (and by the project typecheck). Each
 * vendor's extra API type-checks without casts; what a vendor lacks is a type error.
 */
import { isUblox, openModem, type AnyModem, type QuectelModem, type TelitModem, type UbloxModem } from '../src/index.js';

export async function named(): Promise<void> {
  const ublox: UbloxModem = await openModem({ url: 'tcp://127.0.0.1:7000', vendor: 'u-blox' });
  await ublox.securityProfiles.configure(1, { hostname: 'broker.lab' });
  await ublox.files.list();
  await ublox.http.request({ method: 'GET', path: '/' }).catch(() => {});
  const direct = await ublox.connect({ host: 'broker.lab', port: 8883, directLink: true });
  direct.destroy();

  const telit: TelitModem = await openModem({ url: 'tcp://127.0.0.1:7000', vendor: 'telit' });
  // @ts-expect-error Telit has no security profiles
  void telit.securityProfiles;

  const quectel: QuectelModem = await openModem({ url: 'tcp://127.0.0.1:7000', vendor: 'quectel' });
  // @ts-expect-error the BC66 has no file API here
  void quectel.files;

  const [a, b]: UbloxModem[] = await openModem({ url: 'tcp://127.0.0.1:7000', vendor: 'u-blox', mux: { channels: 2 } });
  void a?.http;
  void b?.files;
}

export async function narrowed(): Promise<void> {
  const modem: AnyModem = await openModem({ url: 'tcp://127.0.0.1:7000' });
  // @ts-expect-error not every vendor has files: narrow first
  void modem.files;
  if (modem.vendor === 'u-blox') await modem.files.list();
  if (isUblox(modem)) await modem.http.request({ method: 'GET', path: '/' }).catch(() => {});
  // The common interface needs no narrowing.
  await modem.attach({ apn: 'internet' });
  await modem.close();
}
