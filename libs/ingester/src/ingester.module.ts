import { Module } from '@nestjs/common';
import { IngesterService } from './ingester.service';

/**
 * The ingester service: owns ingest partitions through leases, applies them to in-memory heads
 * with snapshots and stream replay, and serves the Store API for them.
 */
@Module({ providers: [IngesterService] })
export class IngesterModule {}
