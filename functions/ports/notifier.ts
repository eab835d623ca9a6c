/**
 * Port: telling people what a failover did (SNS in production, the topic the alarms use).
 *
 * Implementations throw NotificationError when the message is refused, ThrottledError when
 * throttled (safe to retry).
 */

/** A notification. */
export interface Notification {
  /** One line, at most 100 characters (an e-mail subject). */
  readonly subject: string;
  /** The body: plain text. */
  readonly message: string;
}

/** Where notifications go. */
export interface Notifier {
  /** Publishes one notification; returns the message id. */
  notify(notification: Notification): Promise<string>;
}
