import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

/** Props of {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** The protected database's name: topic `<db>-dr-alarms`, key alias `alias/<db>-dr-alarms`. */
  readonly databaseName: string;
  /**
   * Email addresses subscribed to the topic.
   * @default none
   */
  readonly notificationEmails?: readonly string[];
}

/**
 * The topic every DR alarm notifies, encrypted with a customer key that CloudWatch may use (alarms
 * cannot publish to an SNS-managed key), TLS only, with the configured email subscriptions.
 *
 * Adds its resources to `scope` itself (the Monitoring construct), under the ids they have always had.
 */
export class AlarmTopic {
  readonly topic: sns.Topic;
  /** Publishers need kms:GenerateDataKey and kms:Decrypt on it. */
  readonly topicKey: kms.Key;

  constructor(scope: Construct, props: AlarmTopicProps) {
    const account = Stack.of(scope).account;
    const db = props.databaseName;
    this.topicKey = new kms.Key(scope, 'TopicKey', {
      description: `${db}: encrypts the DR alarm topic`,
      enableKeyRotation: true,
      alias: `alias/${db}-dr-alarms`,
    });
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
    this.topic = new sns.Topic(scope, 'Topic', { topicName: `${db}-dr-alarms`, displayName: `${db} DR alarms`, masterKey: this.topicKey, enforceSSL: true });
    // A topic policy replaces the default one: alarms of this account must be allowed explicitly.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
    for (const email of props.notificationEmails ?? []) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
}
