import { Module } from '@nestjs/common';
import { CompactorService } from './compactor.service';

/**
 * The compactor service: compacts the tenants' blocks in the bucket (level and vertical
 * compaction with replica dedup), applies their retention, and collects what crashes and
 * compactions leave behind.
 */
@Module({ providers: [CompactorService] })
export class CompactorModule {}
