import { cedar } from './cedar.js';
import type { DetailedError, PolicyJson } from '@cedar-policy/cedar-wasm/nodejs';

/** One policy of a bundle, parsed once at load. */
export interface BundlePolicy {
  /** From the required `@id("…")` annotation; how decisions name it. */
  readonly id: string;
  readonly file: string;
  /** 1-based line of the policy in its file. */
  readonly line: number;
  readonly text: string;
  readonly json: PolicyJson;
  readonly effect: 'permit' | 'forbid';
  /** The `@reason("…")` annotation: why a forbid denies, or what a permit needs. */
  readonly reason: string | undefined;
}

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

/** Splits and parses every `.cedar` file; collects every problem rather than stopping at the first. */
export function parseBundlePolicies(files: ReadonlyArray<readonly [path: string, text: string]>): {
  policies: BundlePolicy[];
  errors: string[];
} {
  const policies: BundlePolicy[] = [];
  const errors: string[] = [];
  const seen = new Map<string, string>();
  for (const [file, text] of files) {
    const parts = cedar.policySetTextToParts(text);
    if (parts.type === 'failure') {
      errors.push(...parts.errors.map((e) => located(file, text, 0, e)));
      continue;
    }
    if (parts.policy_templates.length > 0)
      errors.push(`${file}: templates (policies with slots) are not supported in bundles`);
    let searchFrom = 0;
    let lineCursor = { offset: 0, line: 1 };
    for (const part of parts.policies) {
      const at = text.indexOf(part, searchFrom);
      const offset = at < 0 ? 0 : at;
      if (at >= 0) searchFrom = at + part.length;
      // Lines are counted forward from the previous policy so big files stay linear.
      if (offset < lineCursor.offset) lineCursor = { offset: 0, line: 1 };
      lineCursor = {
        offset,
        line: lineCursor.line + lineOf(text.slice(lineCursor.offset, offset), offset - lineCursor.offset) - 1,
      };
      const line = lineCursor.line;
      const answer = cedar.policyToJson(part);
      if (answer.type === 'failure') {
        errors.push(...answer.errors.map((e) => located(file, text, offset, e)));
        continue;
      }
      const json = answer.json;
      const id = json.annotations?.id;
      if (id === undefined || id === null) {
        errors.push(
          `${file}:${line}: every policy needs an @id("…") annotation (decisions name policies by it)`,
        );
        continue;
      }
      if (!idPattern.test(id) || id.includes('#')) {
        errors.push(
          `${file}:${line}: @id(${JSON.stringify(id)}) must be 1-128 letters, digits and . _ : / - (no #)`,
        );
        continue;
      }
      const previous = seen.get(id);
      if (previous !== undefined) {
        errors.push(`${file}:${line}: @id(${JSON.stringify(id)}) is already used at ${previous}`);
        continue;
      }
      seen.set(id, `${file}:${line}`);
      const reason = json.annotations?.reason ?? undefined;
      policies.push({
        id,
        file,
        line,
        text: part,
        json,
        effect: json.effect,
        reason: reason === null ? undefined : reason,
      });
    }
  }
  return { policies, errors };
}

/** `file:line:col: message (help)` for a Cedar diagnostic whose offsets are relative to `base`. */
export function located(file: string, text: string, base: number, error: DetailedError): string {
  const start = error.sourceLocations?.[0]?.start;
  const where =
    start === undefined ? file : `${file}:${lineOf(text, base + start)}:${columnOf(text, base + start)}`;
  return `${where}: ${error.message}${error.help ? ` (${error.help})` : ''}`;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function columnOf(text: string, offset: number): number {
  return offset - text.lastIndexOf('\n', offset - 1);
}
