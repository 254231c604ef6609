/** The events part of the admin GraphQL schema: rule sets and archive search, beside the admin types. */
export const EVENTS_SCHEMA = /* GraphQL */ `
  "A kube-events or kube-auditing rule set; origin default: a pack the tenant has not replaced."
  type EventRuleSet {
    tenantId: ID!
    name: String!
    "The one cluster it applies to; null: every cluster of the tenant."
    cluster: String
    origin: String!
    "The Rule CRD's spec: kind events with rules, or kind auditing with group, threshold and rules."
    spec: JSON!
    version: Int!
    createdAt: String
    updatedAt: String
  }

  "The filters of GET /api/v1/events/search and /api/v1/audit/search, with the same meaning and checks."
  input EventSearchFilter {
    "Unix seconds or RFC 3339; default one hour before end."
    start: String
    "Unix seconds or RFC 3339; default now."
    end: String
    cluster: String
    namespace: String
    name: String
    resource: String
    reason: String
    type: String
    user: String
    verb: String
    responseCode: Int
    "Case-insensitive substring of the message."
    text: String
    "asc or desc (default)."
    sort: String
    limit: Int
    cursor: String
    "Histogram bucket width: 60, 30s, 5m, 1h or 1d."
    interval: String
    "Count every match; by default the total stops at 10000 (totalExact false)."
    exactTotal: Boolean
  }

  type ArchivedEvent {
    time: String!
    cluster: String!
    event: JSON!
  }

  type EventHistogramBucket {
    time: String!
    count: Int!
  }

  type EventSearchPage {
    "Every match when totalExact; otherwise at least this many."
    total: Int!
    totalExact: Boolean!
    items: [ArchivedEvent!]!
    nextCursor: String
    histogram: [EventHistogramBucket!]
  }

  extend type Query {
    eventRuleSets(tenantId: ID!): [EventRuleSet!]!
    eventRuleSet(tenantId: ID!, name: String!): EventRuleSet!
    "Archived Kubernetes events; tenantId defaults to the key's tenant (the platform admin names one)."
    eventSearch(tenantId: ID, filter: EventSearchFilter): EventSearchPage!
    "Archived audit events; tenantId as for eventSearch."
    auditSearch(tenantId: ID, filter: EventSearchFilter): EventSearchPage!
  }

  extend type Mutation {
    "Creates or replaces a rule set; a rule that does not compile is refused with its name and reason."
    configureEventRuleSet(
      tenantId: ID!
      name: String!
      cluster: String
      spec: JSON!
      expectedVersion: Int
    ): EventRuleSet!
    deleteEventRuleSet(tenantId: ID!, name: String!, expectedVersion: Int): Boolean!
  }
`;
