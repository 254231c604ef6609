/**
 * What every read of a stored credential shows instead of it: the audit trail, replays, REST and
 * GraphQL (Alertmanager prints its `Secret` type the same way). Written back unchanged, it keeps the
 * stored value.
 */
export const SECRET_MASK = '<secret>';
