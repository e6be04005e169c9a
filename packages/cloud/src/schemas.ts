import { z } from 'zod';

/**
 * Field schemas shared by every route. Hex inputs are case-insensitive; RoT UIDs come out
 * uppercase (as the API prints them), other hex lowercase.
 */
export function hexString(opts: { bytes?: number; minBytes?: number; maxBytes?: number } = {}) {
  const min = opts.bytes ?? opts.minBytes ?? 1;
  const max = opts.bytes ?? opts.maxBytes ?? 4096;
  return z
    .string()
    .regex(/^(?:[0-9a-fA-F]{2})+$/, 'must be hex (an even number of 0-9a-f)')
    .refine((s) => s.length / 2 >= min && s.length / 2 <= max, opts.bytes ? `must be ${opts.bytes} bytes` : `must be ${min}..${max} bytes`)
    .transform((s) => s.toLowerCase());
}

export const base64String = (opts: { maxBytes?: number } = {}) =>
  z
    .string()
    .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be base64')
    .refine((s) => s.length / 4 * 3 <= (opts.maxBytes ?? 65536), 'too long');

/** The root of trust's public UID: 8 bytes, 16 hex chars, answered uppercase. */
export const rotUid = z
  .string()
  .regex(/^[0-9a-fA-F]{16}$/, 'must be 16 hex characters')
  .transform((s) => s.toUpperCase());

/** DeviceProfileUID: 22 base62 characters (like `AgbCtixjwqLjwV3VWpfPyz`). */
export const deviceProfileUid = z.string().regex(/^[0-9A-Za-z]{22}$/, 'must be 22 base62 characters');

/** Free text stored verbatim (names, serials): any characters, bounded. */
export const text = (max: number) => z.string().min(1).max(max);

export const FEATURE_NAMES = ['E2E', 'PSK', 'ZTP', 'C2C', 'LocalDataProtection', 'LocalC2CKeyPairing'] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];
export type Features = Record<FeatureName, boolean>;
export const featureName = z.enum(FEATURE_NAMES);
/** A partial feature map (per-device overrides). */
export const featureFlags = z.strictObject(Object.fromEntries(FEATURE_NAMES.map((f) => [f, z.boolean().optional()])) as Record<FeatureName, z.ZodOptional<z.ZodBoolean>>);
export const featuresResponse = z.object(Object.fromEntries(FEATURE_NAMES.map((f) => [f, z.boolean()])) as Record<FeatureName, z.ZodBoolean>);

export const noFeatures = (): Features => Object.fromEntries(FEATURE_NAMES.map((f) => [f, false])) as Features;

export const emptyBody = z.strictObject({});
export const emptyResponse = z.object({});
