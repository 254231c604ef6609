import { Module } from '@nestjs/common';
import { IngesterService } from './ingester.service';
import { StoreApiController } from './store/store-api.controller';

/**
 * The ingester service: owns ingest partitions through leases, applies them to in-memory heads
 * with snapshots and stream replay, and serves the Store API for them.
 */
@Module({ controllers: [StoreApiController], providers: [IngesterService] })
export class IngesterModule {}
