import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { labRequest, type LabRequest } from './lab-control.js';
import { CliError } from './module-api.js';

const DEFAULT_STATE = './.modemlab/state';

function moduleIndex(v: string): number {
  if (!/^\d{1,4}$/.test(v)) throw new InvalidArgumentError(`expected a module index (0 is the first), got '${v}'`);
  return Number(v);
}

async function ask(state: string, req: LabRequest): Promise<{ level?: 0 | 1 }> {
  const a = await labRequest(state, req);
  if (!a.ok) throw new CliError(`modemlab: ${a.error}`);
  return a;
}

/** `modemlab gpio` and `modemlab gnss`: the lab side of a running serve, through its control socket (lab-control.ts). */
export function registerLabCommands(program: Command, io: { out: (text: string) => void }): void {
  program
    .command('gpio')
    .description('read or drive a GPIO pad of a running serve from outside: PIN prints the level the pad reads; PIN=0|1 drives it; PIN=float lets it go (prints "PIN=LEVEL")')
    .argument('<pin[=level]>', 'pad number as +UGPIOC numbers it (SARA-R5: 16 is GPIO1), optionally =0, =1 or =float')
    .option('--state <DIR>', 'the state root the serve runs on', DEFAULT_STATE)
    .option('-i, --module <N>', 'which module of the serve (0 is the first)', moduleIndex, 0)
    .action(async (spec: string, o: { state: string; module: number }) => {
      const m = /^(\d{1,3})(?:=(0|1|float))?$/.exec(spec.trim());
      if (!m) throw new CliError(`modemlab: expected PIN or PIN=0|1|float, got '${spec}'`, 2);
      const gpio = Number(m[1]);
      const req: LabRequest = { module: o.module, gpio, ...(m[2] === undefined ? {} : { drive: m[2] === 'float' ? null : (Number(m[2]) as 0 | 1) }) };
      const a = await ask(o.state, req);
      io.out(`${gpio}=${a.level}\n`);
    });

  program
    .command('gnss')
    .description('move the GNSS receiver and CellLocate of a running serve to a position (stops a replayed track)')
    .argument('<lat,lon[,alt]>', 'decimal degrees, altitude in metres')
    .option('--state <DIR>', 'the state root the serve runs on', DEFAULT_STATE)
    .option('-i, --module <N>', 'which module of the serve (0 is the first)', moduleIndex, 0)
    .action(async (spec: string, o: { state: string; module: number }) => {
      const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*(?:,\s*(-?\d+(?:\.\d+)?)\s*)?$/.exec(spec);
      if (!m) throw new CliError(`modemlab: expected LAT,LON[,ALT] in decimal degrees, got '${spec}'`, 2);
      await ask(o.state, { module: o.module, position: [Number(m[1]), Number(m[2]), m[3] === undefined ? 0 : Number(m[3])] });
      io.out(`moved to ${Number(m[1])},${Number(m[2])},${m[3] === undefined ? 0 : Number(m[3])}\n`);
    });

  program
    .command('fota')
    .description("push a firmware image to a running serve's module as the operator's FOTA server would: +UFOTASTAT download reports, then the image is in its file system for +UFWINSTALL")
    .argument('<file>', 'the image (lab format: first line "MODEMLAB-FIRMWARE <revision> <application version>")')
    .option('--name <NAME>', "its file name in the module (default: the file's base name)")
    .option('--state <DIR>', 'the state root the serve runs on', DEFAULT_STATE)
    .option('-i, --module <N>', 'which module of the serve (0 is the first)', moduleIndex, 0)
    .action(async (file: string, o: { name?: string; state: string; module: number }) => {
      let data: Buffer;
      try {
        data = await readFile(file);
      } catch (err) {
        throw new CliError(`modemlab: cannot read ${file}: ${(err as Error).message}`, 2);
      }
      const name = o.name ?? path.basename(file);
      await ask(o.state, { module: o.module, fota: { name, data: data.toString('base64') } });
      io.out(`pushing ${name} (${data.length} bytes)\n`);
    });
}
