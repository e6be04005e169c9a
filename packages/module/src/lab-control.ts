/**
 * The lab's view of and hand on one module (the lab console, packages/cli/src/console):
 * `labSnapshot` is the module's state as plain JSON (registration, signal, PDP contexts,
 * sockets with their TLS side, certificates, files, security profiles); `applyControls`
 * changes the simulated network at once. Every control goes through the service that owns
 * it, so its effect shows as the module's own URCs (+CEREG...) in the trace.
 *
 * A control set is validated as a whole before anything changes: a bad value is a
 * LabControlError ('bad-request') and no state changes.
 */
import type { Clock } from '@modemlab/at';
import type { ModelTable } from './models/types.js';
import type { ModuleServices } from './services/index.js';

/** The latency/loss profile of the radio link, where the module has one (services.radioLink). */
export interface RadioLinkControl {
  set(spec: unknown): void;
  spec(): unknown;
}

/** What the lab reads and changes: the module's table, clock and services. */
export interface LabModule {
  readonly model: ModelTable;
  readonly clock: Clock;
  readonly services: ModuleServices & { radioLink?: RadioLinkControl };
}

export interface LabSignal {
  rssi?: number;
  rsrp?: number;
  rsrq?: number;
  sinr?: number;
}

/** One request's controls; each present field takes effect at once. */
export interface LabControls {
  /** Radio coverage on/off (+CEREG: 2 when lost, registration again when back). */
  coverage?: boolean;
  /** <AcT> of the serving cell (RAT_NAMES); the module registers again on the new cell. */
  rat?: number;
  signal?: LabSignal;
  /** APNs the operator serves ("*" any); others are refused at activation. */
  apns?: string[];
  /** The module's clock (+CCLK) ahead of (or behind, negative) the lab's clock, ms. */
  clockOffsetMs?: number;
  /** The radio link's latency/loss profile (services.radioLink); 'not-implemented' without one. */
  radio?: unknown;
}

export class LabControlError extends Error {
  constructor(
    readonly code: 'bad-request' | 'not-implemented',
    message: string,
  ) {
    super(message);
    this.name = 'LabControlError';
  }
}

/** 27.007 <AcT> values a lab cell may have, with their names. */
export const RAT_NAMES: Readonly<Record<number, string>> = { 0: 'GSM', 3: 'GSM/EGPRS', 7: 'LTE', 8: 'LTE Cat-M1', 9: 'LTE Cat-NB1' };

/** The signal fields and their ranges (dBm, dB). */
const SIGNAL_RANGES: Readonly<Record<keyof LabSignal, readonly [number, number]>> = {
  rssi: [-113, -51],
  rsrp: [-140, -44],
  rsrq: [-20, -3],
  sinr: [-20, 30],
};
const CONTROL_KEYS = new Set(['coverage', 'rat', 'signal', 'apns', 'clockOffsetMs', 'radio']);
const QUARTER_HOUR_MS = 15 * 60_000;

const bad = (message: string): never => {
  throw new LabControlError('bad-request', message);
};

/** Checks a control set without changing anything; returns it typed. */
export function validateControls(m: LabModule, input: unknown): LabControls {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return bad('controls must be a JSON object');
  const c = input as Record<string, unknown>;
  for (const k of Object.keys(c)) if (!CONTROL_KEYS.has(k)) bad(`unknown control '${k}'`);
  if (c.coverage !== undefined && typeof c.coverage !== 'boolean') bad('coverage must be true or false');
  if (c.rat !== undefined && !(typeof c.rat === 'number' && c.rat in RAT_NAMES)) bad(`rat must be one of ${Object.keys(RAT_NAMES).join(', ')}`);
  if (c.signal !== undefined) {
    if (typeof c.signal !== 'object' || c.signal === null) bad('signal must be an object');
    for (const [k, v] of Object.entries(c.signal as Record<string, unknown>)) {
      const range = SIGNAL_RANGES[k as keyof LabSignal];
      if (!range) bad(`unknown signal field '${k}'`);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < range![0] || v > range![1]) bad(`signal.${k} must be an integer in ${range![0]}..${range![1]}`);
    }
  }
  if (c.apns !== undefined && !(Array.isArray(c.apns) && c.apns.every((a) => typeof a === 'string' && a.length <= 100))) bad('apns must be a list of APN strings');
  if (c.clockOffsetMs !== undefined && !(typeof c.clockOffsetMs === 'number' && Number.isSafeInteger(c.clockOffsetMs))) bad('clockOffsetMs must be an integer');
  if (c.radio !== undefined && !m.services.radioLink) throw new LabControlError('not-implemented', 'this module has no radio link profile');
  return c as LabControls;
}

