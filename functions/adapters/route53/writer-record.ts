/**
 * The {@link WriterDns} port on a Route 53 private hosted zone: one CNAME, changed with UPSERT
 * (create or replace in one atomic change batch) and followed with GetChange until INSYNC
 * (Route 53 API reference, ChangeResourceRecordSets and GetChange; "changes generally propagate to
 * all Route 53 name servers within 60 seconds", Developer Guide, "Editing records").
 */
import { ChangeResourceRecordSetsCommand, GetChangeCommand, ListResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import type { ChangeStatus, WriterDns, WriterRecord } from '../../ports/endpoint-switch.ts';
import { EndpointSwitchError } from '../../shared/errors.ts';
import { send } from '../sdk-errors.ts';

/** Route 53 names are absolute and case-insensitive; it returns them lower case with the trailing dot. */
export function absoluteName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** The writer record in one hosted zone. */
export class Route53WriterRecord implements WriterDns {
  readonly #client: Route53Client;
  readonly #zoneId: string;
  readonly #name: string;

  /**
   * @param zoneId the hosted zone id (`Z...`, with or without `/hostedzone/`)
   * @param name the record's name (`writer.swifteats.dr.internal`)
   */
  constructor(client: Route53Client, zoneId: string, name: string) {
    this.#client = client;
    this.#zoneId = zoneId.replace(/^\/hostedzone\//, '');
    this.#name = absoluteName(name);
  }

  /**
   * Throttling and PriorRequestNotComplete are ThrottledError; every other failure
   * (InvalidChangeBatch, NoSuchHostedZone, InvalidInput, NoSuchChange, AccessDenied, a 5xx) means
   * the change cannot be made as planned: EndpointSwitchError.
   */
  #send<T>(action: string, fn: () => Promise<T>): Promise<T> {
    return send({ service: 'route53', action: `${action} ${this.#name} in ${this.#zoneId}`, otherwise: EndpointSwitchError }, fn);
  }

  async read(): Promise<WriterRecord | null> {
    const out = await this.#send('ListResourceRecordSets', () =>
      this.#client.send(new ListResourceRecordSetsCommand({ HostedZoneId: this.#zoneId, StartRecordName: this.#name, StartRecordType: 'CNAME', MaxItems: 1 })),
    );
    // The listing starts at the name and type, and returns the next record when they do not exist.
    const found = out.ResourceRecordSets?.[0];
    if (found === undefined || absoluteName(found.Name ?? '') !== this.#name || found.Type !== 'CNAME') return null;
    const value = found.ResourceRecords?.[0]?.Value;
    return value === undefined ? null : { name: this.#name, value, ttlSeconds: found.TTL ?? 0 };
  }

  async upsert(value: string, ttlSeconds: number, comment: string): Promise<string> {
    const out = await this.#send('ChangeResourceRecordSets', () =>
      this.#client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: this.#zoneId,
          ChangeBatch: {
            // A change batch comment is at most 256 characters.
            Comment: comment.slice(0, 256),
            Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: this.#name, Type: 'CNAME', TTL: ttlSeconds, ResourceRecords: [{ Value: value }] } }],
          },
        }),
      ),
    );
    const id = out.ChangeInfo?.Id;
    if (id === undefined) throw new EndpointSwitchError(`ChangeResourceRecordSets ${this.#name}: no change id returned`);
    return id.replace(/^\/change\//, '');
  }

  async changeStatus(changeId: string): Promise<ChangeStatus> {
    const out = await this.#send('GetChange', () => this.#client.send(new GetChangeCommand({ Id: changeId })));
    return out.ChangeInfo?.Status === 'INSYNC' ? 'INSYNC' : 'PENDING';
  }
}
