import { SetMetadata } from '@nestjs/common';

/** Metadata key of routes that need no credentials. */
export const PUBLIC_ROUTE = 'strata:public';

/** Marks a route (health, metrics, docs) as open to unauthenticated callers. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);
