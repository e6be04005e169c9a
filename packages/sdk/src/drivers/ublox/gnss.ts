import type { AtClient } from '../../at-client.js';
import { AtError } from '../../errors.js';

/** The NMEA sentences a SARA-R510M8S keeps for reading, by their command (+UGRMC ... +UGZDA). */
export type NmeaSentence = 'RMC' | 'GGA' | 'GLL' | 'GSV' | 'GSA' | 'VTG' | 'ZDA';

/** A CellLocate answer (+UULOC, standard response). */
export interface CellLocation {
  /** UTC of the fix, as the module prints it (dd/mm/yyyy,hh:mm:ss.sss). */
  time: string;
  latitude: number;
  longitude: number;
  altitude: number;
  /** Metres. */
  uncertainty: number;
  /** With `detailed`: speed m/s, direction degrees, sensor used (1 GNSS, 2 CellLocate), satellites used. */
  speed?: number;
  direction?: number;
  sensorUsed?: number;
  satellites?: number;
}

/** The built-in GNSS receiver (+UGPS, +UG<NMEA>) and CellLocate (+ULOC, +UULOC). */
export class UbloxGnss {
  constructor(private readonly client: AtClient) {}

  /** Switches the receiver on (aid mode, GNSS systems bit mask: 1 = GPS) or off. */
  async power(on: boolean, opts: { aid?: number; systems?: number } = {}): Promise<void> {
    await this.client.send(on ? `AT+UGPS=1,${opts.aid ?? 0},${opts.systems ?? 1}` : 'AT+UGPS=0');
  }

  /** Asks the module to keep these sentences for reading. */
  async keep(sentences: readonly NmeaSentence[]): Promise<void> {
    for (const s of sentences) await this.client.send(`AT+UG${s}=1`);
  }

  /**
   * The sentence(s) of one kind ($GP... with checksum; GSV gives several), or undefined
   * while the receiver has no fix. Call `keep` first.
   */
  async read(sentence: NmeaSentence): Promise<string[] | undefined> {
    const command = `AT+UG${sentence}?`;
    const response = await this.client.send(command);
    const prefix = `+UG${sentence}: `;
    const first = response.lines.find((l) => l.startsWith(prefix));
    if (first === undefined) throw new AtError(command, [...response.lines, response.finalLine], `${command}: no ${prefix.trim()} line`);
    const body = first.slice(prefix.length);
    if (body === '0') throw new AtError(command, [...response.lines, response.finalLine], `${command}: the module does not keep ${sentence} (call keep first)`);
    const text = body.replace(/^1,/, '');
    if (text === 'Not available') return undefined;
    return [text, ...response.lines.slice(response.lines.indexOf(first) + 1).filter((l) => l.startsWith('$'))];
  }

  /** CellLocate, single shot: resolves with the +UULOC position (sensor mask default 3: GNSS and cellular). */
  async locate(opts: { sensor?: number; timeoutS?: number; accuracyM?: number; detailed?: boolean } = {}): Promise<CellLocation> {
    const timeoutS = opts.timeoutS ?? 120;
    const urc = this.client.waitForUrc('+UULOC:', { timeoutMs: (timeoutS + 10) * 1000 });
    try {
      await this.client.send(`AT+ULOC=2,${opts.sensor ?? 3},${opts.detailed ? 1 : 0},${timeoutS},${opts.accuracyM ?? 1}`);
    } catch (err) {
      urc.catch(() => {});
      throw err;
    }
    const line = await urc;
    const f = line.replace(/^\+UULOC:\s*/, '').split(',');
    const base = { time: `${f[0]},${f[1]}`, latitude: Number(f[2]), longitude: Number(f[3]), altitude: Number(f[4]), uncertainty: Number(f[5]) };
    if (f.length < 11) return base;
    return { ...base, speed: Number(f[6]), direction: Number(f[7]), sensorUsed: Number(f[9]), satellites: Number(f[10]) };
  }
}
