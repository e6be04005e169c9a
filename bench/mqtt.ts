/**
 * `npm run bench` (MQTT part): messages per second published through the virtual module
 * (AT over the in-process link: +UMQTTC=9 binary publish with its '>' prompt, the module's
 * MQTT client on the one dialer, the +UUMQTTC result) beside mqtt.js publishing straight to
 * the same mosquitto, same run, at QoS 0 and QoS 1. Each sample publishes N messages and
 * waits until a subscriber (mqtt.js) has them all; min/median/max of the samples and the
 * ratio module / mqtt.js of the medians are printed.
 *
 * Fairness (issue 12 audit): an untimed warm-up of WARMUP messages per client and QoS first (the
 * JIT: a cold first pass runs ~3x slower, which made QoS 0 — measured first — look slower than
 * QoS 1); QoS 0 and QoS 1 samples interleave, and so do module and mqtt.js, alternating which
 * goes first; mqtt.js's socket has Nagle off (as the module's connection has).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqttjs, { type MqttClient } from 'mqtt';
import { connectInProcess } from '../packages/module/src/transports/in-process.js';
import { VirtualModule } from '../packages/module/src/module.js';
import { startMosquitto } from '../packages/module/src/testing/mosquitto.js';
import { AtClient } from '../packages/sdk/src/at-client.js';
import { UbloxModem } from '../packages/sdk/src/drivers/ublox.js';

// Enough per sample that the fastest series (mqtt.js QoS 0, ~100k msg/s) takes tens of ms, not timer noise.
const MESSAGES = 4000;
const SAMPLES = 7;
const WARMUP = 1000;
const PAYLOAD = Buffer.alloc(64, 0x61);

const stats = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
};

async function up(c: MqttClient): Promise<MqttClient> {
  await new Promise<void>((resolve, reject) => c.once('connect', () => resolve()).once('error', reject));
  return c;
}

/** Messages/s of one sample: N publishes, done when the subscriber has seen all N. */
async function sample(sub: MqttClient, topic: string, publish: (i: number) => Promise<void>): Promise<number> {
  let seen = 0;
  const all = new Promise<void>((resolve) => {
    const on = (t: string) => {
      if (t === topic && ++seen === MESSAGES) {
        sub.off('message', on);
        resolve();
      }
    };
    sub.on('message', on);
  });
  const start = performance.now();
  for (let i = 0; i < MESSAGES; i++) await publish(i);
  await all;
  return (MESSAGES * 1000) / (performance.now() - start);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-bench-mqtt-'));
  const broker = await startMosquitto();
  const module = await VirtualModule.create({ model: 'sara-r5', stateDir: join(dir, 'state'), network: { registrationDelayMs: 50 }, log: () => {} });
  const client = new AtClient(connectInProcess(module));
  const modem = new UbloxModem(client);
  const sub = await up(mqttjs.connect({ host: '127.0.0.1', port: broker.port, reconnectPeriod: 0 }));
  const direct = await up(mqttjs.connect({ host: '127.0.0.1', port: broker.port, reconnectPeriod: 0 }));
  try {
    await modem.init();
    await modem.attach({ apn: 'internet', timeoutMs: 10_000 });
    await modem.mqtt.connect({ host: '127.0.0.1', port: broker.port, clientId: 'bench-module' });
    await sub.subscribeAsync('bench/#', { qos: 1 });
    // Nagle off for the baseline and the subscriber too (mqtt.js leaves it on); the broker's
    // sockets have it off by its configuration (set_tcp_nodelay).
    for (const c of [direct, sub]) (c.stream as unknown as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    const viaModule = (qos: 0 | 1) => (i: number) => modem.mqtt.publish(`bench/module/${qos}`, PAYLOAD, { qos }).then(() => void i);
    const viaMqttJs = (qos: 0 | 1) => async () => {
      await direct.publishAsync(`bench/direct/${qos}`, PAYLOAD, { qos });
    };
    for (const qos of [0, 1] as const) {
      for (let i = 0; i < WARMUP; i++) await viaModule(qos)(i);
      for (let i = 0; i < WARMUP; i++) await viaMqttJs(qos)();
    }
    console.log(`MQTT publish, ${MESSAGES} x ${PAYLOAD.length} B per sample, ${SAMPLES} samples (after ${WARMUP} untimed per client and QoS), messages/s`);
    const results = { 0: { module: [] as number[], mqttjs: [] as number[] }, 1: { module: [] as number[], mqttjs: [] as number[] } };
    for (let s = 0; s < SAMPLES; s++) {
      // Interleaved and alternating, so every series sees the same machine load.
      for (const qos of (s % 2 ? [1, 0] : [0, 1]) as Array<0 | 1>) {
        const m = async () => results[qos].module.push(await sample(sub, `bench/module/${qos}`, viaModule(qos)));
        const d = async () => results[qos].mqttjs.push(await sample(sub, `bench/direct/${qos}`, viaMqttJs(qos)));
        if (s % 2) {
          await d();
          await m();
        } else {
          await m();
          await d();
        }
      }
    }
    const f = (x: { min: number; median: number; max: number }) => `${x.min.toFixed(0)}/${x.median.toFixed(0)}/${x.max.toFixed(0)}`;
    for (const qos of [0, 1] as const) {
      const a = stats(results[qos].module);
      const b = stats(results[qos].mqttjs);
      console.log(`QoS ${qos}: module ${f(a)}  mqtt.js ${f(b)}  (min/median/max)  ratio module/mqtt.js ${(a.median / b.median).toFixed(3)}`);
    }
    await modem.mqtt.end();
  } finally {
    await sub.endAsync(true);
    await direct.endAsync(true);
    await client.close();
    await module.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
