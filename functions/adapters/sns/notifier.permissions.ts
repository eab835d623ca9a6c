/**
 * The authorizations of {@link SnsNotifier} (notifier.ts): Publish, and the topic's key through
 * SNS. Test-only: see ../shared.permissions.ts.
 */
import { viaService, type AwsAuthorization, type AwsLocation } from '../shared.permissions.ts';

export function notifierPermissions(at: AwsLocation, topicArn: string, topicKeyArn: string): { notify: () => AwsAuthorization[] } {
  return {
    notify: () => [
      { command: 'PublishCommand', action: 'sns:Publish', resource: topicArn },
      { command: 'PublishCommand', action: 'kms:GenerateDataKey', resource: topicKeyArn, context: viaService('sns', at.region), why: 'encrypted topic' },
      { command: 'PublishCommand', action: 'kms:Decrypt', resource: topicKeyArn, context: viaService('sns', at.region), why: 'encrypted topic' },
    ],
  };
}
