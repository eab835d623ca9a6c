/**
 * The port to database credentials. Production reads them from Secrets Manager at each
 * connection (the RDS-managed secret rotates); tests supply them directly.
 */

/** A user name and password. */
export interface DatabaseCredentials {
  readonly username: string;
  readonly password: string;
}

/** Where credentials come from. */
export interface CredentialsProvider {
  /** Current credentials; never cached across rotations by the caller. */
  get(): Promise<DatabaseCredentials>;
}
