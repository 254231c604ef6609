import { Module } from '@nestjs/common';
import { StoreApiController } from './store-api.controller';
import { StoreGatewayService } from './store-gateway.service';

/**
 * The store service (store gateway): serves the blocks of the bucket through the Store API over
 * NATS, for the tenants and time range this replica owns.
 */
@Module({ controllers: [StoreApiController], providers: [StoreGatewayService] })
export class StoreModule {}
