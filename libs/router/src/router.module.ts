import { Module } from '@nestjs/common';

/**
 * The router service: validates writes, applies tenant limits and publishes them by partition to the ingest stream. Until that behaviour lands, the module contributes nothing of
 * its own: the process it runs in joins the bus and answers health and info for it.
 */
@Module({})
export class RouterModule {}
