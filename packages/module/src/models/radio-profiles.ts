/**
 * Per-RAT network profiles: what a cellular link looks like under a named condition.
 * A data table (no logic): the radio link service applies a row to the operator (signal,
 * registration time) and to every data path through the dialer (latency, bandwidth, loss).
 */
export type RadioRat = 'ltem' | 'nbiot' | 'gsm';
export type RadioCondition = 'good' | 'edge' | 'deep-indoor';

export interface RadioProfile {
  /** Radio on -> registered, ms (the operator's registration delay). */
  registrationMs: number;
  /** Default-bearer / PDP attach time after registration, ms: tabled, not applied yet (LTE attach is inside `registrationMs`). */
  attachMs: number;
  /** Round-trip latency and its jitter (uniform +-), ms. */
  rttMs: number;
  jitterMs: number;
  /** Uplink and downlink throughput, bits per second. */
  uplinkBps: number;
  downlinkBps: number;
  /** UDP: share of datagrams lost and share delivered late (after the next ones), 0..1. */
  udpLoss: number;
  udpReorder: number;
  /** Signal consistent with the condition: RSSI and RSRP in dBm, RSRQ and SINR in dB. */
  rssi: number;
  rsrp: number;
  rsrq: number;
  sinr: number;
}

/** One step of a radio script: at `at` ms after the script starts, coverage and/or the profile change. */
export interface RadioScriptStep {
  at: number;
  coverage?: boolean;
  radio?: string;
}

export const RADIO_RATS: readonly RadioRat[] = ['ltem', 'nbiot', 'gsm'];
export const RADIO_CONDITIONS: readonly RadioCondition[] = ['good', 'edge', 'deep-indoor'];

/**
 * Figures from field reports of Cat-M1 (CE mode A/B), NB-IoT (coverage classes 0..2) and
 * GPRS (CS-1..CS-4): orders of magnitude a firmware must cope with, not a vendor's promise.
 */
export const RADIO_PROFILES: Readonly<Record<RadioRat, Readonly<Record<RadioCondition, RadioProfile>>>> = {
  ltem: {
    good: { registrationMs: 2_000, attachMs: 500, rttMs: 80, jitterMs: 10, uplinkBps: 375_000, downlinkBps: 300_000, udpLoss: 0.002, udpReorder: 0.001, rssi: -65, rsrp: -85, rsrq: -8, sinr: 15 },
    edge: { registrationMs: 8_000, attachMs: 1_500, rttMs: 250, jitterMs: 60, uplinkBps: 60_000, downlinkBps: 80_000, udpLoss: 0.03, udpReorder: 0.02, rssi: -95, rsrp: -118, rsrq: -15, sinr: -2 },
    'deep-indoor': { registrationMs: 25_000, attachMs: 5_000, rttMs: 900, jitterMs: 300, uplinkBps: 8_000, downlinkBps: 12_000, udpLoss: 0.1, udpReorder: 0.05, rssi: -107, rsrp: -135, rsrq: -19, sinr: -10 },
  },
  nbiot: {
    good: { registrationMs: 5_000, attachMs: 1_000, rttMs: 400, jitterMs: 80, uplinkBps: 60_000, downlinkBps: 25_000, udpLoss: 0.005, udpReorder: 0.002, rssi: -70, rsrp: -90, rsrq: -9, sinr: 12 },
    edge: { registrationMs: 15_000, attachMs: 3_000, rttMs: 1_500, jitterMs: 400, uplinkBps: 10_000, downlinkBps: 8_000, udpLoss: 0.03, udpReorder: 0.02, rssi: -100, rsrp: -125, rsrq: -16, sinr: -5 },
    'deep-indoor': { registrationMs: 60_000, attachMs: 10_000, rttMs: 6_000, jitterMs: 2_000, uplinkBps: 1_500, downlinkBps: 2_000, udpLoss: 0.1, udpReorder: 0.05, rssi: -111, rsrp: -140, rsrq: -20, sinr: -12 },
  },
  gsm: {
    good: { registrationMs: 3_000, attachMs: 1_000, rttMs: 350, jitterMs: 80, uplinkBps: 40_000, downlinkBps: 80_000, udpLoss: 0.005, udpReorder: 0.005, rssi: -67, rsrp: -140, rsrq: -20, sinr: 20 },
    edge: { registrationMs: 6_000, attachMs: 2_000, rttMs: 700, jitterMs: 200, uplinkBps: 12_000, downlinkBps: 20_000, udpLoss: 0.03, udpReorder: 0.02, rssi: -95, rsrp: -140, rsrq: -20, sinr: 5 },
    'deep-indoor': { registrationMs: 15_000, attachMs: 4_000, rttMs: 1_500, jitterMs: 500, uplinkBps: 4_000, downlinkBps: 8_000, udpLoss: 0.1, udpReorder: 0.05, rssi: -105, rsrp: -140, rsrq: -20, sinr: 0 },
  },
};

/** 'ltem:edge' -> its row; 'ltem' alone is 'ltem:good'. Undefined for anything else. */
export function parseRadioSpec(spec: string): { rat: RadioRat; condition: RadioCondition; profile: RadioProfile } | undefined {
  const [rat, condition = 'good', ...rest] = spec.trim().toLowerCase().split(':');
  if (rest.length > 0 || !RADIO_RATS.includes(rat as RadioRat) || !RADIO_CONDITIONS.includes(condition as RadioCondition)) return undefined;
  return { rat: rat as RadioRat, condition: condition as RadioCondition, profile: RADIO_PROFILES[rat as RadioRat][condition as RadioCondition] };
}
