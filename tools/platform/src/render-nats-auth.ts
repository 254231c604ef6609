// `npm run nats-auth:deploy`: writes the nats-server users and permissions of the kustomize base
// from the permission table in libs/contracts (deploy/manifests.spec.ts checks it is current).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployNatsAuthConfig } from '@strata/devstack';

const file = join(__dirname, '../../../deploy/base/nats-auth.conf');
writeFileSync(file, deployNatsAuthConfig());
console.log(`wrote ${file}`);
