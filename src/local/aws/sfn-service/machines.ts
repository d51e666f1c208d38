import { randomUUID } from 'node:crypto';
import { type ArnScope, checkName, machineArn, parseMachineRef } from './arns.ts';
import { SfnError, optional, required, validation } from './errors.ts';
import type { Journal } from './journal.ts';

export interface MachineRecord {
  arn: string;
  name: string;
  definition: string;
  roleArn: string;
  type: 'STANDARD' | 'EXPRESS';
  description?: string;
  revisionId: string;
  creationDate: number;
  updateDate?: number;
  /** Versions published so far (the next one is this plus one; numbers are never reused). */
  versions: number;
}

export interface VersionRecord {
  arn: string;
  machineArn: string;
  version: number;
  definition: string;
  roleArn: string;
  type: 'STANDARD' | 'EXPRESS';
  description?: string;
  revisionId: string;
  creationDate: number;
}

export interface Routing {
  stateMachineVersionArn: string;
  weight: number;
}

export interface AliasRecord {
  arn: string;
  machineArn: string;
  name: string;
  description?: string;
  routing: Routing[];
  creationDate: number;
  updateDate?: number;
}

/** What an execution runs, from a state machine, version or alias ARN. */
export interface Target {
  machine: MachineRecord;
  definition: string;
  roleArn: string;
  versionArn?: string;
  aliasArn?: string;
}

type Entry =
  | { t: 'machine'; record: MachineRecord }
  | { t: 'version'; record: VersionRecord }
  | { t: 'alias'; record: AliasRecord }
  | { t: 'delete'; arn: string };

const FILE = 'state-machines.jsonl';
const MAX_DEFINITION = 1_048_576;

/**
 * State machines, their published versions and aliases, with the semantics of the Step Functions
 * API (idempotent create, publish only on a new revision, alias routing by weight).
 */
export class StateMachines {
  readonly #machines = new Map<string, MachineRecord>();
  readonly #versions = new Map<string, VersionRecord>();
  readonly #aliases = new Map<string, AliasRecord>();

  constructor(
    private readonly scope: ArnScope,
    private readonly now: () => number,
    private readonly journal: Journal | null,
  ) {
    for (const entry of (journal?.read(FILE) ?? []) as Entry[]) this.#apply(entry);
  }

  #apply(entry: Entry): void {
    if (entry.t === 'machine') this.#machines.set(entry.record.arn, entry.record);
    else if (entry.t === 'version') this.#versions.set(entry.record.arn, entry.record);
    else if (entry.t === 'alias') this.#aliases.set(entry.record.arn, entry.record);
    else {
      this.#machines.delete(entry.arn);
      for (const map of [this.#versions, this.#aliases])
        for (const [arn, r] of map) if (r.machineArn === entry.arn) map.delete(arn);
    }
  }

  #write(entry: Entry): void {
    this.journal?.append(FILE, entry);
    this.#apply(entry);
  }

  machine(arn: string): MachineRecord {
    const found = this.#machines.get(arn);
    if (!found) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return found;
  }

