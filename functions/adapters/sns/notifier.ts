/**
 * The {@link Notifier} port on an SNS topic (Publish, SNS API reference). The subject is kept to
 * what e-mail endpoints accept: at most 100 printable ASCII characters, no line break.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notification, Notifier } from '../../ports/notifier.ts';
import { NotificationError } from '../../shared/errors.ts';
import { translate } from '../sdk-errors.ts';

/** The topic. */
export class SnsNotifier implements Notifier {
  readonly #client: SNSClient;
  readonly #topicArn: string;

  constructor(client: SNSClient, topicArn: string) {
    this.#client = client;
    this.#topicArn = topicArn;
  }

  async notify(notification: Notification): Promise<string> {
    const subject = notification.subject.replace(/[^\x20-\x7e]/g, ' ').slice(0, 100);
    try {
      const out = await this.#client.send(new PublishCommand({ TopicArn: this.#topicArn, Subject: subject, Message: notification.message }));
      return out.MessageId ?? '';
    } catch (error) {
      // Throttling and SNS's internal error are ThrottledError; every other failure
      // (NotFoundException, AuthorizationErrorException, InvalidParameterException, KMS*) refused it.
      throw translate(error, { service: 'sns', action: `Publish to ${this.#topicArn}`, otherwise: NotificationError });
    }
  }
}
