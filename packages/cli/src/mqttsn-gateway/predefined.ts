import { readFileSync } from 'node:fs';

/**
 * Predefined topics (MQTT-SN §2.4.2/§5.3.11): ids both sides know in advance. The file is JSON,
 * `{ "<id>": "<topic name>", ... }`, ids 1..65535 (0 and 0xFFFF are reserved by §5.3.11).
 */
export function parsePredefined(json: string): Map<number, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new Error(`predefined topics: not JSON (${(err as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('predefined topics: expected an object {"id": "topic"}');
  const map = new Map<number, string>();
  for (const [k, v] of Object.entries(raw)) {
    const id = Number(k);
    if (!/^\d+$/.test(k) || id < 1 || id > 0xfffe) throw new Error(`predefined topics: id "${k}" is not 1..65534`);
    if (typeof v !== 'string' || v === '' || /[#+]/.test(v)) throw new Error(`predefined topics: id ${k} needs a topic name without wildcards`);
    map.set(id, v);
  }
  return map;
}

export function loadPredefined(file: string): Map<number, string> {
  return parsePredefined(readFileSync(file, 'utf8'));
}
