import { Module } from '@nestjs/common';
import { RouterService } from './router.service';
import { RouterController } from './router.controller';

/**
 * The router service: validates writes forwarded by the gateway, applies tenant limits and
 * publishes them by partition to the ingest stream.
 */
@Module({ controllers: [RouterController], providers: [RouterService] })
export class RouterModule {}
