import {
  type ModelVersionSpec,
  type ModelVersionView,
  type RegisteredModelView,
} from '@strata/contracts';
import { ApiError } from '../../exit-codes';
import { type ModelsTarget } from './models-client';

/** The registry's REST API (`/api/v1/registry/models`) from the CLI. */
export class RegistryClient {
  constructor(private readonly target: ModelsTarget) {}

  /** Registers the model unless it exists. */
  async ensureModel(name: string): Promise<void> {
    const res = await this.call('POST', '', { name });
    if (res.status !== 201 && res.status !== 409) await this.fail(res, `register ${name}`);
  }

  /** Registers a new version; the registry numbers it. */
  async createVersion(
    name: string,
    spec: Partial<ModelVersionSpec> & { source: string },
  ): Promise<ModelVersionView> {
    const res = await this.call('POST', `/${name}/versions`, spec);
    if (res.status !== 201) await this.fail(res, `register a version of ${name}`);
    return (await res.json()) as ModelVersionView;
  }

  /** Points an alias at a version. */
  async setAlias(name: string, alias: string, version: number): Promise<RegisteredModelView> {
    const res = await this.call('PUT', `/${name}/aliases/${alias}`, { version });
    if (!res.ok) await this.fail(res, `alias ${name}@${alias}`);
    return (await res.json()) as RegisteredModelView;
  }

  /** Sets a tag on a version. */
  async tagVersion(name: string, version: number, key: string, value: string): Promise<void> {
    const res = await this.call(
      'PUT',
      `/${name}/versions/${version}/tags/${encodeURIComponent(key)}`,
      { value },
    );
    if (!res.ok) await this.fail(res, `tag ${name} version ${version}`);
  }

  private call(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.target.url.replace(/\/+$/, '')}/api/v1/registry/models${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.target.token}`,
        ...(this.target.tenant ? { 'x-scope-orgid': this.target.tenant } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  private async fail(res: Response, what: string): Promise<never> {
    const text = await res.text();
    try {
      const error = (JSON.parse(text) as { error: { code: string; message: string } }).error;
      throw new ApiError(res.status, error.code, `${what}: ${error.message}`);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new ApiError(res.status, `http_${res.status}`, `${what}: ${text}`);
    }
  }
}
