import { readFile } from 'node:fs/promises';
import { GnssTrackError, parsePosition, parseTrack, type GnssSetup } from '@modemlab/module';
import { CliError } from './module-api.js';

/** `--gnss LAT,LON[,ALT]` or `--gnss FILE` (a GPX or NMEA track, replayed and looped from the module's start). */
export async function loadGnss(spec: string): Promise<GnssSetup> {
  try {
    if (/^\s*-?\d+(\.\d+)?\s*,/.test(spec)) return { position: parsePosition(spec) };
    let text: string;
    try {
      text = await readFile(spec, 'utf8');
    } catch (err) {
      throw new CliError(`modemlab: --gnss: cannot read ${spec}: ${(err as Error).message}`, 2);
    }
    return { track: parseTrack(text) };
  } catch (err) {
    if (err instanceof GnssTrackError) throw new CliError(`modemlab: --gnss ${spec}: ${err.message}`, 2);
    throw err;
  }
}
