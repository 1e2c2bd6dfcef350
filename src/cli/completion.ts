import { COMMANDS, FLAG_VALUES } from './command-table.js';

/**
 * Shell completion for `signaldesk`, generated from the command table (pure: the table and the job names
 * in, a script out). `source <(signaldesk completion bash)`, or for zsh
 * `signaldesk completion zsh > "${fpath[1]}/_signaldesk"`.
 */
export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

const words = (xs: readonly string[]): string => xs.join(' ');

/** Per command, the words offered after it: subcommands (or job names for `run`) and flags. */
export function completionWords(jobNames: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, spec] of Object.entries(COMMANDS)) {
    out.set(name, [...(name === 'run' ? jobNames : spec.subcommands ?? []), ...spec.flags]);
  }
  out.set('completion', ['bash', 'zsh']);
  return out;
}

export function completionScript(shell: Shell, jobNames: readonly string[]): string {
  const table = completionWords(jobNames);
  const commands = [...table.keys()].sort();
  const valueCases = Object.entries(FLAG_VALUES).map(([flag, values]) => `    ${flag}) COMPREPLY=( $(compgen -W "${words(values)}" -- "$cur") ); return ;;`);
  if (shell === 'bash') {
    const cases = commands.map((c) => `    ${c}) opts="${words(table.get(c)!)}" ;;`);
    return [
      '# bash completion for signaldesk: source <(signaldesk completion bash)',
      '_signaldesk() {',
      '  local cur prev cmd opts',
      '  cur="${COMP_WORDS[COMP_CWORD]}"; prev="${COMP_WORDS[COMP_CWORD-1]}"; cmd="${COMP_WORDS[1]}"',
      '  case "$prev" in',
      ...valueCases,
      '  esac',
      '  if [ "$COMP_CWORD" -eq 1 ]; then',
      `    COMPREPLY=( $(compgen -W "${words(commands)} --help" -- "$cur") ); return`,
      '  fi',
      '  case "$cmd" in',
      ...cases,
      '    *) opts="--json --help" ;;',
      '  esac',
      '  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )',
      '}',
      'complete -F _signaldesk signaldesk',
      '',
    ].join('\n');
  }
  const cases = commands.map((c) => `    ${c}) opts=(${words(table.get(c)!)}) ;;`);
  const zshValues = Object.entries(FLAG_VALUES).map(([flag, values]) => `    ${flag}) compadd -- ${words(values)}; return ;;`);
  return [
    '#compdef signaldesk',
    '# zsh completion for signaldesk: source <(signaldesk completion zsh), or save it as _signaldesk in $fpath',
    '_signaldesk() {',
    '  local -a opts',
    '  if (( CURRENT == 2 )); then',
    `    compadd -- ${words(commands)} --help; return`,
    '  fi',
    '  case "${words[CURRENT-1]}" in',
    ...zshValues,
    '  esac',
    '  case "${words[2]}" in',
    ...cases,
    '    *) opts=(--json --help) ;;',
    '  esac',
    '  compadd -- $opts',
    '}',
    '# Autoloaded from fpath this file is the first call: complete now; sourced, register the function.',
    'if [ "${funcstack[1]}" = "_signaldesk" ]; then _signaldesk "$@"; else compdef _signaldesk signaldesk; fi',
    '',
  ].join('\n');
}
