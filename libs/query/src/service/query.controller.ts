import { Controller, Optional } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { requestRoute } from '@strata/bus';
import {
  QUERY_QUEUE_GROUP,
  QuerySubjects,
  type PromApiReply,
  type PromApiSerializedReply,
} from '@strata/contracts';
import { StrataMetrics } from '@strata/service-kit';
import { CardinalityExecutor } from './cardinality-executor';
import { QueryExecutor } from './query-executor';

type Endpoint = keyof typeof QuerySubjects;
type Reply = PromApiReply<unknown> | PromApiSerializedReply;

const route = requestRoute({ queueGroup: QUERY_QUEUE_GROUP });
// A gateway in the same process gets query results without NATS and without a second JSON
// encoding of the serialised text; the replies are built for each request.
const evaluate = requestRoute({ queueGroup: QUERY_QUEUE_GROUP, inProcess: true });

/**
 * The query service's read API over the bus, one instance of the `query` queue group per request.
 * Payloads are checked by the executors, which answer Prometheus' own error shapes.
 */
@Controller()
export class QueryController {
  private readonly requests;
  private readonly duration;

  constructor(
    private readonly executor: QueryExecutor,
    private readonly cardinality: CardinalityExecutor,
    @Optional() metrics?: StrataMetrics,
  ) {
    this.requests = metrics?.counter(
      'query_requests_total',
      'Query service requests by endpoint and outcome (success or Prometheus errorType).',
      ['endpoint', 'status'],
    );
    this.duration = metrics?.histogram(
      'query_request_duration_seconds',
      'Time to answer a query service request.',
      ['endpoint'],
    );
  }

  @MessagePattern(QuerySubjects.instant, evaluate)
  instant(@Payload() p: unknown): Promise<Reply> {
    return this.measure('instant', () => this.executor.instant(p));
  }

  // Range results can be large: they travel pre-serialised and the gateway writes them as-is.
  @MessagePattern(QuerySubjects.range, evaluate)
  range(@Payload() p: unknown): Promise<Reply> {
    return this.measure('range', () => this.executor.rangeSerialized(p));
  }

  @MessagePattern(QuerySubjects.series, route)
  series(@Payload() p: unknown): Promise<Reply> {
    return this.measure('series', () => this.executor.series(p));
  }

  @MessagePattern(QuerySubjects.labelNames, route)
  labelNames(@Payload() p: unknown): Promise<Reply> {
    return this.measure('labelNames', () => this.executor.labelNames(p));
  }

  @MessagePattern(QuerySubjects.labelValues, route)
  labelValues(@Payload() p: unknown): Promise<Reply> {
    return this.measure('labelValues', () => this.executor.labelValues(p));
  }

  @MessagePattern(QuerySubjects.metadata, route)
  metadata(@Payload() p: unknown): Promise<Reply> {
    return this.measure('metadata', () => this.executor.metadata(p));
  }

  @MessagePattern(QuerySubjects.exemplars, route)
  exemplars(@Payload() p: unknown): Promise<Reply> {
    return this.measure('exemplars', () => this.executor.exemplars(p));
  }

  @MessagePattern(QuerySubjects.tsdbStatus, route)
  tsdbStatus(@Payload() p: unknown): Promise<Reply> {
    return this.measure('tsdbStatus', () => this.cardinality.tsdbStatus(p));
  }

  @MessagePattern(QuerySubjects.cardinalityLabelNames, route)
  cardinalityLabelNames(@Payload() p: unknown): Promise<Reply> {
    return this.measure('cardinalityLabelNames', () => this.cardinality.labelNames(p));
  }

  @MessagePattern(QuerySubjects.cardinalityLabelValues, route)
  cardinalityLabelValues(@Payload() p: unknown): Promise<Reply> {
    return this.measure('cardinalityLabelValues', () => this.cardinality.labelValues(p));
  }

  @MessagePattern(QuerySubjects.userStats, route)
  userStats(@Payload() p: unknown): Promise<Reply> {
    return this.measure('userStats', () => this.cardinality.userStats(p));
  }

  private async measure(endpoint: Endpoint, answer: () => Promise<Reply>): Promise<Reply> {
    const stop = this.duration?.startTimer({ endpoint });
    const reply = await answer();
    stop?.();
    this.requests?.inc({
      endpoint,
      status: reply.status === 'success' ? 'success' : reply.errorType,
    });
    return reply;
  }
}
