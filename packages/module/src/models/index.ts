import { bc66 } from './bc66.js';
import { saraR410m } from './sara-r410m.js';
import { saraR5 } from './sara-r5.js';
import { saraR5v00b } from './sara-r5-00b.js';
import { ge910, he910 } from './telit.js';
import type { ModelTable } from './types.js';

const MODELS: readonly ModelTable[] = [saraR5, saraR410m, ge910, he910, bc66, saraR5v00b];

export function findModel(id: string): ModelTable | undefined {
  return MODELS.find((m) => m.id === id.toLowerCase());
}

export function listModels(): string[] {
  return MODELS.map((m) => m.id);
}
