/**
 * The set-up the SDK scenario suites share: a virtual SARA-R5 in process, over TCP or a PTY, the
 * SDK's UbloxModem on it, initialised and attached. Each suite brings its own peers.
 */
import { join } from 'node:path';
import { connectInProcess, createModule, servePty, serveTcp, type VirtualModule } from '@modemlab/module';
import { AtClient, UbloxModem, openTransport } from '@modemlab/sdk';

export interface UbloxOver {
  module: VirtualModule;
  client: AtClient;
  modem: UbloxModem;
  /** Closes the client, the listener and the module, in that order. */
  close(): Promise<void>;
}

export async function ubloxModemOver(
  transport: 'in-process' | 'tcp' | 'pty',
  o: { dir: string; hosts: Record<string, string>; registrationDelayMs?: number },
): Promise<UbloxOver> {
  const module = await createModule({
    model: 'sara-r5',
    stateDir: join(o.dir, 'state'),
    hosts: o.hosts,
    network: { registrationDelayMs: o.registrationDelayMs ?? 50 },
    log: () => {},
  });
  let stop: () => Promise<void> = async () => {};
  let client: AtClient;
  if (transport === 'in-process') client = new AtClient(connectInProcess(module));
  else if (transport === 'tcp') {
    const l = await serveTcp(module, { host: '127.0.0.1', port: 0 });
    stop = () => l.close();
    client = new AtClient(await openTransport({ url: `tcp://127.0.0.1:${l.address.port}` }));
  } else {
    const l = await servePty(module, { path: join(o.dir, 'ttyModem') });
    stop = () => l.close();
    client = new AtClient(await openTransport({ path: l.path }));
  }
  const modem = new UbloxModem(client);
  await modem.init();
  await modem.attach({ apn: 'internet', timeoutMs: 10_000 });
  return {
    module,
    client,
    modem,
    close: async () => {
      await client.close();
      await stop();
      await module.close();
    },
  };
}
