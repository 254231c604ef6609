import { Controller, Delete, Get, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  type ErrorCode,
  HTTP_STATUS_OF,
  ModelPermission,
  type ModelVersionView,
  type RegisteredModelView,
  StrataError,
} from '@strata/contracts';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { callerOf } from '../http/request-state';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { RegistryService } from './registry.service';

/** MLflow's error codes for Strata's. */
const MLFLOW_CODE: Partial<Record<ErrorCode, string>> = {
  not_found: 'RESOURCE_DOES_NOT_EXIST',
  already_exists: 'RESOURCE_ALREADY_EXISTS',
  validation_failed: 'INVALID_PARAMETER_VALUE',
  bad_request: 'INVALID_PARAMETER_VALUE',
  forbidden: 'PERMISSION_DENIED',
  unauthorized: 'UNAUTHENTICATED',
};

type Params = Record<string, unknown>;

const ms = (iso: string) => Date.parse(iso);
const tagList = (tags: Record<string, string>) =>
  Object.entries(tags).map(([key, value]) => ({ key, value }));

function mlflowVersion(name: string, v: ModelVersionView) {
  return {
    name,
    version: String(v.version),
    creation_timestamp: ms(v.createdAt),
    last_updated_timestamp: ms(v.updatedAt),
    current_stage: 'None',
    description: v.description,
    source: v.source,
    ...(v.runId ? { run_id: v.runId } : {}),
    ...(v.runLink ? { run_link: v.runLink } : {}),
    status: v.status,
    tags: tagList(v.tags),
    aliases: v.aliases,
  };
}

function mlflowModel(m: RegisteredModelView) {
  const latest = m.versions[m.versions.length - 1];
  return {
    name: m.name,
    creation_timestamp: ms(m.createdAt),
    last_updated_timestamp: ms(m.updatedAt),
    description: m.description,
    latest_versions: latest ? [mlflowVersion(m.name, latest)] : [],
    tags: tagList(m.tags),
    aliases: Object.entries(m.aliases).map(([alias, version]) => ({
      alias,
      version: String(version),
    })),
  };
}

function text(params: Params, key: string, required = true): string | undefined {
  const value = params[key];
  if (value === undefined || value === null || value === '') {
    if (required)
      throw new StrataError('bad_request', `Missing value for required parameter '${key}'`);
    return undefined;
  }
  return String(value);
}

function versionOf(params: Params): number {
  const version = Number(text(params, 'version'));
  if (!Number.isInteger(version) || version < 1)
    throw new StrataError('bad_request', `version must be a positive integer`);
  return version;
}

function permissionOf(params: Params): ModelPermission {
  const parsed = ModelPermission.safeParse(text(params, 'permission'));
  if (!parsed.success)
    throw new StrataError(
      'bad_request',
      `permission must be one of ${ModelPermission.options.join(', ')}`,
    );
  return parsed.data;
}

function tagsOf(params: Params): Record<string, string> {
  const tags = (params.tags as Array<{ key: string; value: string }> | undefined) ?? [];
  return Object.fromEntries(tags.map((t) => [t.key, String(t.value)]));
}

