/**
 * A module of one product on a manual clock for the engine properties: its output, its
 * logged internal faults, its NVM as a snapshot, and the steps that bring any terminal back
 * to command mode (guard timers, ESC, +++) and prove it still answers.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ModuleHarness, settle } from '../../packages/module/src/testing/harness.js';
import type { CommandDef } from '../../packages/module/src/engine/registry.js';

/**
 * Commands that, when they succeed, leave the AT language by design: the port then speaks
 * another framing (27.010 CMUX, u-blox chip-to-chip). The byte-level engine property leaves
 * them out; the mux has its own property (cmux-module.test.ts), the C2C codec its own in
 * packages/at. The rejected-command property keeps them (a rejection must change nothing).
 */
export const LEAVES_AT = new Set(['+CMUX', '+USECC2C']);

export interface FuzzModule {
  h: ModuleHarness;
  /** Internal faults the module logged ('handler crashed' and the like). */
  faults: string[];
  close(): Promise<void>;
}

/** Time after which every product has registered with the virtual network (its registration delay). */
export const REGISTERED_AFTER_MS = 60_000;

/** A fresh module of `model`; `registered` moves its clock until the network is attached. */
export async function fuzzModule(model: string, opts: { registered?: boolean } = {}): Promise<FuzzModule> {
  const faults: string[] = [];
  const h = await ModuleHarness.create({
    model,
    log: (message, detail) => {
      if (/crash|uncaught|unhandled/i.test(message)) faults.push(`${message}: ${detail instanceof Error ? detail.stack : String(detail)}`);
    },
  });
  if (opts.registered) {
    h.clock.advance(REGISTERED_AFTER_MS);
    await settle();
    h.take();
  }
  return { h, faults, close: () => h.close() };
}

/** The commands of a product, for vocabularies. */
export async function commandsOf(model: string): Promise<CommandDef[]> {
  const m = await fuzzModule(model);
  try {
    return m.h.module.registry.list();
  } finally {
    await m.close();
  }
}

/** Feeds bytes, lets handlers settle, then moves the clock. */
export async function step(h: ModuleHarness, bytes: Buffer, advanceMs: number): Promise<void> {
  h.terminal.input(bytes);
  await settle();
  if (advanceMs > 0) {
    h.clock.advance(advanceMs);
    await settle();
  }
}

const LETTERS_OF_AT = new Set([0x41, 0x54, 0x61, 0x74]);

/**
 * Brings the terminal back from any documented mode and asks `AT`: returns what the module
 * answered to the probe. Prompts end by ESC or their guard timer, online mode by +++ with
 * its guard times, a reboot by its boot time; every wait is on the manual clock.
 */
export async function recoverAndProbe(h: ModuleHarness): Promise<string> {
  for (let i = 0; i < 6; i++) await step(h, Buffer.alloc(0), 60_000);
  await step(h, Buffer.from([0x1b]), 60_000);
  const guard = h.terminal.session.escapeGuardMs() + 100;
  await step(h, Buffer.alloc(0), guard);
  await step(h, Buffer.from('+++'), guard);
  for (let i = 0; i < 3; i++) await step(h, Buffer.alloc(0), 60_000);
  const s = h.terminal.session;
  // ATS3/ATS5 may have made a letter of "AT" the line end or the backspace: a documented
  // state in which "AT" cannot be typed, so the probe starts from power-up editing values.
  if (LETTERS_OF_AT.has(s.sreg(3)) || LETTERS_OF_AT.has(s.sreg(5)) || s.sreg(3) === s.sreg(5)) s.reset();
  const end = String.fromCharCode(s.sreg(3));
  await step(h, Buffer.from(end, 'latin1'), 1000);
  await step(h, Buffer.from(`ATQ0V1${end}`, 'latin1'), 1000);
  h.take();
  await step(h, Buffer.from(`AT${end}`, 'latin1'), 0);
  for (let i = 0; i < 5 && !/OK/.test(h.output.toString('latin1')); i++) await step(h, Buffer.alloc(0), 10_000);
  return h.take();
}

/** Every file of the module's NVM folder (documents, the file system, certificates) by path. */
export function nvmSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[p.slice(dir.length)] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}
