import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { ApiKeyAdminService } from './admin/api-key-admin.service';
import { ApiKeysController } from './admin/api-keys.controller';
import { AuditController } from './admin/audit.controller';
import { AuditService } from './admin/audit.service';
import { AlertIntake } from './alertmanager/alert-intake.service';
import { AlertmanagerApiController } from './alertmanager/alertmanager-api.controller';
import { AlertmanagerConfigController } from './alertmanager/alertmanager-config.controller';
import { AlertmanagerConfigsService } from './alertmanager/alertmanager-configs.service';
import { AlertmanagerWebhookController } from './alertmanager/alertmanager-webhook.controller';
import { QuotasController } from './admin/quotas.controller';
import { TenantAdminService } from './admin/tenant-admin.service';
import { TenantsController } from './admin/tenants.controller';
import { AdmissionCache } from './auth/admission.cache';
import { AuthGuard } from './auth/auth.guard';
import { BlockUploadController, DeleteSeriesController } from './blocks';
import { Authenticator } from './auth/authenticator.service';
import { TenantAdmission } from './auth/tenant-admission.service';
import { BusControlPlaneClient, ControlPlaneClient } from './control-plane/control-plane.client';
import { UserLimitsController } from './data/user-limits.controller';
import { UserStatsController } from './data/user-stats.controller';
import { GATEWAY_OPTIONS, type GatewayOptions } from './gateway.options';
import { AdminResolver } from './graphql/admin.resolver';
import { LogPipelinesResolver } from './graphql/log-pipelines.resolver';
import { RuleGroupsResolver } from './graphql/rule-groups.resolver';
import { formatGraphqlErrors } from './graphql/error-formatter';
import { JsonScalar } from './graphql/json.scalar';
import { ALERTMANAGER_CONFIG_SCHEMA } from './graphql/alertmanager-config.graphql';
import { AlertmanagerConfigResolver } from './graphql/alertmanager-config.resolver';
import { ADMIN_SCHEMA } from './graphql/schema.graphql';
import { ErrorFilter } from './http/error.filter';
import { DocsController, OpenApiDocument } from './openapi/docs.controller';
import { GatewayMetrics } from './ops/gateway-metrics';
import { HealthController } from './ops/health.controller';
import { PrometheusApiController } from './prometheus-api/prometheus-api.controller';
import { CardinalityApiController } from './prometheus-api/cardinality-api.controller';
import { prometheusApiProviders } from './prometheus-api/gateway-wiring';
import { RemoteWriteController, RemoteWriteForwarder } from './remote-write';
import { WhoamiController } from './auth/whoami.controller';
import { PipelineStatsController } from './logs/pipeline-stats.controller';
import { PipelinesController } from './logs/pipelines.controller';
import { PipelinesService } from './logs/pipelines.service';
import { RuleGroupsController } from './rules/rule-groups.controller';
import { RuleGroupsService } from './rules/rule-groups.service';
import { RulerConfigController } from './rules/ruler-config.controller';
import { RulesApiController } from './rules/rules-api.controller';
import { EventsIngestController, EventsSearchController } from './events';
import {
  ElasticsearchBulkController,
  HttpLogsController,
  LogIngest,
  LogSourceMetrics,
  LokiPushController,
  OtlpLogsController,
  SyslogListeners,
} from './logs';
import { EventRuleSetsController } from './events/event-rule-sets.controller';
import { EventRuleSetsService } from './events/event-rule-sets.service';
import { EventsResolver } from './graphql/events.resolver';
import { EVENTS_SCHEMA } from './graphql/events.schema.graphql';
import { MODEL_STORE, ModelsController, modelStoreFor, modelUsageGauge } from './models';
import {
  MlflowController,
  REGISTRY_SCHEMA,
  RegistryController,
  RegistryResolver,
  RegistryWebhooksController,
  RegistryWebhooksResolver,
  RegistryWebhooksService,
  RegistryService,
  ModelAccess,
} from './registry';

/** The HTTP edge: admin REST and GraphQL, authentication, tenant admission, health and metrics. */
@Module({})
export class GatewayModule {
  /** The module for one gateway instance; the app must run on the Fastify adapter. */
  static forRoot(options: GatewayOptions): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        GraphQLModule.forRoot<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          typeDefs: [ADMIN_SCHEMA, EVENTS_SCHEMA, REGISTRY_SCHEMA, ALERTMANAGER_CONFIG_SCHEMA].join(
            '\n',
          ),
          resolvers: { JSON: JsonScalar },
          path: '/graphql',
          graphiql: false,
          // The schema nests at most three levels; deeper documents are abuse, not clients.
          queryDepth: 8,
          errorFormatter: formatGraphqlErrors,
        }),
      ],
      controllers: [
        TenantsController,
        QuotasController,
        ApiKeysController,
        AuditController,
        UserLimitsController,
        WhoamiController,
        UserStatsController,
        RulesApiController,
        PrometheusApiController,
        CardinalityApiController,
        RulerConfigController,
        RuleGroupsController,
        PipelinesController,
        PipelineStatsController,
        RemoteWriteController,
        BlockUploadController,
        DeleteSeriesController,
        EventsIngestController,
        EventsSearchController,
        LokiPushController,
        OtlpLogsController,
        ElasticsearchBulkController,
        HttpLogsController,
        EventRuleSetsController,
        ModelsController,
        RegistryController,
        RegistryWebhooksController,
        MlflowController,
        AlertmanagerApiController,
        AlertmanagerConfigController,
        AlertmanagerWebhookController,
        HealthController,
        DocsController,
      ],
      providers: [
        { provide: GATEWAY_OPTIONS, useValue: options },
        {
          provide: ControlPlaneClient,
          useValue: options.controlPlane ?? new BusControlPlaneClient(options.bus),
        },
        {
          provide: MODEL_STORE,
          inject: [GatewayMetrics],
          useFactory: (metrics: GatewayMetrics) =>
            modelStoreFor(options, modelUsageGauge(metrics.registry)),
        },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
        AdmissionCache,
        Authenticator,
        AlertIntake,
        TenantAdmission,
        TenantAdminService,
        ApiKeyAdminService,
        AuditService,
        AdminResolver,
        RuleGroupsResolver,
        RegistryResolver,
        RegistryWebhooksResolver,
        RegistryWebhooksService,
        RegistryService,
        ModelAccess,
        RuleGroupsService,
        EventRuleSetsService,
        EventsResolver,
        LogPipelinesResolver,
        PipelinesService,
        AlertmanagerConfigsService,
        AlertmanagerConfigResolver,
        GatewayMetrics,
        OpenApiDocument,
        LogIngest,
        LogSourceMetrics,
        SyslogListeners,
        ...prometheusApiProviders(options.bus, options.config.queryFrontend),
        { provide: RemoteWriteForwarder, useValue: new RemoteWriteForwarder(options.bus) },
      ],
      exports: [ControlPlaneClient, GatewayMetrics, SyslogListeners],
    };
  }
}
