import type { RadioScriptStep } from '../../models/radio-profiles.js';

/** What the simulated network grants an IPV4V6 request: the seed's operator gives IPv4 only. */
export type IpGrant = 'IP' | 'IPV6' | 'IPV4V6';

/** Options of the simulated operator network; every field has a default. */
export interface NetworkOptions {
  /** Long operator name shown by +COPS (default "Nutaq Cat-M1 Network"). */
  operatorName?: string;
  /** Short operator name (default "Nutaq"). */
  shortName?: string;
  /** MCC+MNC, 5 or 6 digits (default "00101", the 3GPP test network). */
  plmn?: string;
  /** Time from radio on to registration, ms (default 2000). */
  registrationDelayMs?: number;
  /** Report roaming (stat 5) instead of home (stat 1). */
  roaming?: boolean;
  /** Tracking area code and cell identity, hex (defaults "2B67", "01A2D001"). */
  tac?: string;
  cellId?: string;
  /** Physical cell id and downlink EARFCN of the serving cell (defaults 111, 6300 = band 20). */
  pci?: number;
  earfcn?: number;
  band?: number;
  /** Signal: RSSI and RSRP in dBm, RSRQ in dB, SINR in dB (defaults -71, -95, -10, 13). */
  rssi?: number;
  rsrp?: number;
  rsrq?: number;
  sinr?: number;
  /** First IPv4 address handed out; later contexts get the following ones (default 100.108.232.233). */
  addressPool?: string;
  /** IPv6 prefix (first 64 bits) for IPv6 addresses (default "2001:db8:100:0"). */
  ipv6Prefix?: string;
  /** DNS servers pushed at activation (default 8.8.8.8, 8.8.4.4). */
  dnsServers?: string[];
  /** APN the network assigns when the context asks for none (default "internet"). */
  defaultApn?: string;
  /**
   * APNs the operator serves (case-insensitive, as APNs are); a context that asks for another
   * is rejected on activation with ESM cause 27. "*" serves any; the empty APN is always
   * served. Default DEFAULT_APNS.
   */
  apns?: string[];
  /** What an IPV4V6 context is granted; defaults to the model's table. */
  ipv4v6Grant?: IpGrant;
  /** Radio coverage at power-up (default true); change later with setCoverage(). */
  coverage?: boolean;
  /** RRC inactivity timer: connected -> idle after this much silence, ms (default 10000). */
  rrcInactivityMs?: number;
  /**
   * Share of echo requests the simulated radio link drops (0..1, default 0). Tests of
   * ping timeouts use it: every real target here is on loopback and always answers.
   */
  packetLoss?: number;
  /**
   * <AcT> of the serving cell, when it is not the one the module's RAT implies: the seed's
   * "GPRS/eGPRS radio access technology" example registers on a 2G cell (AcT 3).
   */
  accessTechnology?: number;
  /** Radio profile at start ('ltem:edge', see models/radio-profiles; default 'off': loopback speed). */
  radio?: string;
  /** Radio script started with the module: coverage/profile changes at ms offsets on the module clock. */
  radioScript?: RadioScriptStep[];
}

/**
 * The APNs a lab operator serves by default (the empty APN is always served: the network
 * picks its default APN for it): the network's default "internet", and the APNs of the seed documents' examples ("apn_name" of
 * seed 000 §2.3, "ibox.tim.it" of seed 003 §2.1, "iot.apn"). Anything else, e.g. "flibble", is refused as a real network does.
 */
export const DEFAULT_APNS: readonly string[] = ['internet', 'apn_name', 'ibox.tim.it', 'iot.apn'];

export type ResolvedNetworkOptions = Required<Omit<NetworkOptions, 'ipv4v6Grant' | 'accessTechnology' | 'radio' | 'radioScript'>> & { ipv4v6Grant?: IpGrant; accessTechnology?: number };

export function resolveNetworkOptions(o: NetworkOptions): ResolvedNetworkOptions {
  return {
    operatorName: o.operatorName ?? 'Nutaq Cat-M1 Network',
    shortName: o.shortName ?? 'Nutaq',
    plmn: o.plmn ?? '00101',
    registrationDelayMs: o.registrationDelayMs ?? 2000,
    roaming: o.roaming ?? false,
    tac: (o.tac ?? '2B67').toUpperCase(),
    cellId: (o.cellId ?? '01A2D001').toUpperCase(),
    pci: o.pci ?? 111,
    earfcn: o.earfcn ?? 6300,
    band: o.band ?? 20,
    rssi: o.rssi ?? -71,
    rsrp: o.rsrp ?? -95,
    rsrq: o.rsrq ?? -10,
    sinr: o.sinr ?? 13,
    addressPool: o.addressPool ?? '100.108.232.233',
    ipv6Prefix: o.ipv6Prefix ?? '2001:db8:100:0',
    dnsServers: o.dnsServers ?? ['8.8.8.8', '8.8.4.4'],
    defaultApn: o.defaultApn ?? 'internet',
    apns: o.apns ?? [...DEFAULT_APNS],
    coverage: o.coverage ?? true,
    rrcInactivityMs: o.rrcInactivityMs ?? 10_000,
    packetLoss: Math.min(1, Math.max(0, o.packetLoss ?? 0)),
    ...(o.ipv4v6Grant ? { ipv4v6Grant: o.ipv4v6Grant } : {}),
    ...(o.accessTechnology !== undefined ? { accessTechnology: o.accessTechnology } : {}),
  };
}