/** `name = 'x'`, `name LIKE '%x%'` (and ILIKE) and `tags.k = 'v'`, joined by AND: what MLflow's clients send. */
function parseFilter(filter: string | undefined): {
  name?: string;
  nameContains?: string;
  tagKey?: string;
  tagValue?: string;
} {
  const out: { name?: string; nameContains?: string; tagKey?: string; tagValue?: string } = {};
  if (!filter) return out;
  for (const clause of filter.split(/\s+AND\s+/i)) {
    const m = /^\s*(name|tags\.`?([\w.-]+)`?)\s*(=|I?LIKE)\s*['"](.*)['"]\s*$/i.exec(clause);
    if (!m)
      throw new StrataError('bad_request', `unsupported filter clause ${JSON.stringify(clause)}`);
    if (m[2] !== undefined) [out.tagKey, out.tagValue] = [m[2], m[4]];
    else if (m[3] === '=') out.name = m[4];
    else out.nameContains = m[4].replace(/^%|%$/g, '');
  }
  return out;
}

/**
 * The registry subset of MLflow's REST API (`/api/2.0/mlflow/registered-models/*`,
 * `/model-versions/*`, aliases), so MLflow clients read and write Strata's registry with a
 * Strata API key as their token. Errors use MLflow's `{error_code, message}` shape.
 */
@ApiTags('models')
@Controller('api/2.0/mlflow')
export class MlflowController {
  constructor(
    private readonly admission: TenantAdmission,
    private readonly registry: RegistryService,
  ) {}

  @Post('registered-models/create')
  @RouteDoc({ summary: 'MLflow CreateRegisteredModel', access: 'write scope' })
  create(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer(req, res, 'write', async (tenantId, p) => {
      const model = await this.registry.change(callerOf(req), {
        type: 'CreateRegisteredModel',
        tenantId,
        name: text(p, 'name') as string,
        description: text(p, 'description', false) ?? '',
        tags: tagsOf(p),
      });
      return { registered_model: model && mlflowModel(model) };
    });
  }

  @Get('registered-models/get')
  @RouteDoc({ summary: 'MLflow GetRegisteredModel', access: 'READ on the model' })
  get(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer(req, res, null, async (tenantId, p) => ({
      registered_model: mlflowModel(
        await this.registry.get(callerOf(req), tenantId, text(p, 'name') as string),
      ),
    }));
  }

  @Get('registered-models/search')
  @RouteDoc({ summary: 'MLflow SearchRegisteredModels', access: 'read scope' })
  search(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer(req, res, 'read', async (tenantId, p) => {
      const filter = parseFilter(text(p, 'filter', false));
      const page = await this.registry.search(callerOf(req), tenantId, {
        nameContains: filter.name ?? filter.nameContains,
        tagKey: filter.tagKey,
        tagValue: filter.tagValue,
        cursor: text(p, 'page_token', false),
        limit: Number(text(p, 'max_results', false) ?? 100),
      });
      const items = filter.name ? page.items.filter((m) => m.name === filter.name) : page.items;
      return {
        registered_models: items.map(mlflowModel),
        ...(page.nextCursor ? { next_page_token: page.nextCursor } : {}),
      };
    });
  }

  @Patch('registered-models/update')
  @RouteDoc({ summary: 'MLflow UpdateRegisteredModel', access: 'EDIT on the model' })
  update(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer(req, res, null, async (tenantId, p) => {
      const model = await this.registry.change(callerOf(req), {
        type: 'UpdateRegisteredModel',
        tenantId,
        name: text(p, 'name') as string,
        description: text(p, 'description', false) ?? '',
      });
      return { registered_model: model && mlflowModel(model) };
    });
  }

  @Delete('registered-models/delete')
  @RouteDoc({ summary: 'MLflow DeleteRegisteredModel', access: 'MANAGE on the model' })
  remove(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer(req, res, null, async (tenantId, p) => {
      await this.registry.change(callerOf(req), {
        type: 'DeleteRegisteredModel',
        tenantId,
        name: text(p, 'name') as string,
      });
      return {};
    });
  }

  @Post('model-versions/create')
  @RouteDoc({ summary: 'MLflow CreateModelVersion', access: 'EDIT on the model' })
  createVersion(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer(req, res, null, async (tenantId, p) => {
      const name = text(p, 'name') as string;
      const model = await this.registry.change(callerOf(req), {
        type: 'CreateModelVersion',
        tenantId,
        name,
        spec: {
          source: text(p, 'source') as string,
          runId: text(p, 'run_id', false),
          runLink: text(p, 'run_link', false),
          description: text(p, 'description', false) ?? '',
          tags: tagsOf(p),
          serving: [],
        },
      });
      const created = model?.versions[model.versions.length - 1];
      return { model_version: created && mlflowVersion(name, created) };
    });
  }

  @Get('model-versions/get')
  @RouteDoc({ summary: 'MLflow GetModelVersion', access: 'READ on the model' })
  getVersion(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer(req, res, null, async (tenantId, p) => {
      const name = text(p, 'name') as string;
      const version = await this.registry.version(callerOf(req), tenantId, name, versionOf(p));
      return { model_version: mlflowVersion(name, version) };
    });
  }

  @Get('model-versions/search')
  @RouteDoc({ summary: "MLflow SearchModelVersions (filter name = 'x')", access: 'read scope' })
  searchVersions(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer(req, res, 'read', async (tenantId, p) => {
      const filter = parseFilter(text(p, 'filter', false));
      const models = filter.name
        ? [await this.registry.get(callerOf(req), tenantId, filter.name)]
        : (
            await this.registry.search(callerOf(req), tenantId, {
              nameContains: filter.nameContains,
            })
          ).items;
      return {
        model_versions: models.flatMap((m) =>
          m.versions
            .filter((v) => filter.tagKey === undefined || v.tags[filter.tagKey] === filter.tagValue)
            .map((v) => mlflowVersion(m.name, v)),
        ),
      };
    });
  }

  @Post('registered-models/alias')
  @RouteDoc({ summary: 'MLflow SetRegisteredModelAlias', access: 'EDIT on the model' })
  setAlias(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer(req, res, null, async (tenantId, p) => {
      await this.registry.change(callerOf(req), {
        type: 'SetModelAlias',
        tenantId,
        name: text(p, 'name') as string,
        alias: text(p, 'alias') as string,
        version: versionOf(p),
      });
      return {};
    });
  }

  @Delete('registered-models/alias')
  @RouteDoc({ summary: 'MLflow DeleteRegisteredModelAlias', access: 'EDIT on the model' })
  deleteAlias(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer(req, res, null, async (tenantId, p) => {
      await this.registry.change(callerOf(req), {
        type: 'DeleteModelAlias',
        tenantId,
        name: text(p, 'name') as string,
        alias: text(p, 'alias') as string,
      });
      return {};
    });
  }

  @Get('registered-models/alias')
  @RouteDoc({ summary: 'MLflow GetModelVersionByAlias', access: 'READ on the model' })
  getByAlias(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer(req, res, null, async (tenantId, p) => {
      const name = text(p, 'name') as string;
      const version = await this.registry.byAlias(
        callerOf(req),
        tenantId,
        name,
        text(p, 'alias') as string,
      );
      return { model_version: mlflowVersion(name, version) };
    });
  }

  @Post('registered-models/permissions/create')
  @RouteDoc({
    summary: "MLflow's CreateRegisteredModelPermission (username: the key id)",
    access: 'MANAGE on the model',
  })
  createPermission(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer(req, res, null, async (tenantId, p) => {
      const [name, keyId] = [text(p, 'name') as string, text(p, 'username') as string];
      if ((await this.grantOf(req, tenantId, name, keyId)) !== undefined)
        throw new StrataError('already_exists', `${keyId} already has a permission on ${name}`);
      const permission = permissionOf(p);
      await this.setPermission(req, tenantId, name, keyId, permission);
      return { registered_model_permission: { name, user_id: keyId, permission } };
    });
  }

  @Get('registered-models/permissions/get')
  @RouteDoc({ summary: "MLflow's GetRegisteredModelPermission", access: 'MANAGE on the model' })
  getPermission(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer(req, res, null, async (tenantId, p) => {
      const [name, keyId] = [text(p, 'name') as string, text(p, 'username') as string];
      const permission = await this.grantOf(req, tenantId, name, keyId);
      if (permission === undefined)
        throw new StrataError('not_found', `${keyId} has no permission on ${name}`);
      return { registered_model_permission: { name, user_id: keyId, permission } };
    });
  }

  @Patch('registered-models/permissions/update')
  @RouteDoc({ summary: "MLflow's UpdateRegisteredModelPermission", access: 'MANAGE on the model' })
  updatePermission(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer(req, res, null, async (tenantId, p) => {
      const [name, keyId] = [text(p, 'name') as string, text(p, 'username') as string];
      if ((await this.grantOf(req, tenantId, name, keyId)) === undefined)
        throw new StrataError('not_found', `${keyId} has no permission on ${name}`);
      await this.setPermission(req, tenantId, name, keyId, permissionOf(p));
      return {};
    });
  }

  @Delete('registered-models/permissions/delete')
  @RouteDoc({ summary: "MLflow's DeleteRegisteredModelPermission", access: 'MANAGE on the model' })
  deletePermission(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer(req, res, null, async (tenantId, p) => {
      await this.registry.change(callerOf(req), {
        type: 'DeleteRegisteredModelPermission',
        tenantId,
        name: text(p, 'name') as string,
        keyId: text(p, 'username') as string,
      });
      return {};
    });
  }

  private async grantOf(
    req: FastifyRequest,
    tenantId: string,
    name: string,
    keyId: string,
  ): Promise<ModelPermission | undefined> {
    const grants = await this.registry.permissions(callerOf(req), tenantId, name);
    return grants.find((g) => g.keyId === keyId)?.permission;
  }

  private async setPermission(
    req: FastifyRequest,
    tenantId: string,
    name: string,
    keyId: string,
    permission: ModelPermission,
  ): Promise<void> {
    await this.registry.change(callerOf(req), {
      type: 'SetRegisteredModelPermission',
      tenantId,
      name,
      keyId,
      permission,
    });
  }

  /** Runs one MLflow call: parameters from the query string and the JSON body, errors in MLflow's shape. */
  private async answer(
    req: FastifyRequest,
    res: FastifyReply,
    scope: 'read' | 'write' | null,
    work: (tenantId: string, params: Params) => Promise<unknown>,
  ): Promise<void> {
    const params: Params = {
      ...(req.query as Params),
      ...(typeof req.body === 'object' && req.body !== null ? (req.body as Params) : {}),
    };
    try {
      const tenantId = await this.admission.admit(req, scope);
      void res.status(200).send(await work(tenantId, params));
    } catch (error) {
      if (!(error instanceof StrataError)) throw error;
      void res.status(HTTP_STATUS_OF[error.code]).send({
        error_code: MLFLOW_CODE[error.code] ?? 'INTERNAL_ERROR',
        message: error.message,
      });
    }
  }
}
