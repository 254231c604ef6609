import { Module } from '@nestjs/common';

/**
 * The store service: serves blocks from the bucket through the Store API over NATS. Until that behaviour lands, the module contributes nothing of
 * its own: the process it runs in joins the bus and answers health and info for it.
 */
@Module({})
export class StoreModule {}
