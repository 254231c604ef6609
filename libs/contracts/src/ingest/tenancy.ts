/**
 * The label that names a series' tenant: the router adds it to every series (as Thanos receive adds
 * its tenant label), every read is scoped by it and it is removed from answers; blocks keep it as
 * the `thanos.labels` external label instead.
 */
export const TENANT_LABEL = 'tenant_id';
