/**
 * A stateful SNS fake: topics and Publish, with SNS's validation (SNS API reference, Publish):
 * the topic must exist (NotFoundException "Topic does not exist"); a Subject is at most 100
 * printable ASCII characters without a line break, and a Message at most 256 KB
 * (InvalidParameterException). Published messages are kept for assertions.
 */
import { InvalidParameterException, NotFoundException, SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { AwsFake, metadata, type FakeClock } from './aws-fake.ts';

/** A published message. */
export interface PublishedMessage {
  readonly topicArn: string;
  readonly subject: string | undefined;
  readonly message: string;
  readonly messageId: string;
  readonly at: Date;
}

/** The SNS fake. */
export class SnsFake extends AwsFake<SNSClient> {
  readonly #topics = new Set<string>();
  readonly published: PublishedMessage[] = [];

  constructor(clock: FakeClock) {
    super({ clock, source: 'test/support/sns-fake.ts', client: SNSClient, operations: ['Publish'], mutating: ['Publish'], throttlingError: () => new ThrottledException({ message: 'Rate exceeded', $metadata: metadata(400) }) });
  }


  /** Adds a topic. */
  addTopic(arn: string): void {
    this.#topics.add(arn);
  }

  protected dispatch(command: string, input: Record<string, unknown>): object {
    if (command !== 'Publish') throw new Error(`SnsFake does not implement ${command}`);
    const topicArn = String(input['TopicArn'] ?? '');
    if (!this.#topics.has(topicArn)) throw new NotFoundException({ message: 'Topic does not exist', $metadata: metadata(404) });
    const subject = input['Subject'];
    if (subject !== undefined && (typeof subject !== 'string' || subject.length === 0 || subject.length > 100 || !/^[\x20-\x7e]+$/.test(subject))) {
      throw new InvalidParameterException({ message: 'Invalid parameter: Subject', $metadata: metadata(400) });
    }
    const message = input['Message'];
    if (typeof message !== 'string' || message.length === 0 || Buffer.byteLength(message) > 262_144) {
      throw new InvalidParameterException({ message: 'Invalid parameter: Message', $metadata: metadata(400) });
    }
    const messageId = `00000000-0000-4000-8000-${String(this.published.length + 1).padStart(12, '0')}`;
    this.published.push({ topicArn, subject: subject as string | undefined, message, messageId, at: this.clock.now() });
    return { MessageId: messageId };
  }
}
