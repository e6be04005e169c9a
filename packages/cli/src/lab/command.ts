import { InvalidArgumentError, Option, type Command } from 'commander';
import { createLogger, LOG_LEVELS, type LogLevel } from '../logging.js';
import { loadModuleApi } from '../module-api.js';
import { parseCount, parseForwards, parseHostPort, parseHosts, type HostPort } from '../parse.js';
import { runUntilSignal } from '../serve.js';

function arg<T>(parse: (value: string, previous: T) => T): (value: string, previous: T) => T {
  return (value, previous) => {
    try {
      return parse(value, previous);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

/** program.ts's ProgramIo, by shape (importing it would make an import circle). */
interface LabIo {
  out: (text: string) => void;
  err: (text: string) => void;
  exitCode: number;
}

interface LabFlags {
  model: string;
  tcp: HostPort;
  count: number;
  state: string;
  dir?: string;
  hosts?: Record<string, string>;
  forward?: Record<string, string>;
  logLevel: LogLevel;
  logFile?: string;
  /** The lab console: on by default (127.0.0.1:7080); false with --no-console. */
  console: HostPort | false;
  consoleToken?: string;
}

/** `modemlab lab`: the modules plus the peers the README's examples talk to (see lab.ts). */
export function registerLabCommand(program: Command, io: LabIo): void {
  program
    .command('lab')
    .description(
      'start a lab: a generated CA, a TCP and a TLS echo (echo.lab:7, :4433), HTTPS (www.lab:443), an MQTT(S) broker (broker.lab:1883, :8883; mosquitto), FTPS (ftp.lab:21; ftp-srv) ' +
        'on free ports, and modules (--net lab) whose --hosts/--forward reach them; prints what it started, runs until SIGINT/SIGTERM',
    )
    .option('-m, --model <model>', 'module model (see `modemlab models`)', 'sara-r5')
    .option('--tcp <HOST:PORT>', 'TCP listener of the first module (the next ones count up; port 0 picks free ports)', arg<HostPort>((v) => parseHostPort(v)), { host: '127.0.0.1', port: 7000 })
    .option('-n, --count <N>', 'number of modules', arg<number>((v) => parseCount(v)), 1)
    .option('--state <DIR>', 'state root; module i keeps its NVM in DIR/<model>-<i>', './.modemlab/state')
    .option('--dir <DIR>', "where the lab's ca.pem, server.pem and server.key go (default <state>/lab)")
    .option('--hosts <NAME=IP,...>', 'more names beside the lab\'s (repeatable)', arg<Record<string, string>>((v, prev) => parseHosts(v, prev)))
    .option('--forward <IP:PORT=IP:PORT,...>', 'more forwards beside the lab\'s (repeatable)', arg<Record<string, string>>((v, prev) => parseForwards(v, prev)))
    // The console is on by default in a lab (issue 14): the page shows the modules the lab started.
    .option('--console <[HOST:]PORT>', 'the lab console (live AT trace, state, network controls) on HOST:PORT (HOST default 127.0.0.1)', arg<HostPort>((v) => (/^\d+$/.test(v) ? parseHostPort(`127.0.0.1:${v}`) : parseHostPort(v))), { host: '127.0.0.1', port: 7080 })
    .option('--no-console', 'no lab console')
    .option('--console-token <TOKEN>', 'a token every console request must carry; required when --console is bound beyond loopback')
    .addOption(new Option('--log-level <LEVEL>', 'log level of the operator log on stderr').choices(LOG_LEVELS).default('info'))
    .option('--log-file <FILE>', 'append the log to FILE as JSON lines instead of stderr')
    .action(async (o: LabFlags) => {
      const api = await loadModuleApi();
      const logger = await createLogger({ level: o.logLevel, ...(o.logFile ? { file: o.logFile } : {}) });
      // The lab's peers (CA, brokers, CoAP, FTPS) load when `lab` runs, not at every CLI start.
      const { startLab } = await import('./lab.js');
      await runUntilSignal(
        () =>
          startLab(
            api,
            { model: o.model, tcp: o.tcp, count: o.count, state: o.state, ...(o.dir ? { dir: o.dir } : {}), ...(o.hosts ? { hosts: o.hosts } : {}), ...(o.forward ? { forwards: o.forward } : {}), ...(o.console ? { console: { ...o.console, ...(o.consoleToken ? { token: o.consoleToken } : {}) } } : {}) },
            (line) => io.out(line + '\n'),
            (line) => io.err(line + '\n'),
            logger.logger,
          ),
        logger,
        io,
      );
    });
}