/** Validates, then applies every control; throws LabControlError with nothing changed. */
export function applyControls(m: LabModule, input: unknown): void {
  const c = validateControls(m, input);
  const { network, rtc } = m.services;
  // The radio profile first: its own validation may still refuse it, before anything else changed.
  if (c.radio !== undefined) {
    try {
      m.services.radioLink!.set(c.radio);
    } catch (err) {
      bad(`radio: ${(err as Error).message}`);
    }
  }
  if (c.signal) Object.assign(network.options, c.signal);
  if (c.apns) network.options.apns = [...c.apns];
  if (c.clockOffsetMs !== undefined) {
    const { quarterHours, daylightSaving } = rtc.now();
    rtc.set({ localMs: m.clock.now() + c.clockOffsetMs + quarterHours * QUARTER_HOUR_MS, quarterHours, ...(daylightSaving ? { daylightSaving } : {}) });
  }
  if (c.rat !== undefined && c.rat !== network.options.accessTechnology) {
    network.options.accessTechnology = c.rat;
    // A new cell: the module drops its registration and registers again on it.
    if (network.hasCoverage && c.coverage !== false) {
      network.setCoverage(false);
      network.setCoverage(true);
    }
  }
  if (c.coverage !== undefined && c.coverage !== network.hasCoverage) network.setCoverage(c.coverage);
}

const settle = <T>(f: () => T): T | undefined => {
  try {
    return f();
  } catch {
    return undefined;
  }
};

/** The module's state as plain JSON, for the console and the SDK's LabClient. */
export function labSnapshot(m: LabModule) {
  const s = m.services;
  const o = s.network.options;
  const sockets = [];
  for (let id = 0; id < m.model.sockets.count; id++) {
    if (!s.sockets.exists(id)) continue;
    const info = s.sockets.info(id);
    const tls = settle(() => s.sockets.tlsInfo(id));
    const peerCertificate = settle(() => s.sockets.peerCertificate(id));
    sockets.push({
      ...info,
      ...(tls ? { tls: { version: tls.protocol, cipher: tls.cipher, sessionReused: tls.reused, sessionSaved: tls.session !== undefined } } : {}),
      ...(peerCertificate ? { peerCertificate } : {}),
    });
  }
  const certificates = (['user', 'preinstalled'] as const).flatMap((db) =>
    s.certificates.list(undefined, db).map((e) => ({
      type: e.type,
      name: e.name,
      md5: e.md5,
      preinstalled: e.preinstalled,
      ...(e.commonName !== undefined ? { commonName: e.commonName } : {}),
      ...(e.notAfter ? { notAfter: e.notAfter.toISOString() } : {}),
    })),
  );
  const securityProfiles = [];
  for (let id = 0; id < s.securityProfiles.count; id++) {
    const p = settle(() => s.securityProfiles.get(id));
    if (!p) continue;
    const session = settle(() => s.securityProfiles.session(id));
    securityProfiles.push({
      id,
      validation: p.validation,
      tlsVersion: p.tlsVersion,
      rootCa: p.rootCa,
      clientCert: p.clientCert,
      serverHostname: p.serverHostname,
      sni: p.sni,
      alpn: p.alpn,
      sessionResumption: session?.status ?? 0,
    });
  }
  const rtc = s.rtc.now();
  return {
    model: m.model.id,
    registration: {
      stat: s.network.stat,
      cause: s.network.lastCause,
      coverage: s.network.hasCoverage,
      radioOn: s.network.radioOn,
      rrcConnected: s.network.rrcConnected,
      operator: o.operatorName,
      plmn: o.plmn,
      rat: o.accessTechnology ?? null,
    },
    signal: { rssi: o.rssi, rsrp: o.rsrp, rsrq: o.rsrq, sinr: o.sinr },
    apns: [...o.apns],
    clock: { utc: new Date(s.rtc.utcMs()).toISOString(), offsetMs: rtc.localMs - rtc.quarterHours * QUARTER_HOUR_MS - m.clock.now() },
    pdp: {
      // A context's password is the host's secret: the console says only whether one is set.
      defined: s.pdp.definitionsList().map(({ password, ...d }) => ({ ...d, passwordSet: password !== '' })),
      active: s.pdp.activeList(),
    },
    sockets,
    certificates,
    files: s.files.list(),
    securityProfiles,
    radioLink: s.radioLink ? (s.radioLink.spec() ?? null) : null,
  };
}

export type LabSnapshot = ReturnType<typeof labSnapshot>;
