import type { AtClient } from '../../at-client.js';
import { AtError } from '../../errors.js';
import { paramsOf } from '../../params.js';

/** How a pad is set up: an output at a level, or an input with its pull (0 none, 1 up, 2 down). */
export type GpioSetup = { output: 0 | 1 } | { input: 0 | 1 | 2 };

/** The module's GPIO pads (ids as +UGPIOC numbers them: 16 is GPIO1), over +UGPIOC/+UGPIOR/+UGPIOW. */
export class UbloxGpio {
  constructor(private readonly client: AtClient) {}

  async configure(id: number, setup: GpioSetup): Promise<void> {
    if ('output' in setup) await this.client.send(`AT+UGPIOC=${id},0,${setup.output}`);
    else await this.client.send(`AT+UGPIOC=${id},1,${setup.input}`);
  }

  /** The pad's level: what an output drives, what is on an input. */
  async read(id: number): Promise<0 | 1> {
    const command = `AT+UGPIOR=${id}`;
    const response = await this.client.send(command);
    const level = paramsOf(response.lines, '+UGPIOR')?.[1];
    if (level !== '0' && level !== '1') throw new AtError(command, [...response.lines, response.finalLine], `${command}: no level in the response`);
    return Number(level) as 0 | 1;
  }

  /** Drives an output pad. */
  async write(id: number, level: 0 | 1): Promise<void> {
    await this.client.send(`AT+UGPIOW=${id},${level}`);
  }
}
