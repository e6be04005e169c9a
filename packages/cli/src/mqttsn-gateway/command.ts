/** `modemlab mqttsn-gateway`: start the gateway, print one ready line, run until told to stop. */
import { MqttSnGateway } from './gateway.js';
import { loadPredefined } from './predefined.js';
import { listenUdp } from './udp.js';
import { listenDtls, type GatewayDtlsOptions } from './dtls.js';

export interface GatewayCommandOptions {
  listen: { host: string; port: number };
  broker: string;
  predefined?: string;
  /** Listen with DTLS instead of plain UDP. */
  dtls?: GatewayDtlsOptions;
}

export async function startGatewayCommand(o: GatewayCommandOptions, print: (line: string) => void): Promise<MqttSnGateway> {
  if (!/^(mqtts?|wss?|tcp|ssl):\/\//.test(o.broker)) throw new Error(`--broker must be an mqtt:// or mqtts:// URL, got '${o.broker}'`);
  const predefined = o.predefined ? loadPredefined(o.predefined) : new Map<number, string>();
  const endpoint = o.dtls ? await listenDtls(o.listen.host, o.listen.port, o.dtls) : await listenUdp(o.listen.host, o.listen.port);
  const gw = new MqttSnGateway({ endpoint, broker: o.broker, predefined });
  print(`mqttsn-gateway listening on ${endpoint.description}, broker ${o.broker}, ${predefined.size} predefined topic(s)`);
  return gw;
}
