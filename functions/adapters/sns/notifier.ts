/**
 * The {@link Notifier} port on an SNS topic (Publish, SNS API reference). The subject is kept to
 * what e-mail endpoints accept: at most 100 printable ASCII characters, no line break.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notification, Notifier } from '../../ports/notifier.ts';
import { NotificationError, ThrottledError } from '../../shared/errors.ts';

const RETRYABLE = new Set(['ThrottledException', 'InternalErrorException', 'KMSThrottlingException']);

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
      if (!(error instanceof Error)) throw error;
      const message = `Publish to ${this.#topicArn}: ${error.name}: ${error.message}`;
      if (RETRYABLE.has(error.name)) throw new ThrottledError(message, { cause: error });
      // NotFoundException, AuthorizationErrorException, InvalidParameterException, KMS*: refused.
      throw new NotificationError(message, { cause: error });
    }
  }
}
