/** Serial transport: a real module, or a virtual one behind a PTY, via `serialport`. */
import { SerialPort } from 'serialport';

/** Opens a serial port (8N1, no flow control); resolves once it is open. */
export function openSerial(path: string, baudRate = 115200): Promise<SerialPort> {
  return new Promise<SerialPort>((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    port.open((error) => (error ? reject(error) : resolve(port)));
  });
}
