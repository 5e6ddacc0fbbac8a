/** A running process as the OS lists it: a short name, and the executable's path when known. */
export interface RunningProcess {
  readonly name: string;
  readonly path: string;
}

export interface MatchRules {
  /** Windows names and paths are case-insensitive, and `Get-Process` drops `.exe`. */
  readonly caseInsensitive: boolean;
  readonly separator: '/' | '\\';
}

function normalise(text: string, rules: MatchRules): string {
  const folded = rules.caseInsensitive ? text.toLowerCase() : text;
  return rules.caseInsensitive ? folded.replace(/\.exe$/, '') : folded;
}

/** The configured names (or absolute paths) with no running process; compared as plain strings. */
export function missingProcesses(
  wanted: readonly string[],
  running: readonly RunningProcess[],
  rules: MatchRules,
): string[] {
  const isPath = (name: string) => name.includes(rules.separator);
  return wanted.filter((name) => {
    const target = normalise(name, rules);
    return !running.some((process) =>
      isPath(name)
        ? normalise(process.path, rules) === target
        : normalise(process.name, rules) === target ||
          normalise(process.path.split(rules.separator).pop() ?? '', rules) === target,
    );
  });
}
