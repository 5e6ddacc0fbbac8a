import type { Expr, PolicyJson } from '@cedar-policy/cedar-wasm/nodejs';
import { entityUidOf } from './toCedarValue.js';

/** Which parts of a record value a set of policies can read; `whole` keeps everything below. */
export interface PathTree {
  whole: boolean;
  readonly children: Map<string, PathTree>;
}

/**
 * What a policy set can observe of a request. Cedar's cost grows with every value and entity it
 * is handed (issue 5: ~8 µs per entity), so each decision passes only what this says its policies
 * can reach: the context paths they read, the principal's and resource's attributes they read,
 * and of their ancestors only those a policy names literally, or (when some `in` has a computed
 * right side) those that also occur in the values passed.
 */
export interface PolicyReads {
  readonly context: PathTree;
  readonly principalAttrs: PathTree;
  readonly resourceAttrs: PathTree;
  /** `uidKey`s of every entity literal in the policies (scopes included). */
  readonly literalUids: Set<string>;
  /** Some `in` has a right side that is not a literal, e.g. `principal in resource.roles`. */
  dynamicIn: boolean;
  /** Some policy reads an attribute of an entity reached through an attribute (one hop). */
  derefsEntities: boolean;
}

export function uidKey(type: string, id: string): string {
  return `${type}::${JSON.stringify(id)}`;
}

export function emptyReads(): PolicyReads {
  return {
    context: tree(),
    principalAttrs: tree(),
    resourceAttrs: tree(),
    literalUids: new Set(),
    dynamicIn: false,
    derefsEntities: false,
  };
}

/** Adds what `policy` can read to `reads`. `entityAttributeNames` comes from the schema. */
export function collectPolicyReads(
  policy: PolicyJson,
  entityAttributeNames: ReadonlySet<string>,
  reads: PolicyReads,
): void {
  for (const constraint of [policy.principal, policy.action, policy.resource]) {
    const c = constraint as { entity?: unknown; entities?: unknown[]; in?: { entity?: unknown } };
    for (const e of [c.entity, c.in?.entity, ...(c.entities ?? [])]) addLiteral(e, reads);
  }
  const visit = (e: Expr): void => visitExpr(e, entityAttributeNames, reads, visit);
  for (const clause of policy.conditions) visit(clause.body);
}

/** Merges `from` into `into`. */
export function mergeReads(into: PolicyReads, from: PolicyReads): void {
  mergeTree(into.context, from.context);
  mergeTree(into.principalAttrs, from.principalAttrs);
  mergeTree(into.resourceAttrs, from.resourceAttrs);
  for (const u of from.literalUids) into.literalUids.add(u);
  into.dynamicIn ||= from.dynamicIn;
  into.derefsEntities ||= from.derefsEntities;
}

type Root = 'principal' | 'resource' | 'context' | 'action';

function visitExpr(
  e: Expr,
  entityAttrs: ReadonlySet<string>,
  reads: PolicyReads,
  visit: (e: Expr) => void,
): void {
  const [op, arg] = Object.entries(e)[0] ?? [];
  if (op === undefined) return;
  const node = arg as Record<string, unknown>;
  switch (op) {
    case 'Value':
      collectValueLiterals(arg, reads);
      return;
    case 'Var':
      if (arg === 'context') tree(reads.context).whole = true;
      return;
    case 'Slot':
      return;
    case '.':
    case 'has': {
      const attrs = op === 'has' ? [node.attr].flat() : [node.attr];
      const chain = chainOf(node.left as Expr);
      if (chain === undefined) {
        // An attribute of something computed: it may be an entity we did not pass.
        reads.derefsEntities = true;
        visit(node.left as Expr);
        return;
      }
      const path = [...chain.path, ...(attrs as string[])];
      if (path.slice(0, -1).some((a) => entityAttrs.has(a))) reads.derefsEntities = true;
      const target =
        chain.root === 'context'
          ? reads.context
          : chain.root === 'principal'
            ? reads.principalAttrs
            : chain.root === 'resource'
              ? reads.resourceAttrs
              : undefined;
      if (target !== undefined) addPath(target, path);
      return;
    }
    case 'in': {
      markIn(node.right as Expr, reads);
      visit(node.left as Expr);
      visit(node.right as Expr);
      return;
    }
    case 'is': {
      visit(node.left as Expr);
      if (node.in !== undefined) {
        markIn(node.in as Expr, reads);
        visit(node.in as Expr);
      }
      return;
    }
    case 'like':
      visit(node.left as Expr);
      return;
    default:
      visitChildren(arg, visit);
  }
}

/** Visits every sub-expression of an operator's argument (unary, binary, if-then-else, sets, records, calls). */
function visitChildren(arg: unknown, visit: (e: Expr) => void): void {
  if (Array.isArray(arg)) {
    for (const a of arg) visit(a as Expr);
    return;
  }
  if (typeof arg !== 'object' || arg === null) return;
  for (const [key, value] of Object.entries(arg)) {
    if (key === 'attr' || key === 'pattern' || key === 'entity_type') continue;
    if (typeof value === 'object' && value !== null) visit(value as Expr);
  }
}

function markIn(right: Expr, reads: PolicyReads): void {
  const isLiteral =
    ('Value' in right && entityUidOf((right as { Value: unknown }).Value) !== undefined) ||
    ('Set' in right && (right as { Set: Expr[] }).Set.every((x) => 'Value' in x));
  if (!isLiteral) reads.dynamicIn = true;
}

function chainOf(e: Expr): { root: Root; path: string[] } | undefined {
  if ('Var' in e) return { root: (e as { Var: Root }).Var, path: [] };
  if ('.' in e) {
    const dot = (e as { '.': { left: Expr; attr: string } })['.'];
    const inner = chainOf(dot.left);
    return inner === undefined ? undefined : { root: inner.root, path: [...inner.path, dot.attr] };
  }
  return undefined;
}

function collectValueLiterals(value: unknown, reads: PolicyReads): void {
  if (typeof value !== 'object' || value === null) return;
  if (addLiteral(value, reads)) return;
  for (const v of Object.values(value)) collectValueLiterals(v, reads);
}

function addLiteral(value: unknown, reads: PolicyReads): boolean {
  if (
    typeof value !== 'object' ||
    value === null ||
    !('__entity' in value || ('type' in value && 'id' in value))
  )
    return false;
  const uid = entityUidOf(value);
  if (uid !== undefined) reads.literalUids.add(uidKey(uid.type, uid.id));
  return uid !== undefined;
}

function tree(t?: PathTree): PathTree {
  return t ?? { whole: false, children: new Map() };
}

function addPath(root: PathTree, path: readonly string[]): void {
  let node = root;
  for (const step of path) {
    if (node.whole) return;
    let child = node.children.get(step);
    if (child === undefined) {
      child = tree();
      node.children.set(step, child);
    }
    node = child;
  }
  node.whole = true;
  node.children.clear();
}

function mergeTree(into: PathTree, from: PathTree): void {
  if (into.whole) return;
  if (from.whole) {
    into.whole = true;
    into.children.clear();
    return;
  }
  for (const [k, v] of from.children) {
    const child = into.children.get(k);
    if (child === undefined) into.children.set(k, { whole: v.whole, children: new Map() });
    mergeTree(into.children.get(k) as PathTree, v);
  }
}