  create(body: Record<string, unknown>) {
    const name = required(body, 'name');
    checkName(name, 'state machine');
    const definition = checkDefinition(required(body, 'definition'));
    const roleArn = required(body, 'roleArn');
    const type = (optional(body, 'type') ?? 'STANDARD') as MachineRecord['type'];
    if (type !== 'STANDARD' && type !== 'EXPRESS') throw validation(`unknown type ${type}`);
    const arn = machineArn(this.scope, name);
    const existing = this.#machines.get(arn);
    if (existing) {
      // Step Functions answers an identical create with the existing machine.
      if (existing.definition === definition && existing.roleArn === roleArn && existing.type === type) {
        return { stateMachineArn: arn, creationDate: new Date(existing.creationDate) };
      }
      throw new SfnError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const record: MachineRecord = {
      arn,
      name,
      definition,
      roleArn,
      type,
      revisionId: randomUUID(),
      creationDate: this.now(),
      versions: 0,
    };
    this.#write({ t: 'machine', record });
    const version =
      body.publish === true ? this.#publish(record, optional(body, 'versionDescription')) : null;
    return {
      stateMachineArn: arn,
      creationDate: new Date(record.creationDate),
      ...(version ? { stateMachineVersionArn: version.arn } : {}),
    };
  }

  update(body: Record<string, unknown>) {
    const arn = required(body, 'stateMachineArn');
    const ref = parseMachineRef(arn);
    if (ref.version !== undefined || ref.alias !== undefined) {
      throw validation('UpdateStateMachine takes an unqualified state machine ARN');
    }
    const current = this.machine(arn);
    const definition = optional(body, 'definition');
    const roleArn = optional(body, 'roleArn');
    if (definition === undefined && roleArn === undefined && body.publish !== true) {
      throw new SfnError('MissingRequiredParameter', 'definition or roleArn is required');
    }
    const next: MachineRecord = {
      ...current,
      ...(definition !== undefined ? { definition: checkDefinition(definition) } : {}),
      ...(roleArn !== undefined ? { roleArn } : {}),
    };
    const changed = next.definition !== current.definition || next.roleArn !== current.roleArn;
    const updateDate = this.now();
    if (changed) {
      next.revisionId = randomUUID();
      next.updateDate = updateDate;
      this.#write({ t: 'machine', record: next });
    }
    const version = body.publish === true ? this.#publish(next, optional(body, 'versionDescription')) : null;
    return {
      updateDate: new Date(next.updateDate ?? updateDate),
      revisionId: next.revisionId,
      ...(version ? { stateMachineVersionArn: version.arn } : {}),
    };
  }

  describe(body: Record<string, unknown>) {
    const arn = required(body, 'stateMachineArn');
    const ref = parseMachineRef(arn);
    if (ref.alias !== undefined) throw validation('DescribeStateMachine takes a machine or version ARN');
    if (ref.version !== undefined) {
      const version = this.#versions.get(arn);
      if (!version) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
      return {
        stateMachineArn: arn,
        name: ref.name,
        status: 'ACTIVE',
        definition: version.definition,
        roleArn: version.roleArn,
        type: version.type,
        creationDate: new Date(version.creationDate),
        revisionId: version.revisionId,
        ...(version.description !== undefined ? { description: version.description } : {}),
        loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      };
    }
    const machine = this.machine(arn);
    return {
      stateMachineArn: arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definition,
      roleArn: machine.roleArn,
      type: machine.type,
      creationDate: new Date(machine.creationDate),
      revisionId: machine.revisionId,
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    };
  }

  delete(body: Record<string, unknown>) {
    const arn = required(body, 'stateMachineArn');
    const ref = parseMachineRef(arn);
    if (ref.version !== undefined || ref.alias !== undefined) {
      throw validation('DeleteStateMachine takes an unqualified state machine ARN');
    }
    if (this.#machines.has(arn)) this.#write({ t: 'delete', arn });
    return {};
  }

  publish(body: Record<string, unknown>) {
    const machine = this.machine(required(body, 'stateMachineArn'));
    const revisionId = optional(body, 'revisionId');
    if (revisionId !== undefined && revisionId !== machine.revisionId) {
      throw new SfnError('ConflictException', `revisionId ${revisionId} is not the current revision`);
    }
    const version = this.#publish(machine, optional(body, 'description'));
    return { creationDate: new Date(version.creationDate), stateMachineVersionArn: version.arn };
  }

  /** Publishes the current revision; the latest version when it already is that revision. */
  #publish(machine: MachineRecord, description: string | undefined): VersionRecord {
    const latest = this.#versions.get(`${machine.arn}:${machine.versions}`);
    if (latest && latest.revisionId === machine.revisionId) return latest;
    const version = machine.versions + 1;
    const record: VersionRecord = {
      arn: `${machine.arn}:${version}`,
      machineArn: machine.arn,
      version,
      definition: machine.definition,
      roleArn: machine.roleArn,
      type: machine.type,
      ...(description !== undefined ? { description } : {}),
      revisionId: machine.revisionId,
      creationDate: this.now(),
    };
    this.#write({ t: 'machine', record: { ...machine, versions: version } });
    this.#write({ t: 'version', record });
    return record;
  }

  listVersions(body: Record<string, unknown>) {
    const machine = this.machine(required(body, 'stateMachineArn'));
    const all = [...this.#versions.values()]
      .filter((v) => v.machineArn === machine.arn)
      .sort((a, b) => b.version - a.version);
    const { items, nextToken } = page(all, body, (v) => String(v.version));
    return {
      stateMachineVersions: items.map((v) => ({
        stateMachineVersionArn: v.arn,
        creationDate: new Date(v.creationDate),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  #routing(body: Record<string, unknown>, machine?: string): Routing[] {
    const raw = body.routingConfiguration;
    if (!Array.isArray(raw) || raw.length < 1 || raw.length > 2) {
      throw validation('routingConfiguration must hold one or two versions');
    }
    const routing = raw.map((r: { stateMachineVersionArn?: unknown; weight?: unknown }) => {
      const arn = String(r.stateMachineVersionArn);
      const weight = Number(r.weight);
      if (!Number.isInteger(weight) || weight < 0 || weight > 100) throw validation('weight is 0 to 100');
      if (!this.#versions.has(arn)) throw new SfnError('ResourceNotFound', `Version not found: '${arn}'`);
      return { stateMachineVersionArn: arn, weight };
    });
    if (routing.reduce((n, r) => n + r.weight, 0) !== 100) throw validation('weights must add up to 100');
    const machines = new Set(routing.map((r) => this.#versions.get(r.stateMachineVersionArn)!.machineArn));
    if (machines.size !== 1 || (machine !== undefined && !machines.has(machine))) {
      throw validation('an alias routes to versions of its own state machine only');
    }
    return routing;
  }

  createAlias(body: Record<string, unknown>) {
    const name = required(body, 'name');
    checkName(name, 'alias');
    if (/^\d+$/.test(name)) throw new SfnError('InvalidName', 'an alias name is not a number');
    const routing = this.#routing(body);
    const machine = this.#versions.get(routing[0]!.stateMachineVersionArn)!.machineArn;
    const arn = `${machine}:${name}`;
    const description = optional(body, 'description');
    const existing = this.#aliases.get(arn);
    if (existing) {
      if (
        JSON.stringify(existing.routing) === JSON.stringify(routing) &&
        existing.description === description
      ) {
        return { stateMachineAliasArn: arn, creationDate: new Date(existing.creationDate) };
      }
      throw new SfnError('ConflictException', `Alias already exists: '${arn}'`);
    }
    const record: AliasRecord = {
      arn,
      machineArn: machine,
      name,
      ...(description !== undefined ? { description } : {}),
      routing,
      creationDate: this.now(),
    };
    this.#write({ t: 'alias', record });
    return { stateMachineAliasArn: arn, creationDate: new Date(record.creationDate) };
  }

  #alias(arn: string): AliasRecord {
    const ref = parseMachineRef(arn);
    const found = ref.alias !== undefined ? this.#aliases.get(arn) : undefined;
    if (!found) throw new SfnError('ResourceNotFound', `Resource not found: '${arn}'`);
    return found;
  }

  updateAlias(body: Record<string, unknown>) {
    const current = this.#alias(required(body, 'stateMachineAliasArn'));
    const description = optional(body, 'description');
    const routing =
      body.routingConfiguration === undefined ? current.routing : this.#routing(body, current.machineArn);
    const updateDate = this.now();
    this.#write({
      t: 'alias',
      record: { ...current, routing, ...(description !== undefined ? { description } : {}), updateDate },
    });
    return { updateDate: new Date(updateDate) };
  }

  describeAlias(body: Record<string, unknown>) {
    const alias = this.#alias(required(body, 'stateMachineAliasArn'));
    return {
      stateMachineAliasArn: alias.arn,
      name: alias.name,
      ...(alias.description !== undefined ? { description: alias.description } : {}),
      routingConfiguration: alias.routing,
      creationDate: new Date(alias.creationDate),
      ...(alias.updateDate !== undefined ? { updateDate: new Date(alias.updateDate) } : {}),
    };
  }

  /** What StartExecution runs for a machine, version or alias ARN (an alias picks by weight). */
  target(arn: string, random: () => number = Math.random): Target {
    const ref = parseMachineRef(arn);
    if (ref.alias !== undefined) {
      const alias = this.#aliases.get(arn);
      if (!alias) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
      let pick = random() * 100;
      const chosen =
        alias.routing.find((r) => (pick -= r.weight) < 0) ?? alias.routing[alias.routing.length - 1]!;
      return { ...this.target(chosen.stateMachineVersionArn), aliasArn: arn };
    }
    const machine = this.machine(ref.machine);
    if (ref.version !== undefined) {
      const version = this.#versions.get(arn);
      if (!version) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
      return { machine, definition: version.definition, roleArn: version.roleArn, versionArn: arn };
    }
    return { machine, definition: machine.definition, roleArn: machine.roleArn };
  }
}

/** A definition Step Functions would take: JSON with StartAt and States, at most 1 MiB. */
function checkDefinition(text: string): string {
  if (text.length > MAX_DEFINITION) throw new SfnError('InvalidDefinition', 'definition is over 1 MiB');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new SfnError('InvalidDefinition', `Invalid State Machine Definition: ${(e as Error).message}`);
  }
  const machine = parsed as { StartAt?: unknown; States?: Record<string, unknown> } | null;
  if (
    typeof machine?.StartAt !== 'string' ||
    typeof machine.States !== 'object' ||
    machine.States === null ||
    !(machine.StartAt in machine.States)
  ) {
    throw new SfnError('InvalidDefinition', 'Invalid State Machine Definition: StartAt must name a state');
  }
  return text;
}

/** One page of `items` (already in answer order) after the request's nextToken. */
export function page<T>(
  items: T[],
  body: Record<string, unknown>,
  key: (item: T) => string,
  limit = 1000,
): { items: T[]; nextToken?: string } {
  const max =
    typeof body.maxResults === 'number' && body.maxResults > 0 ? Math.min(body.maxResults, limit) : 100;
  let start = 0;
  if (typeof body.nextToken === 'string') {
    const after = Buffer.from(body.nextToken, 'base64url').toString();
    const at = items.findIndex((i) => key(i) === after);
    if (at < 0) throw new SfnError('InvalidToken', 'Invalid Token');
    start = at + 1;
  }
  const out = items.slice(start, start + max);
  return start + max < items.length
    ? { items: out, nextToken: Buffer.from(key(out[out.length - 1]!)).toString('base64url') }
    : { items: out };
}
