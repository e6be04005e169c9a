import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import type { ModuleHost } from '../../module-host.js';
import { GpioError, type GpioPins } from '../../services/gpio.js';
import { UbloxCme } from './errors.js';

/** A pad or value the product lacks is "incorrect parameters" (50); a write to a pad that is not an output "operation not allowed" (3). */
function gpioCall<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof GpioError) throw cme(err.kind === 'not-output' ? UbloxCme.notAllowed : UbloxCme.badParameter);
    throw err;
  }
}

/** The product's pads; a product without them answers "operation not supported". */
function pads(module: ModuleHost): GpioPins {
  const gpio = module.services.gpio;
  if (!gpio.available) throw cme(UbloxCme.notSupported);
  return gpio;
}

/** "(0-7,10,12)": a list of numbers with runs folded, as the manuals print ranges. */
function ranges(values: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    out.push(j - i >= 2 ? `${values[i]}-${values[j]}` : values.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return `(${out.join(',')})`;
}

/** GPIO pads (+UGPIOC/+UGPIOR/+UGPIOW) and the serial interface variant (+USIO). */
export const gpioCommands = defineCommands(import.meta.url, [
  {
    name: '+UGPIOC',
    params: [
      { name: 'id', type: 'int', min: 0, max: 255 },
      { name: 'mode', type: 'int', min: 0, max: 255 },
      { name: 'value', type: 'int', min: 0, max: 2, optional: true },
    ],
    set(ctx, { id, mode, value }) {
      const gpio = pads(ctx.module);
      gpioCall(() => gpio.configure(id as number, mode as number, value as number | undefined));
    },
    read(ctx) {
      const gpio = pads(ctx.module);
      ctx.info('+UGPIOC:');
      for (const p of gpio.list()) ctx.info(`${p.id},${p.mode}`);
    },
    test(ctx) {
      const table = pads(ctx.module).table!;
      ctx.info(`+UGPIOC: ${ranges(table.pins)},${ranges(table.modes)}`);
    },
  },
  {
    name: '+UGPIOR',
    params: [{ name: 'id', type: 'int', min: 0, max: 255 }],
    set(ctx, { id }) {
      const gpio = pads(ctx.module);
      const level = gpioCall(() => gpio.level(id as number));
      ctx.info(`+UGPIOR: ${id},${level}`);
    },
    test(ctx) {
      ctx.info(`+UGPIOR: ${ranges(pads(ctx.module).table!.pins)}`);
    },
  },
  {
    name: '+UGPIOW',
    params: [
      { name: 'id', type: 'int', min: 0, max: 255 },
      { name: 'level', type: 'int', min: 0, max: 1 },
    ],
    set(ctx, { id, level }) {
      const gpio = pads(ctx.module);
      gpioCall(() => gpio.write(id as number, level as number));
    },
    test(ctx) {
      ctx.info(`+UGPIOW: ${ranges(pads(ctx.module).table!.pins)},(0-1)`);
    },
  },
  {
    name: '+USIO',
    // "+USIO: <requested_variant>,*<active_variant>": the star marks the active one (ubxlib skips it).
    read(ctx) {
      const variant = pads(ctx.module).table!.serialVariant;
      ctx.info(`+USIO: ${variant},*${variant}`);
    },
    test(ctx) {
      ctx.info(`+USIO: (${pads(ctx.module).table!.serialVariant})`);
    },
  },
]);
