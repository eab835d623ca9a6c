/**
 * A stateful Route 53 fake: hosted zones with their record sets, ChangeResourceRecordSets change
 * batches, GetChange and ListResourceRecordSets.
 *
 * Fidelity, following the Route 53 API reference:
 * - a change batch is transactional: every change is validated first and then all are applied, or
 *   none ("ChangeResourceRecordSets": "either makes all or none of the changes");
 * - CREATE of an existing record, DELETE of a missing one or with values that do not match fail
 *   with InvalidChangeBatch, whose `messages` carry Route 53's texts ("Tried to create resource
 *   record set [name='x.', type='CNAME'] but it already exists"); UPSERT creates or replaces;
 * - a CNAME cannot share its name with another record and holds exactly one value;
 * - a record must be within its zone; names are stored and returned lower case, absolute (trailing dot);
 * - a change is PENDING until `propagationMs` of virtual time have passed, then INSYNC ("changes
 *   generally propagate to all Route 53 name servers within 60 seconds", Developer Guide,
 *   "Editing records"); GetChange of an unknown id is NoSuchChange;
 * - ListResourceRecordSets lists by name with the labels reversed, then by type, from
 *   StartRecordName/StartRecordType (StartRecordType without StartRecordName is InvalidInput);
 * - ids are accepted with or without their `/hostedzone/` and `/change/` prefixes (the SDK's
 *   route53 middleware strips them, and it does not run under aws-sdk-client-mock).
 * Not modelled: alias, weighted or health-checked records, DNSSEC, public zones' delegation.
 */
