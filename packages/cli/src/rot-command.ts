import { Command, InvalidArgumentError } from 'commander';
import { CliError } from './module-api.js';
import { parseCount } from './parse.js';
import { factoryKeyOf, readCa, registerRots, rotExport, stateRots } from './rot.js';

interface RotIo {
  out: (text: string) => void;
}

interface StateOptions {
  state: string;
  model: string;
  count: number;
}

function count(v: string): number {
  try {
    return parseCount(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function stateOptions(cmd: Command): Command {
  return cmd
    .option('--state <DIR>', 'state root, as given to serve (module i keeps its NVM in DIR/<model>-<i>)', './.modemlab/state')
    .option('-m, --model <model>', 'module model', 'sara-r5')
    .option('-n, --count <N>', 'number of modules', count, 1);
}

/**
 * `modemlab rot ...`: the modules' roots of trust for a cloud started after them. A fresh
 * state folder gets its root of trust here, as at the module's first power-up.
 */
export function registerRotCommands(program: Command, io: RotIo): void {
  const rot = program.command('rot').description("the modules' roots of trust (secure production)");
  stateOptions(rot.command('export').description('print each module\'s root of trust as one JSON line {ChipID, ROTPublicUID, RootSecret} (what `modemlab cloud factory add --rot-uid --chip-id --secret` takes)'))
    .action(async (o: StateOptions) => {
      for (const r of await stateRots(o.state, o.model, o.count)) io.out(JSON.stringify(rotExport(r)) + '\n');
    });
  stateOptions(rot.command('register').description("register each module's root of trust with a running cloud over HTTPS (a factory account's API key)"))
    .requiredOption('--cloud <URL>', 'the cloud, https://HOST:PORT')
    .requiredOption('--cloud-ca <FILE>', "PEM the cloud's certificate chains to")
    .option('--cloud-factory-key <APIKEY:SECRET>', 'a factory account (or MODEMLAB_CLOUD_FACTORY_KEY)')
    .action(async (o: StateOptions & { cloud: string; cloudCa: string; cloudFactoryKey?: string }) => {
      const key = factoryKeyOf(o.cloudFactoryKey);
      if (!key) throw new CliError('modemlab: rot register needs --cloud-factory-key or MODEMLAB_CLOUD_FACTORY_KEY', 2);
      const lines = await registerRots(await stateRots(o.state, o.model, o.count), { url: o.cloud, ca: readCa(o.cloudCa), ...key });
      for (const line of lines) io.out(line + '\n');
    });
}
