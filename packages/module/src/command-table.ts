import { dialectOf } from './dialects/index.js';
import { formsOf } from './engine/registry.js';
import { findModel } from './models/index.js';

export interface CommandTableRow {
  name: string;
  forms: string[];
  source: string;
  /** Other spellings the product accepts for the command (a seed's own spelling). */
  aliases?: string[];
}

/** Every command a product answers, from its handler registry: the source of docs/commands.md. */
export function commandTable(modelId: string): CommandTableRow[] {
  const model = findModel(modelId);
  if (!model) throw new Error(`unknown model ${modelId}`);
  const excluded = new Set((model.excludedCommands ?? []).map((c) => c.toUpperCase()));
  return dialectOf(model.dialect).commands
    .filter((c) => !excluded.has(c.name.toUpperCase()))
    .map((c) => ({ name: c.name, forms: formsOf(c), source: c.source ?? '', ...(c.aliases?.length ? { aliases: [...c.aliases] } : {}) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