import {
  InvalidChangeBatch,
  InvalidInput,
  NoSuchChange,
  NoSuchHostedZone,
  Route53Client,
  Route53ServiceException,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { AwsFake, metadata, type FakeClock } from './aws-fake.ts';

/** Route 53's "Rate exceeded" (wire code `Throttling`, not modelled by the SDK). */
export function route53Throttling(): Route53ServiceException {
  return new Route53ServiceException({ name: 'Throttling', $fault: 'client', message: 'Rate exceeded', $metadata: metadata(400) });
}

/** PriorRequestNotComplete: the zone is still processing an earlier change. */
export function priorRequestNotComplete(): Route53ServiceException {
  return new Route53ServiceException({ name: 'PriorRequestNotComplete', $fault: 'client', message: 'The request was rejected because Route 53 was still processing a prior request.', $metadata: metadata(400) });
}

function absolute(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

function sortKey(name: string, type: string): string {
  return `${absolute(name).replace(/\.$/, '').split('.').reverse().join('.')}\u0000${type}`;
}

interface Zone {
  readonly id: string;
  readonly name: string;
  readonly records: Map<string, ResourceRecordSet>;
}

interface Change {
  readonly id: string;
  readonly submittedAt: Date;
  readonly comment: string | undefined;
}

/** The Route 53 fake. */
export class Route53Fake extends AwsFake<Route53Client> {
  /** Virtual milliseconds a change stays PENDING. */
  propagationMs: number;
  readonly #zones = new Map<string, Zone>();
  readonly #changes = new Map<string, Change>();
  #changeCounter = 0;

  /** @param propagationMs how long a change stays PENDING @default 60_000 (the documented "within 60 seconds") */
  constructor(clock: FakeClock, propagationMs = 60_000) {
    super({ clock, source: 'test/support/route53-fake.ts', client: Route53Client, operations: ['ChangeResourceRecordSets', 'GetChange', 'ListResourceRecordSets'], mutating: ['ChangeResourceRecordSets'], throttlingError: route53Throttling });
    this.propagationMs = propagationMs;
  }


  /** Adds a (private) hosted zone; returns its id. */
  addHostedZone(name: string, id = `Z${String(this.#zones.size + 1).padStart(13, '0')}FAKE`): string {
    this.#zones.set(id, { id, name: absolute(name), records: new Map() });
    return id;
  }

  /** Seeds a simple record directly. */
  addRecord(zoneId: string, name: string, type: string, ttl: number, values: readonly string[]): void {
    const zone = this.#zone(zoneId);
    zone.records.set(`${absolute(name)}|${type}`, { Name: absolute(name), Type: type as ResourceRecordSet['Type'], TTL: ttl, ResourceRecords: values.map((Value) => ({ Value })) });
  }

  /** A record as Route 53 holds it now, or undefined. */
  record(zoneId: string, name: string, type: string): ResourceRecordSet | undefined {
    const found = this.#zone(zoneId).records.get(`${absolute(name)}|${type}`);
    return found === undefined ? undefined : structuredClone(found);
  }

  #zone(id: unknown): Zone {
    const bare = typeof id === 'string' ? id.replace(/^\/hostedzone\//, '') : '';
    const zone = this.#zones.get(bare);
    if (!zone) throw new NoSuchHostedZone({ message: `No hosted zone found with ID: ${bare}`, $metadata: metadata(404) });
    return zone;
  }

  #status(change: Change): 'PENDING' | 'INSYNC' {
    return this.clock.now().getTime() - change.submittedAt.getTime() >= this.propagationMs ? 'INSYNC' : 'PENDING';
  }

  protected dispatch(command: string, input: Record<string, unknown>): object {
    switch (command) {
      case 'ChangeResourceRecordSets':
        return this.#change(input);
      case 'GetChange': {
        const id = typeof input['Id'] === 'string' ? input['Id'].replace(/^\/change\//, '') : '';
        const change = this.#changes.get(id);
        if (!change) throw new NoSuchChange({ message: `A change with the specified change ID does not exist.`, $metadata: metadata(404) });
        return { ChangeInfo: { Id: `/change/${change.id}`, Status: this.#status(change), SubmittedAt: change.submittedAt, Comment: change.comment } };
      }
      case 'ListResourceRecordSets': {
        const zone = this.#zone(input['HostedZoneId']);
        const startName = input['StartRecordName'];
        const startType = input['StartRecordType'];
        if (startType !== undefined && startName === undefined) throw new InvalidInput({ message: 'The input is not valid: StartRecordType requires StartRecordName', $metadata: metadata(400) });
        const max = Number(input['MaxItems'] ?? 300);
        const all = [...zone.records.values()].sort((a, b) => sortKey(a.Name ?? '', a.Type ?? '').localeCompare(sortKey(b.Name ?? '', b.Type ?? '')));
        const from = typeof startName === 'string' ? sortKey(startName, typeof startType === 'string' ? startType : '') : '';
        const rest = all.filter((r) => sortKey(r.Name ?? '', r.Type ?? '') >= from);
        const page = rest.slice(0, max);
        const next = rest[max];
        return {
          ResourceRecordSets: page,
          IsTruncated: next !== undefined,
          MaxItems: max,
          ...(next === undefined ? {} : { NextRecordName: next.Name, NextRecordType: next.Type }),
        };
      }
      default:
        throw new Error(`Route53Fake does not implement ${command}`);
    }
  }

  #change(input: Record<string, unknown>): object {
    const zone = this.#zone(input['HostedZoneId']);
    const batch = input['ChangeBatch'] as { Changes?: { Action?: string; ResourceRecordSet?: ResourceRecordSet }[]; Comment?: string } | undefined;
    const changes = batch?.Changes ?? [];
    if (changes.length === 0) throw new InvalidInput({ message: 'Invalid request: Expected at least one change', $metadata: metadata(400) });
    const staged = new Map(zone.records);
    const problems: string[] = [];
    for (const change of changes) {
      const set = change.ResourceRecordSet;
      const name = absolute(set?.Name ?? '');
      const type = set?.Type ?? '';
      const label = `[name='${name}', type='${type}']`;
      const key = `${name}|${type}`;
      if (name !== zone.name && !name.endsWith(`.${zone.name}`)) {
        problems.push(`RRSet with DNS name ${name} is not permitted in zone ${zone.name}`);
        continue;
      }
      const values = (set?.ResourceRecords ?? []).map((r) => r.Value ?? '');
      if (change.Action !== 'DELETE' && (set?.TTL === undefined || values.length === 0)) {
        problems.push(`Invalid ResourceRecordSet ${label}: TTL and at least one ResourceRecord are required`);
        continue;
      }
      if (type === 'CNAME' && values.length !== 1) {
        problems.push(`RRSet of type CNAME with DNS name ${name} is not permitted because it contains more than one resource record`);
        continue;
      }
      const existing = staged.get(key);
      const stored: ResourceRecordSet = { Name: name, Type: type as ResourceRecordSet['Type'], TTL: set?.TTL, ResourceRecords: values.map((Value) => ({ Value })) };
      if (change.Action === 'CREATE' || change.Action === 'UPSERT') {
        if (change.Action === 'CREATE' && existing) {
          problems.push(`Tried to create resource record set ${label} but it already exists`);
          continue;
        }
        const conflict = [...staged.values()].find((r) => r.Name === name && r.Type !== type && (r.Type === 'CNAME' || type === 'CNAME'));
        if (conflict) {
          problems.push(`RRSet of type ${type} with DNS name ${name} is not permitted because a conflicting RRSet of type ${conflict.Type} with the same DNS name already exists in zone ${zone.name}`);
          continue;
        }
        staged.set(key, stored);
      } else if (change.Action === 'DELETE') {
        if (!existing) problems.push(`Tried to delete resource record set ${label} but it was not found`);
        else if (existing.TTL !== set?.TTL || JSON.stringify(existing.ResourceRecords) !== JSON.stringify(stored.ResourceRecords)) {
          problems.push(`Tried to delete resource record set ${label} but the values provided do not match the current values`);
        } else staged.delete(key);
      } else problems.push(`Invalid Action ${String(change.Action)}`);
    }
    if (problems.length > 0) throw new InvalidChangeBatch({ message: problems.map((p) => `[${p}]`).join(', '), messages: problems, $metadata: metadata(400) });
    zone.records.clear();
    for (const [key, value] of staged) zone.records.set(key, value);
    this.#changeCounter += 1;
    const id = `C${String(this.#changeCounter).padStart(12, '0')}FAKE`;
    const change: Change = { id, submittedAt: this.clock.now(), comment: batch?.Comment };
    this.#changes.set(id, change);
    return { ChangeInfo: { Id: `/change/${id}`, Status: 'PENDING', SubmittedAt: change.submittedAt, Comment: change.comment } };
  }
}
