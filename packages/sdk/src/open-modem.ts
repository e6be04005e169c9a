/** One entry point: open the transport, ask the module who made it, return its driver. */
import { channelTrace } from './at-trace.js';
import { AtClient, type AtClientOptions } from './at-client.js';
import { QuectelModem } from './drivers/quectel.js';
import { TelitModem } from './drivers/telit.js';
import { UbloxModem } from './drivers/ublox.js';
import { AtError, AtTimeoutError, UnsupportedFeatureError, VendorMismatchError } from './errors.js';
import type { SdkLogger } from './logger.js';
import type { ModemVendor } from './modem.js';
import type { AnyModem, ModemOf } from './typed-modem.js';
import { openMux, type MuxOptions } from './mux/open-mux.js';
import { openTransport, type TransportOptions } from './transports/open.js';

export type OpenModemOptions = TransportOptions & {
  client?: AtClientOptions;
  /**
   * The vendor the caller expects. The result is typed as that vendor's driver (its extra
   * APIs type-check without casts); a module of another vendor is refused with
   * VendorMismatchError and the link closed.
   */
  vendor?: ModemVendor;
  /**
   * A pino-compatible logger (debug/info/warn/error taking `(object, message)`): commands
   * and their outcome at debug, URCs at debug, the link's close at info (warn when the
   * module refused the client). Same as `client.logger`.
   */
  logger?: SdkLogger;
  /**
   * The AT trace: every byte written to and read from the module, as trace records (a
   * callback, a Writable for JSON lines `modemlab trace` reads, or `{ sink, port }`).
   * Same as `client.trace`.
   */
  trace?: AtClientOptions['trace'];
  /** Run the driver's init sequence (default true). */
  init?: boolean;
  /**
   * Start 27.010 CMUX (`AT+CMUX=0`) and return one modem per channel (DLCI 1..channels),
   * each with its own AtClient and init. Closing the last of them closes the mux (CLD)
   * and the transport.
   */
  mux?: MuxOptions;
};

/** The vendor named in a `+CGMI` or `ATI` answer, or undefined. */
export function vendorOf(text: string): ModemVendor | undefined {
  if (/u-?blox/i.test(text)) return 'u-blox';
  if (/telit/i.test(text)) return 'telit';
  if (/quectel/i.test(text)) return 'quectel';
  return undefined;
}

/** The driver class of a vendor. */
export function driverFor<V extends ModemVendor>(vendor: V, client: AtClient): ModemOf<V>;
export function driverFor(vendor: ModemVendor, client: AtClient): AnyModem {
  switch (vendor) {
    case 'u-blox':
      return new UbloxModem(client);
    case 'telit':
      return new TelitModem(client);
    case 'quectel':
      return new QuectelModem(client);
  }
}

/** Asks `AT+CGMI`, then `ATI` if that does not name a known vendor. */
export async function detectVendor(client: AtClient, opts: { timeoutMs?: number } = {}): Promise<ModemVendor> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const ask = async (command: string): Promise<string> => {
    try {
      return (await client.send(command, { timeoutMs, expectPrefix: null })).lines.join('\n');
    } catch (error) {
      // A refusal (ERROR) is an answer; a silent or closed link is not.
      if (error instanceof AtError && !(error instanceof AtTimeoutError)) return '';
      throw error;
    }
  };
  const cgmi = await ask('AT+CGMI');
  const fromCgmi = vendorOf(cgmi);
  if (fromCgmi) return fromCgmi;
  const ati = await ask('ATI');
  const fromAti = vendorOf(ati);
  if (fromAti) return fromAti;
  throw new UnsupportedFeatureError('vendor', `no driver for this module: +CGMI ${JSON.stringify(cgmi)}, ATI ${JSON.stringify(ati)}`);
}

/**
 * Opens `{ url: 'tcp://host:port' }`, `{ path: '/dev/ttyUSB0' }` (or `{ stream }`), detects the
 * vendor and returns its driver, initialised unless `init: false`. On failure the link is closed.
 */
export function openModem<V extends ModemVendor>(opts: OpenModemOptions & { vendor: V; mux: MuxOptions }): Promise<Array<ModemOf<V>>>;
export function openModem<V extends ModemVendor>(opts: OpenModemOptions & { vendor: V; mux?: undefined }): Promise<ModemOf<V>>;
export function openModem(opts: OpenModemOptions & { mux: MuxOptions }): Promise<AnyModem[]>;
export function openModem(opts: OpenModemOptions & { mux?: undefined }): Promise<AnyModem>;
export function openModem(opts: OpenModemOptions): Promise<AnyModem | AnyModem[]>;
export async function openModem(opts: OpenModemOptions): Promise<AnyModem | AnyModem[]> {
  if (opts.mux) return openMuxModems(opts, opts.mux);
  const client = new AtClient(await openTransport(opts), clientOptions(opts));
  try {
    const modem = driverFor(expected(opts, await detectVendor(client)), client);
    if (opts.init !== false) await modem.init();
    opts.logger?.info({ vendor: modem.vendor }, 'modem opened');
    return modem;
  } catch (error) {
    await client.close();
    throw error;
  }
}

/** The client options with the top-level `logger` and `trace` folded in. */
function clientOptions(opts: OpenModemOptions): AtClientOptions {
  return {
    ...opts.client,
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.trace ? { trace: opts.trace } : {}),
  };
}

/** The detected vendor, if it is the one the caller named. */
function expected(opts: OpenModemOptions, vendor: ModemVendor): ModemVendor {
  if (opts.vendor !== undefined && opts.vendor !== vendor) throw new VendorMismatchError(opts.vendor, vendor);
  return vendor;
}

/** The `mux` form of openModem: the vendor is asked on channel 1, every channel gets its driver. */
async function openMuxModems(opts: OpenModemOptions, mux: MuxOptions): Promise<AnyModem[]> {
  const transport = await openTransport(opts);
  let opened;
  try {
    opened = await openMux(transport, { ...mux, closeWhenIdle: true });
  } catch (error) {
    transport.destroy();
    throw error;
  }
  // A traced modem traces each channel under its DLCI, in one session.
  const base = clientOptions(opts);
  const clients = opened.channels.map((channel, i) => {
    const trace = base.trace;
    return new AtClient(channel, trace ? { ...base, trace: channelTrace(trace, i + 1) } : base);
  });
  try {
    const vendor = expected(opts, await detectVendor(clients[0]!));
    const modems = clients.map((client) => driverFor(vendor, client));
    if (opts.init !== false) for (const modem of modems) await modem.init();
    return modems;
  } catch (error) {
    await opened.host.close({ destroyTransport: true });
    throw error;
  }
}
