/** Serial transport: a real module, or a virtual one behind a PTY, via `serialport`. */
import type { Duplex } from 'node:stream';

/** The part of serialport's SerialPort the SDK uses: a Duplex that is opened, then closed. */
export type SerialPortStream = Duplex & { readonly isOpen: boolean; readonly path: string; close(cb?: (err: Error | null) => void): void };

/**
 * `serialport` is an optional peer dependency (a native build): it is loaded on first use,
 * so TCP and in-process users never need it installed.
 */
async function loadSerialPort(): Promise<typeof import('serialport')> {
  try {
    return await import('serialport');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes("'serialport'")) {
      throw new Error("serial ports need the optional peer dependency 'serialport': npm install serialport", { cause: err });
    }
    throw err;
  }
}

/** Opens a serial port (8N1, no flow control); resolves once it is open. */
export async function openSerial(path: string, baudRate = 115200): Promise<SerialPortStream> {
  const { SerialPort } = await loadSerialPort();
  return new Promise<SerialPortStream>((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    port.open((error) => (error ? reject(error) : resolve(port)));
  });
}
