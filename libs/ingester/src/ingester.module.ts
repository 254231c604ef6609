import { Module } from '@nestjs/common';

/**
 * The ingester service: owns ingest partitions, builds head blocks from the stream and uploads them to the bucket. Until that behaviour lands, the module contributes nothing of
 * its own: the process it runs in joins the bus and answers health and info for it.
 */
@Module({})
export class IngesterModule {}
