/** Usage lines of `strata models`. */
export const MODELS_USAGE = `  strata models init <dir>                               write a modelx.yaml to describe the model directory
  strata models push <repo/name@version> <dir>           upload what the registry lacks (HEAD first), manifest last
  strata models pull <repo/name@version> <dir>           fetch what differs from <dir>; resumes an interrupted pull
  strata models list [repo/name]                         the tenant's stored models, or a model's versions
  strata models info <repo/name@version>                 a version's manifest as YAML (or -o json)
      [--register <model> [--run-id <id>]]              ... and register it as the next version of <model>
  strata models alias <model> <alias> <version>          point a registry alias (champion) at a version number
  strata models tag <model> <version> key=value...       set tags on a registered version
  models commands take --part-size-mib N (default 64) and --concurrency N (default 3); they reach
  the gateway of the profile (or STRATA_URL with STRATA_TOKEN): an API key, or the admin token with --tenant`;
