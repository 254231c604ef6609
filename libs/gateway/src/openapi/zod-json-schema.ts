import { type ZodTypeAny, ZodFirstPartyTypeKind as Kind } from 'zod';

/** A JSON Schema (OpenAPI 3.0 flavour) node. */
export type JsonSchema = Record<string, unknown>;

/**
 * Converts the subset of zod the contracts use into the schemas of the OpenAPI document, so the
 * document cannot drift from what the edge validates.
 */
export function toJsonSchema(schema: ZodTypeAny): JsonSchema {
  const def = schema._def as Def;
  const description = schema.description === undefined ? {} : { description: schema.description };
  const convert = CONVERTERS[def.typeName];
  return convert ? { ...convert(def, schema), ...description } : { ...description };
}

type Def = { typeName: Kind } & Record<string, unknown>;

const CONVERTERS: Partial<Record<Kind, (def: Def, schema: ZodTypeAny) => JsonSchema>> = {
  [Kind.ZodObject]: (def, schema) => {
    const shape = (schema as unknown as { shape: Record<string, ZodTypeAny> }).shape;
    const required = Object.entries(shape)
      .filter(([, s]) => !s.isOptional())
      .map(([k]) => k);
    return {
      type: 'object',
      properties: Object.fromEntries(Object.entries(shape).map(([k, s]) => [k, toJsonSchema(s)])),
      ...(required.length > 0 ? { required } : {}),
      additionalProperties: def.unknownKeys !== 'strict',
    };
  },
  [Kind.ZodString]: (def) => {
    const out: JsonSchema = { type: 'string' };
    for (const check of def.checks as Array<{ kind: string; value?: number; regex?: RegExp }>) {
      if (check.kind === 'regex' && check.regex) out.pattern = check.regex.source;
      if (check.kind === 'min') out.minLength = check.value;
      if (check.kind === 'max') out.maxLength = check.value;
      if (check.kind === 'datetime') out.format = 'date-time';
    }
    return out;
  },
  [Kind.ZodNumber]: (def) => {
    const checks = def.checks as Array<{ kind: string; value?: number; inclusive?: boolean }>;
    const out: JsonSchema = { type: checks.some((c) => c.kind === 'int') ? 'integer' : 'number' };
    for (const check of checks) {
      if (check.kind === 'min') out[check.inclusive ? 'minimum' : 'exclusiveMinimum'] = check.value;
      if (check.kind === 'max') out[check.inclusive ? 'maximum' : 'exclusiveMaximum'] = check.value;
    }
    return out;
  },
  [Kind.ZodBoolean]: () => ({ type: 'boolean' }),
  [Kind.ZodEnum]: (def) => ({ type: 'string', enum: def.values }),
  [Kind.ZodLiteral]: (def) => ({ enum: [def.value] }),
  [Kind.ZodArray]: (def) => {
    const out: JsonSchema = { type: 'array', items: toJsonSchema(def.type as ZodTypeAny) };
    if (def.minLength) out.minItems = (def.minLength as { value: number }).value;
    if (def.maxLength) out.maxItems = (def.maxLength as { value: number }).value;
    return out;
  },
  [Kind.ZodOptional]: (def) => toJsonSchema(def.innerType as ZodTypeAny),
  [Kind.ZodNullable]: (def) => ({ ...toJsonSchema(def.innerType as ZodTypeAny), nullable: true }),
  [Kind.ZodDefault]: (def) => ({
    ...toJsonSchema(def.innerType as ZodTypeAny),
    default: (def.defaultValue as () => unknown)(),
  }),
  [Kind.ZodEffects]: (def) => toJsonSchema(def.schema as ZodTypeAny),
};
