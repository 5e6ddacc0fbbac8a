import { describe, expect, it } from 'vitest';
import { cedar } from './cedar.js';
import type { PolicyJson } from '@cedar-policy/cedar-wasm/nodejs';
import { resourceGuardOf, withoutHeldGuard } from './ResourceGuards.js';

function json(text: string): PolicyJson {
  const answer = cedar.policyToJson(text);
  if (answer.type === 'failure') throw new Error(answer.errors.map((e) => e.message).join('; '));
  return answer.json;
}

/** The guard back as Cedar text (of a probe policy), or undefined. */
function guardText(policyText: string): string | undefined {
  const guard = resourceGuardOf(json(policyText));
  if (guard === undefined) return undefined;
  const answer = cedar.policyToText({
    effect: 'permit',
    principal: { op: 'All' },
    action: { op: 'All' },
    resource: { op: 'All' },
    conditions: [{ kind: 'when', body: guard }],
  });
  if (answer.type === 'failure') throw new Error('no text');
  return /when \{\s*([\s\S]*?)\s*\};/.exec(answer.text)?.[1]?.replace(/\s+/g, ' ');
}

describe('resourceGuardOf: the resource-only test a policy starts with', () => {
  it('takes the leading resource-only conjuncts of the first when clause', () => {
    expect(
      guardText(
        'forbid (principal, action, resource) when { resource.tier != "public" && context.device.checks.firewall == "fail" };',
      ),
    ).toBe('resource.tier != "public"');
    expect(
      guardText(
        'permit (principal, action, resource) when { resource.tier == "internal" && resource.labels.contains("x") && context.ok && resource.level > 1 };',
      ),
    ).toBe('(resource.tier == "internal") && resource.labels.contains("x")');
  });

  it('negates a first unless clause that reads only the resource', () => {
    expect(guardText('permit (principal, action, resource) unless { resource.tier == "restricted" };')).toBe(
      '!(resource.tier == "restricted")',
    );
  });

  it('has none when the first test reads the principal, the context or another entity first', () => {
    for (const text of [
      'permit (principal, action, resource);',
      'permit (principal, action, resource) when { true } when { resource.tier == "public" };',
      'permit (principal, action, resource) when { context.ok && resource.tier == "public" };',
      'permit (principal, action, resource) when { principal in resource.roles };',
      'permit (principal, action, resource) when { resource.owners.contains(principal) };',
      // An entity literal `in` the resource needs that entity's ancestors, which the guard is not given.
      'permit (principal, action, resource) when { Role::"a" in resource };',
      'permit (principal, action, resource) when { resource.hasTag("x") };',
      'permit (principal, action, resource) unless { resource.tier == "public" && context.ok };',
    ])
      expect(guardText(text), text).toBeUndefined();
  });

  it("allows `resource in E` (the resource's own ancestors come from the catalog)", () => {
    expect(guardText('permit (principal, action, resource) when { resource in Box::"b" };')).toBe(
      'resource in Box::"b"',
    );
  });
});

describe('withoutHeldGuard: the policy as Cedar gets it once its guard held for the resource', () => {
  const conditions = (text: string): string | undefined => {
    const stripped = withoutHeldGuard(json(text));
    if (stripped === undefined) return undefined;
    const answer = cedar.policyToText(stripped);
    if (answer.type === 'failure') throw new Error('no text');
    return /\)\s*([\s\S]*);\s*$/.exec(answer.text)?.[1]?.replace(/\s+/g, ' ');
  };

  it('drops the guard conjuncts and keeps the clause count (explanation probes are numbered)', () => {
    expect(
      conditions(
        'permit (principal, action, resource) when { resource.tier != "public" && context.a && context.b } when { context.c };',
      ),
    ).toBe('when { context.a && context.b } when { context.c }');
    expect(
      conditions(
        'permit (principal, action, resource) when { resource.tier == "internal" } when { principal in resource.roles };',
      ),
    ).toBe('when { true } when { principal in resource.roles }');
    expect(
      conditions(
        'forbid (principal, action, resource) unless { resource.tier == "public" } when { context.x };',
      ),
    ).toBe('when { true } when { context.x }');
  });

  it('has nothing to drop without a guard', () => {
    expect(
      conditions('permit (principal, action, resource) when { context.x && resource.tier == "a" };'),
    ).toBe(undefined);
  });
});
