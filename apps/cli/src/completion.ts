/** Every command group and its subcommands, for completion (and help's order). */
export type CommandTree = Readonly<Record<string, readonly string[]>>;

/** Flags completion offers after a `-`. */
export const GLOBAL_FLAGS = ['--output', '--profile', '--url', '--token', '--tenant', '--help'];

/** A bash completion script: `source <(strata completion bash)`. */
export function bashCompletion(tree: CommandTree): string {
  const cases = Object.entries(tree)
    .filter(([, subs]) => subs.length > 0)
    .map(([group, subs]) => `    ${group}) words="${subs.join(' ')}" ;;`)
    .join('\n');
  return `# bash completion for strata; load with: source <(strata completion bash)
_strata() {
  local cur prev words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    -o|--output) COMPREPLY=($(compgen -W "table json yaml" -- "$cur")); return ;;
    --profile) COMPREPLY=($(compgen -W "$(strata config get-profiles -o json 2>/dev/null | sed -n 's/.*"name": "\\(.*\\)".*/\\1/p')" -- "$cur")); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "${GLOBAL_FLAGS.join(' ')}" -- "$cur")); return
  fi
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${Object.keys(tree).join(' ')}" -- "$cur")); return
  fi
  if [ "$COMP_CWORD" -eq 2 ]; then
    words=""
    case "\${COMP_WORDS[1]}" in
${cases}
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
}
complete -F _strata strata
`;
}

/** A zsh completion script: `source <(strata completion zsh)` after compinit. */
export function zshCompletion(tree: CommandTree): string {
  const cases = Object.entries(tree)
    .filter(([, subs]) => subs.length > 0)
    .map(([group, subs]) => `      ${group}) compadd -- ${subs.join(' ')} ;;`)
    .join('\n');
  return `#compdef strata
# zsh completion for strata; load with: source <(strata completion zsh)
_strata() {
  case "\${words[CURRENT-1]}" in
    -o|--output) compadd -- table json yaml; return ;;
    --profile) compadd -- \${(f)"$(strata config get-profiles -o json 2>/dev/null | sed -n 's/.*"name": "\\(.*\\)".*/\\1/p')"}; return ;;
  esac
  if [[ "\${words[CURRENT]}" == -* ]]; then
    compadd -- ${GLOBAL_FLAGS.join(' ')}
  elif (( CURRENT == 2 )); then
    compadd -- ${Object.keys(tree).join(' ')}
  elif (( CURRENT == 3 )); then
    case "\${words[2]}" in
${cases}
    esac
  fi
}
compdef _strata strata
`;
}
