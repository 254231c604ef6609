#!/usr/bin/env bash
# Scaffolds an Nx project: tools/new-project.sh <lib|app> <name> <tags comma-separated>
set -euo pipefail
kind=$1 name=$2 tags=$3
root=$([ "$kind" = app ] && echo apps || echo libs)/$name
mkdir -p "$root/src"
tagjson=$(printf '%s' "$tags" | awk -F, '{for(i=1;i<=NF;i++){printf "%s\"%s\"", (i>1?", ":""), $i}}')
cat > "$root/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "../../node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$root/src",
  "projectType": "$([ "$kind" = app ] && echo application || echo library)",
  "tags": [$tagjson],
  "targets": {}
}
JSON
cat > "$root/jest.config.js" <<JS
module.exports = { ...require('../../jest.preset.js'), displayName: '$name', rootDir: __dirname };
JS
[ -f "$root/src/index.ts" ] || [ "$kind" = app ] || echo "export {};" > "$root/src/index.ts"
if [ "$kind" = lib ]; then
  node -e "
const f='tsconfig.base.json';const t=require('./'+f);
t.compilerOptions.paths['@strata/$name']=['$root/src/index.ts'];
t.compilerOptions.paths=Object.fromEntries(Object.entries(t.compilerOptions.paths).sort());
require('fs').writeFileSync(f, JSON.stringify(t,null,2)+'\n');"
  node_modules/.bin/prettier --write tsconfig.base.json >/dev/null
fi
