/**
 * The admin GraphQL schema. Quota fields are `Float` because GraphQL's `Int` is 32-bit and byte
 * quotas are not; the edge still requires whole numbers where the contracts do.
 */
export const ADMIN_SCHEMA = /* GraphQL */ `
  scalar JSON

  enum TenantStatus {
    active
    suspended
    deleted
  }
  enum ApiKeyScope {
    read
    write
    admin
  }
  enum ApiKeyStatus {
    active
    revoked
  }

  type Tenant {
    tenantId: ID!
    displayName: String!
    status: TenantStatus!
    suspendedReason: String
    version: Int!
    createdAt: String!
    updatedAt: String!
  }

  type QuotaSpec {
    maxActiveSeries: Float!
    ingestionRateSamplesPerSecond: Float!
    ingestionBurstSamples: Float!
    maxLabelsPerSeries: Float!
    maxSeriesPerQuery: Float!
    maxSamplesPerQuery: Float!
    maxQueryRangeSeconds: Float!
    retentionRawSeconds: Float!
    retention5mSeconds: Float!
    retention1hSeconds: Float!
    logBytesPerDay: Float!
    logIngestionRateBytesPerSecond: Float!
    logIngestionBurstBytes: Float!
    modelStorageBytes: Float!
    creationGracePeriodSeconds: Float!
    pastGracePeriodSeconds: Float!
    outOfOrderTimeWindowSeconds: Float!
  }

  input QuotaPatchInput {
    maxActiveSeries: Float
    ingestionRateSamplesPerSecond: Float
    ingestionBurstSamples: Float
    maxLabelsPerSeries: Float
    maxSeriesPerQuery: Float
    maxSamplesPerQuery: Float
    maxQueryRangeSeconds: Float
    retentionRawSeconds: Float
    retention5mSeconds: Float
    retention1hSeconds: Float
    logBytesPerDay: Float
    logIngestionRateBytesPerSecond: Float
    logIngestionBurstBytes: Float
    modelStorageBytes: Float
    creationGracePeriodSeconds: Float
    pastGracePeriodSeconds: Float
    outOfOrderTimeWindowSeconds: Float
  }

  type Quota {
    tenantId: ID!
    quota: QuotaSpec!
    version: Int!
    updatedAt: String!
  }

  type ApiKey {
    keyId: ID!
    tenantId: ID!
    name: String!
    scopes: [ApiKeyScope!]!
    status: ApiKeyStatus!
    expiresAt: String
    createdAt: String!
    revokedAt: String
    version: Int!
  }

  "A new key: the secret is shown here once and never again."
  type IssuedApiKey {
    key: ApiKey!
    secret: String!
  }

  type AuditEntry {
    position: Int!
    streamId: String!
    version: Int!
    type: String!
    data: JSON
    tenantId: ID
    actor: String!
    actorKind: String!
    sourceAddress: String!
    requestId: String!
    recordedAt: String!
    hash: String!
  }

  type TenantPage {
    items: [Tenant!]!
    nextCursor: String
  }
  type ApiKeyPage {
    items: [ApiKey!]!
    nextCursor: String
  }
  type AuditPage {
    items: [AuditEntry!]!
    nextCursor: String
  }

  input AuditFilter {
    tenantId: ID
    actor: String
    type: String
    from: String
    to: String
  }

  type SnapshotTenant {
    tenantId: ID!
    displayName: String!
    status: TenantStatus!
    suspendedReason: String
    version: Int!
    createdAt: String!
    updatedAt: String!
    quota: QuotaSpec!
    apiKeys: [ApiKey!]!
  }

  type ControlPlaneSnapshot {
    asOfPosition: Int!
    asOfTime: String
    tenants: [SnapshotTenant!]!
  }

  type ChainVerification {
    ok: Boolean!
    checkedEvents: Int!
    lastPosition: Int!
    brokenAt: Int
    reason: String
  }

  "Where a rule group lives: a tenant's namespace, the whole tenant, or every tenant (platform admin)."
  enum RuleGroupScope {
    namespace
    cluster
    global
  }

  "A Prometheus rule group as stored: the group itself as the rule file's YAML would hold it, in JSON."
  type RuleGroup {
    scope: RuleGroupScope!
    tenantId: ID
    namespace: String
    name: String!
    group: JSON!
    version: Int!
    createdAt: String!
    updatedAt: String!
  }

  "A tenant's log pipeline: the spec (transforms and sinks wired by inputs) in JSON."
  type LogPipeline {
    tenantId: ID!
    name: String!
    pipeline: JSON!
    version: Int!
    createdAt: String!
    updatedAt: String!
  }

  type Query {
    tenants(first: Int, after: String, includeDeleted: Boolean): TenantPage!
    tenant(tenantId: ID!): Tenant!
    quota(tenantId: ID!): Quota!
    apiKeys(tenantId: ID!, first: Int, after: String): ApiKeyPage!
    apiKey(keyId: ID!): ApiKey!
    auditEvents(filter: AuditFilter, first: Int, after: String): AuditPage!
    "The control plane as of an instant (RFC 3339) or a position; exactly one."
    replay(at: String, position: Int): ControlPlaneSnapshot!
    verifyAuditChain: ChainVerification!
    ruleGroups(scope: RuleGroupScope!, tenantId: ID, namespace: String): [RuleGroup!]!
    ruleGroup(scope: RuleGroupScope!, tenantId: ID, namespace: String, name: String!): RuleGroup!
    logPipelines(tenantId: ID!): [LogPipeline!]!
    logPipeline(tenantId: ID!, name: String!): LogPipeline!
  }

  type Mutation {
    createTenant(tenantId: ID!, displayName: String!): Tenant!
    renameTenant(tenantId: ID!, displayName: String!, expectedVersion: Int): Tenant!
    suspendTenant(tenantId: ID!, reason: String, expectedVersion: Int): Tenant!
    resumeTenant(tenantId: ID!, expectedVersion: Int): Tenant!
    deleteTenant(tenantId: ID!, expectedVersion: Int): Tenant!
    setQuota(tenantId: ID!, quota: QuotaPatchInput!, expectedVersion: Int): Quota!
    issueApiKey(
      tenantId: ID!
      name: String!
      scopes: [ApiKeyScope!]!
      expiresAt: String
    ): IssuedApiKey!
    revokeApiKey(keyId: ID!, expectedVersion: Int): ApiKey!
    "Creates or replaces a group, checked as promtool checks rule files."
    configureRuleGroup(
      scope: RuleGroupScope!
      tenantId: ID
      namespace: String
      group: JSON!
      expectedVersion: Int
    ): RuleGroup!
    deleteRuleGroup(
      scope: RuleGroupScope!
      tenantId: ID
      namespace: String
      name: String!
      expectedVersion: Int
    ): Boolean!
    "Creates or replaces a log pipeline; a cycle, an unknown input or a bad pattern is refused with its path."
    configureLogPipeline(tenantId: ID!, pipeline: JSON!, expectedVersion: Int): LogPipeline!
    deleteLogPipeline(tenantId: ID!, name: String!, expectedVersion: Int): Boolean!
  }
`;
