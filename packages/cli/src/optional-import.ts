import { CliError } from './module-api.js';

/**
 * Imports a package the CLI needs for one command only (the cloud, a serial port): loaded
 * on first use so `serve` starts fast and installs need none of them (serialport's native
 * build, the cloud's SQLite/PostgreSQL drivers). A missing one is a CliError saying what to install.
 */
export async function optionalImport<T>(name: string, load: () => Promise<T>, what: string): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((err as Error).message).includes(`'${name}'`)) {
      throw new CliError(`modemlab: ${what} needs the package '${name}': npm install ${name}`, 1);
    }
    throw err;
  }
}

export const loadSerialPort = (): Promise<typeof import('serialport')> =>
  optionalImport('serialport', () => import('serialport'), 'a serial port');

export const loadCloud = (): Promise<typeof import('@modemlab/cloud')> =>
  optionalImport('@modemlab/cloud', () => import('@modemlab/cloud'), '`modemlab cloud`');
