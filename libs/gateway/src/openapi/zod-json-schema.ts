import { type ZodTypeAny, ZodFirstPartyTypeKind as Kind } from 'zod';

/** A JSON Schema (OpenAPI 3.0 flavour) node. */
export type JsonSchema = Record<string, unknown>;

/**
 * Converts the subset of zod the contracts use into the schemas of the OpenAPI document, so the
 * document cannot drift from what the edge validates.
 */
export function toJsonSchema(schema: ZodTypeAny): JsonSchema {
  const def = schema._def as { typeName: Kind } & Record<string, unknown>;
  const description = schema.description === undefined ? {} : { description: schema.description };
  switch (def.typeName) {
    case Kind.ZodObject: {
      const shape = (schema as unknown as { shape: Record<string, ZodTypeAny> }).shape;
      const required = Object.entries(shape).filter(([, s]) => !s.isOptional()).map(([k]) => k);
      return {
        type: 'object',
        properties: Object.fromEntries(Object.entries(shape).map(([k, s]) => [k, toJsonSchema(s)])),
        ...(required.length > 0 ? { required } : {}),
        additionalProperties: def.unknownKeys !== 'strict',
        ...description,
      };
    }
    case Kind.ZodString: {
      const out: JsonSchema = { type: 'string', ...description };
      for (const check of def.checks as Array<{ kind: string; value?: number; regex?: RegExp }>) {
        if (check.kind === 'regex' && check.regex) out.pattern = check.regex.source;
        if (check.kind === 'min') out.minLength = check.value;
        if (check.kind === 'max') out.maxLength = check.value;
        if (check.kind === 'datetime') out.format = 'date-time';
      }
      return out;
    }
    case Kind.ZodNumber: {
      const checks = def.checks as Array<{ kind: string; value?: number; inclusive?: boolean }>;
      const out: JsonSchema = { type: checks.some((c) => c.kind === 'int') ? 'integer' : 'number', ...description };
      for (const check of checks) {
        if (check.kind === 'min') out[check.inclusive ? 'minimum' : 'exclusiveMinimum'] = check.value;
        if (check.kind === 'max') out[check.inclusive ? 'maximum' : 'exclusiveMaximum'] = check.value;
      }
      return out;
    }
    case Kind.ZodBoolean:
      return { type: 'boolean', ...description };
    case Kind.ZodEnum:
      return { type: 'string', enum: def.values, ...description };
    case Kind.ZodLiteral:
      return { enum: [def.value], ...description };
    case Kind.ZodArray: {
      const out: JsonSchema = { type: 'array', items: toJsonSchema(def.type as ZodTypeAny), ...description };
      if (def.minLength) out.minItems = (def.minLength as { value: number }).value;
      if (def.maxLength) out.maxItems = (def.maxLength as { value: number }).value;
      return out;
    }
    case Kind.ZodOptional:
    case Kind.ZodNullable:
      return toJsonSchema(def.innerType as ZodTypeAny);
    case Kind.ZodDefault:
      return { ...toJsonSchema(def.innerType as ZodTypeAny), default: (def.defaultValue as () => unknown)() };
    case Kind.ZodEffects:
      return toJsonSchema(def.schema as ZodTypeAny);
    default:
      return { ...description };
  }
}
