import { ControlCommand, ERROR_CODES, QuotaPatch, QuotaSpec } from '@strata/contracts';
import { type JsonSchema, toJsonSchema } from './zod-json-schema';

/** The body schema of a command, without the fields the URL provides. */
function commandBody(type: ControlCommand['type'], fromUrl: string[]): JsonSchema {
  const option = ControlCommand.optionsMap.get(type);
  if (!option) throw new Error(`no command ${type}`);
  const schema = toJsonSchema(option);
  const properties = { ...(schema.properties as Record<string, JsonSchema>) };
  for (const key of ['type', ...fromUrl]) delete properties[key];
  const required = (schema.required as string[] | undefined)?.filter(
    (k) => !['type', ...fromUrl].includes(k),
  );
  return { ...schema, properties, ...(required?.length ? { required } : { required: undefined }) };
}

const str = { type: 'string' };
const nullableStr = { type: 'string', nullable: true };
const int = { type: 'integer' };
const time = { type: 'string', format: 'date-time' };
const obj = (properties: Record<string, unknown>): JsonSchema => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
});
const page = (items: JsonSchema): JsonSchema =>
  obj({ items: { type: 'array', items }, nextCursor: nullableStr });

const tenant = obj({
  tenantId: str,
  displayName: str,
  status: { type: 'string', enum: ['active', 'suspended', 'deleted'] },
  suspendedReason: nullableStr,
  version: int,
  createdAt: time,
  updatedAt: time,
});
const apiKey = obj({
  keyId: str,
  tenantId: str,
  name: str,
  scopes: { type: 'array', items: { type: 'string', enum: ['read', 'write', 'admin'] } },
  status: { type: 'string', enum: ['active', 'revoked'] },
  expiresAt: nullableStr,
  createdAt: time,
  revokedAt: nullableStr,
  version: int,
});
const quotaSpec = toJsonSchema(QuotaSpec);
const auditEntry = obj({
  position: int,
  streamId: str,
  version: int,
  type: str,
  data: { type: 'object' },
  tenantId: nullableStr,
  actor: str,
  actorKind: str,
  sourceAddress: str,
  requestId: str,
  recordedAt: time,
  hash: str,
});
const expectedVersion = { type: 'integer', minimum: 0, description: 'alternative to If-Match' };

/** Request and response schemas of the admin API, for the OpenAPI document. */
export const ApiSchemas = {
  createTenant: commandBody('CreateTenant', []),
  renameTenant: commandBody('RenameTenant', ['tenantId']),
  suspendTenant: commandBody('SuspendTenant', ['tenantId']),
  resumeTenant: commandBody('ResumeTenant', ['tenantId']),
  issueApiKey: commandBody('IssueApiKey', ['tenantId']),
  quotaPatch: {
    ...toJsonSchema(QuotaPatch),
    properties: { ...(toJsonSchema(QuotaPatch).properties as object), expectedVersion },
  },
  quotaReplace: {
    ...quotaSpec,
    properties: { ...(quotaSpec.properties as object), expectedVersion },
  },
  tenant,
  tenantPage: page(tenant),
  quota: obj({ tenantId: str, quota: quotaSpec, version: int, updatedAt: time }),
  apiKey,
  apiKeyPage: page(apiKey),
  issuedApiKey: obj({
    key: apiKey,
    secret: { type: 'string', description: 'shown once, never again' },
  }),
  auditPage: page(auditEntry),
  snapshot: obj({
    asOfPosition: int,
    asOfTime: nullableStr,
    tenants: {
      type: 'array',
      items: {
        ...tenant,
        properties: {
          ...(tenant.properties as object),
          quota: quotaSpec,
          apiKeys: { type: 'array', items: apiKey },
        },
      },
    },
  }),
  verification: obj({
    ok: { type: 'boolean' },
    checkedEvents: int,
    lastPosition: int,
    brokenAt: { type: 'integer', nullable: true },
    reason: nullableStr,
  }),
  limits: obj({ tenantId: str, limits: quotaSpec }),
  userStats: obj({
    numSeries: int,
    ingestionRate: { type: 'number' },
    apiIngestionRate: { type: 'number' },
    ruleIngestionRate: { type: 'number' },
    discardedSamples: { type: 'object', additionalProperties: int },
  }),
  error: obj({
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: [...ERROR_CODES] },
        message: str,
        fields: { type: 'array', items: obj({ path: str, message: str }) },
      },
    },
  }),
} satisfies Record<string, JsonSchema>;
