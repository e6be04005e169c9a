import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { registerCloudCommands } from './cloud.js';
import { commandsDoc } from './docs.js';
import { CliError, loadModuleApi } from './module-api.js';
import { parseApns, parseBaud, parseCount, parseGpioLevels, parseForwards, parseConsoleListen, parseHostPort, parseHosts, parseTermTarget, type HostPort } from './parse.js';
import { DEFAULT_CONFIG_FILE, loadConfig, resolveServe, type ServeFlags } from './config.js';
import { createLogger, LOG_FORMATS, LOG_LEVELS } from './logging.js';
import { runUntilSignal, startServe, waitForSignal } from './serve.js';
import { runTerm } from './term.js';
import { traceCommand } from './trace-command.js';
import { cliVersion } from './version.js';
import { readCa } from './rot.js';
import { registerRotCommands } from './rot-command.js';
import { registerLabCommands } from './lab-command.js';
import { registerLabCommand } from './lab/command.js';

/** Wraps a parser so commander reports its message as an invalid argument. */
function arg<T>(parse: (value: string, previous: T) => T): (value: string, previous: T) => T {
  return (value, previous) => {
    try {
      return parse(value, previous);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

export { DEFAULT_TCP, defaultTcp } from './config.js';

export interface ProgramIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Set by commands that want a specific exit code. */
  exitCode: number;
}

export function buildProgram(io: ProgramIo): Command {
  const program = new Command('modemlab');
  program
    .description('Virtual cellular IoT modules on TCP ports and pseudo-terminals')
    .exitOverride()
    // Subcommands with options of the same name as their parent's (`cloud --state` and
    // `cloud migrate --state`) need the parent's options to stop at the subcommand.
    .enablePositionalOptions()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(add --help for usage)')
    .version(cliVersion(), '-V, --version', 'print the version of modemlab and exit');

  program
    .command('serve')
    .description(
      'start virtual modules; prints one line per listener, runs until SIGINT/SIGTERM, then flushes state and exits 0. ' +
        `Settings come from the flags, then from --config FILE (default ./${DEFAULT_CONFIG_FILE} when present), then the defaults`,
    )
    .option('-c, --config <FILE>', `config file (JSON, the flags' names; see docs/guide.md); default ./${DEFAULT_CONFIG_FILE} if it exists`)
    .option('-m, --model <model>', 'module model (see `modemlab models`)', 'sara-r5')
    .addOption(
      new Option(
        '--tcp <HOST:PORT|none>',
        'TCP listener of the first module (the next ones count up; port 0 picks free ports); default 127.0.0.1:7000, or none when --pty is given',
      )
        .argParser(arg<HostPort | null>((v) => (v === 'none' ? null : parseHostPort(v)))),
    )
    .option('--pty <PATH>', 'also serve a pseudo-terminal at PATH (PATH0, PATH1... with --count > 1); needs socat')
    .option('--state <DIR>', 'state root; module i keeps its NVM in DIR/<model>-<i>', './.modemlab/state')
    .option(
      '--hosts <NAME=IP,...>',
      'static host table for the modules (repeatable)',
      arg<Record<string, string>>((v, prev) => parseHosts(v, prev)),
    )
    .option(
      '--forward <IP:PORT=IP:PORT,...>',
      "lab port forwards for the modules' TCP connections and UDP datagrams, e.g. a local HTTPS server standing for port 443 (repeatable)",
      arg<Record<string, string>>((v, prev) => parseForwards(v, prev)),
    )
    .option(
      '--apns <APN,...>',
      'APNs the simulated operator serves (repeatable; "*" = any); others are refused on activation. Default: internet, apn_name, ibox.tim.it, iot.apn (and the empty APN)',
      arg<string[]>((v, prev) => parseApns(v, prev)),
    )
    .addOption(
      new Option(
        '--net <lab|open>',
        'network policy: lab = the modules reach only loopback and the --hosts/--forward targets (other names fail to resolve, other addresses are unreachable, each refusal is logged); open = anywhere this machine can (`npm start`)',
      )
        .choices(['lab', 'open'])
        .default('lab'),
    )
    .option('--gnss <LAT,LON[,ALT]|FILE>', "where the GNSS receiver and CellLocate are: a position in decimal degrees, or a GPX/NMEA track file replayed (looping) from the modules' start")
    .option(
      '--gpio <PIN=0|1|float,...>',
      'levels the lab drives on GPIO pads from the start (repeatable); change them while serving with `modemlab gpio`',
      arg<Record<number, 0 | 1 | null>>((v, prev) => parseGpioLevels(v, prev)),
    )
    .option('-n, --count <N>', 'number of modules', arg<number>((v) => parseCount(v)), 1)
    .option('--baud <RATE>', 'pace each port as a serial line at RATE bit/s, 8N1 (the power-on +IPR; AT+IPR changes it after its OK); default: transport speed', arg<number>((v) => parseBaud(v)))
    .option('--radio <RAT[:CONDITION]>', 'radio profile of the modules: RAT ltem|nbiot|gsm, CONDITION good|edge|deep-indoor (latency, bandwidth, loss, signal on every data path); default off = loopback speed')
    .option('--radio-script <FILE>', 'radio script: JSON list of {"at": MS, "coverage": BOOL, "radio": SPEC} steps run on each module\'s clock from start')
    .option('--trace <FILE>', 'append every byte each way on every link to FILE, one JSON line per chunk (read it with `modemlab trace FILE`)')
    // The security service link (issue 11): see rot.ts and docs/architecture.md "Security service".
    .option('--cloud <URL>', 'the security cloud the modules bootstrap with (https://HOST:PORT, reached through their own data path: --hosts/--forward/--net apply)')
    .option('--cloud-ca <FILE>', 'PEM the cloud\'s certificate chains to (<cloud state>/ca.pem); required with --cloud')
    .option('--cloud-factory-key <APIKEY:SECRET>', 'a factory account: register every module\'s root of trust at start (or MODEMLAB_CLOUD_FACTORY_KEY)')
    .option(
      '--expose',
      'allow --tcp on an address beyond loopback (prints a warning): whoever reaches the port can make the module connect wherever this machine can; keep --net lab',
    )
    // The lab console (issue 14): see console/server.ts and docs/architecture.md "Lab console".
    .option('--console <[HOST:]PORT>', 'serve the lab console (web page: live AT trace, state, network controls) on HOST:PORT (HOST default 127.0.0.1)', arg<HostPort>((v) => parseConsoleListen(v)))
    .option('--console-token <TOKEN>', 'a token every console request must carry (?token= or Bearer); required when --console is bound beyond loopback')
    .addOption(new Option('--log-level <LEVEL>', 'log level of the operator log on stderr').choices(LOG_LEVELS).default('info'))
    .option('--log-file <FILE>', 'append the log to FILE as JSON lines instead of stderr')
    .addOption(new Option('--log-format <FORMAT>', 'stderr log format (default: pretty on a TTY, JSON lines otherwise)').choices(LOG_FORMATS))
    .action(async (o: ServeFlags & { config?: string; expose?: boolean; cloud?: string; cloudCa?: string; cloudFactoryKey?: string }, cmd: Command) => {
      if (!!o.cloud !== !!o.cloudCa) throw new CliError('modemlab: --cloud and --cloud-ca go together', 2);
      if (o.cloud && !/^https:\/\/[^/]+\/?$/.test(o.cloud)) throw new CliError('modemlab: --cloud is https://HOST[:PORT]', 2);
      const cfg = await loadConfig(o.config ?? DEFAULT_CONFIG_FILE, o.config !== undefined);
      const { serve, log } = resolveServe(o, (flag) => cmd.getOptionValueSource(flag) === 'cli', cfg);
      const api = await loadModuleApi();
      const logger = await createLogger(log);
      // --expose is a command-line decision only: a config file cannot open the module to the network.
      const options = () => ({ ...serve, expose: o.expose === true, ...(o.cloud && o.cloudCa ? { cloud: { url: o.cloud, ca: readCa(o.cloudCa), ...(o.cloudFactoryKey ? { factoryKey: o.cloudFactoryKey } : {}) } } : {}) });
      await runUntilSignal(async () => startServe(api, options(), (line) => io.out(line + '\n'), (line) => io.err(line + '\n'), logger.logger), logger, io);
    });

  program
    .command('term')
    .description(
      'interactive AT terminal: Enter sends CR, Ctrl-Z/ESC/Ctrl-C go to the device, Ctrl-T h toggles the hex view, ' +
        'Ctrl-T q quits. With stdin not a TTY, forwards stdin (LF -> CR unless --raw) and exits after it ends.',
    )
    .argument('<target>', 'tcp://HOST:PORT or a serial device / pty path', arg<ReturnType<typeof parseTermTarget>>((v) => parseTermTarget(v)))
    .option('--hex', 'start with the hex view on')
    .option('-b, --baud <rate>', 'serial baud rate', arg<number>((v) => parseBaud(v)), 115200)
    .option('--raw', 'pipe mode: forward stdin bytes unchanged (no LF -> CR)')
    .addOption(
      new Option('--drain <ms>', 'pipe mode: exit once the device is quiet this long after stdin ends')
        .default(500)
        .argParser(arg<number>((v) => parseCount(v))),
    )
    .action(async (target: ReturnType<typeof parseTermTarget>, o: { hex?: boolean; baud: number; raw?: boolean; drain: number }) => {
      io.exitCode = await runTerm(target, { hex: o.hex, baud: o.baud, raw: o.raw, drainMs: o.drain });
    });

  program
    .command('trace')
    .description('print a trace written by `serve --trace` (or the SDK) as an AT conversation: > command, < response, ! URC, >>/<< data, CMUX frames decoded')
    .argument('<file>', 'trace file (JSON lines)')
    .option('--layer <NAME>', 'only the bytes seen at this level (e.g. cmux/dlci2, or the wire: the port name); default: each port and channel once, from the first level that carried it (the wire, CMUX frames decoded)')
    .action(async (file: string, o: { layer?: string }) => {
      await traceCommand(file, o.layer === undefined ? {} : { layer: o.layer }, io.out, io.err);
    });

  program
    .command('mqttsn-gateway')
    .description(
      'a transparent MQTT-SN 1.2 gateway over UDP bridging to any MQTT broker (predefined topics, sleeping clients, QoS -1..2, will); ' +
        'prints a ready line, runs until SIGINT/SIGTERM',
    )
    .requiredOption('--broker <URL>', 'the MQTT broker, e.g. mqtt://127.0.0.1:1883')
    .addOption(
      new Option('--listen <HOST:PORT>', 'UDP address to listen on (port 0 picks a free port)')
        .default({ host: '127.0.0.1', port: 10000 }, '127.0.0.1:10000')
        .argParser(arg<HostPort>((v) => parseHostPort(v))),
    )
    .option('--predefined <FILE>', 'predefined topics, JSON {"<id>": "<topic>"}')
    .option('--dtls', 'listen with DTLS 1.2 (modemlab\'s own server) instead of plain UDP')
    .option('--cert <FILE>', 'with --dtls: the server certificate chain, PEM')
    .option('--key <FILE>', 'with --dtls: the server key, PEM')
    .option('--ca <FILE>', 'with --dtls: trusted CA, PEM; client certificates are then required')
    .option('--psk <IDENTITY:HEX>', 'with --dtls: a PSK identity and key (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .action(async (o: { broker: string; listen: HostPort; predefined?: string; dtls?: boolean; cert?: string; key?: string; ca?: string; psk?: string[] }) => {
      let gw;
      try {
        const { startGatewayCommand } = await import('./mqttsn-gateway/command.js');
        const { gatewayDtlsFlags } = await import('./mqttsn-gateway/dtls.js');
        gw = await startGatewayCommand(
          { broker: o.broker, listen: o.listen, ...(o.predefined === undefined ? {} : { predefined: o.predefined }), ...gatewayDtlsFlags(o) },
          (line) => io.out(line + '\n'),
        );
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      const sig = await waitForSignal();
      io.err(`modemlab: ${sig}, closing\n`);
      await gw.close();
      io.exitCode = 0;
    });

  program
    .command('models')
    .description('list the module models')
    .action(async () => {
      const api = await loadModuleApi();
      io.out(api.listModels().join('\n') + '\n');
    });

  registerLabCommands(program, io);
  registerCloudCommands(program, io);
  registerRotCommands(program, io);
  registerLabCommand(program, io);

  const docs = program.command('docs').description('generate documentation');
  docs
    .command('commands')
    .description('print docs/commands.md (AT commands per model) generated from the handler registry')
    .action(async () => {
      io.out(commandsDoc(await loadModuleApi()) + '\n');
    });

  return program;
}

/** Runs the CLI; resolves with the process exit code. */
export async function main(argv: string[], io: Omit<ProgramIo, 'exitCode'> = defaultIo()): Promise<number> {
  const state: ProgramIo = { ...io, exitCode: 0 };
  const program = buildProgram(state);
  try {
    await program.parseAsync(argv);
    return state.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has printed the message; help and version are not errors.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliError) {
      io.err(err.message + '\n');
      return err.exitCode;
    }
    io.err(`modemlab: ${(err as Error)?.message ?? String(err)}\n`);
    return 1;
  }
}

function defaultIo(): Omit<ProgramIo, 'exitCode'> {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
  };
}
