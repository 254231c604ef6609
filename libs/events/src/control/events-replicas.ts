import { Inject, Injectable } from '@nestjs/common';
import { KV, type KvProvider } from '@strata/bus';
import { KvBuckets } from '@strata/contracts';
import { INSTANCE_IDENTITY, type InstanceIdentity, ReplicaCount } from '@strata/service-kit';

/**
 * The live events replicas in `STRATA_EVENTS_MEMBERS`: ingest requests reach the replicas of the
 * `events` queue group at random, so each admits 1/N of a tenant's events rate and burst.
 */
@Injectable()
export class EventsReplicas extends ReplicaCount {
  constructor(@Inject(KV) kv: KvProvider, @Inject(INSTANCE_IDENTITY) identity: InstanceIdentity) {
    super(kv, KvBuckets.eventsMembers, identity.instanceId, 'events');
  }
}
