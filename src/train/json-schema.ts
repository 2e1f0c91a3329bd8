/**
 * The subset of JSON Schema that zod's `z.toJSONSchema` writes for our config schemas: what the
 * flag-key list (`config-keys.ts`) and the config error messages (`config-issues.ts`) read.
 */
export interface JsonSchema {
  type?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  default?: unknown;
  minItems?: number;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}
