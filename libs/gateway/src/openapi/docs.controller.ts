import { Controller, Get, Injectable } from '@nestjs/common';
import { ApiExcludeController, type OpenAPIObject } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator';

/** Holds the OpenAPI document, built from the routes once the app exists. */
@Injectable()
export class OpenApiDocument {
  document: OpenAPIObject | null = null;
}

/** Serves the OpenAPI 3 document of the API as JSON. */
@Public()
@ApiExcludeController()
@Controller('api/docs')
export class DocsController {
  constructor(private readonly holder: OpenApiDocument) {}

  @Get()
  get(): OpenAPIObject | Record<string, never> {
    return this.holder.document ?? {};
  }
}
