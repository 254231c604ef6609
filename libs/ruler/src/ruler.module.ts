import { Module } from '@nestjs/common';
import { RulerController } from './ruler.controller';
import { RulerService } from './ruler.service';

/**
 * The ruler service: evaluates the rule groups kept by the control plane, sharded over replicas by
 * leases in KV; recording results go through the router, alerts to Alertmanager and to NATS.
 */
@Module({ controllers: [RulerController], providers: [RulerService] })
export class RulerModule {}
