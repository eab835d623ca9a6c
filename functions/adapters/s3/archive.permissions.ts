/**
 * The authorizations of {@link S3ArchiveStore} (archive.ts): objects of the archive bucket,
 * SSE-KMS with the archive key through S3. Test-only: see ../shared.permissions.ts.
 */
import { viaService, type AwsAuthorization, type AwsLocation } from '../shared.permissions.ts';

export function archivePermissions(at: AwsLocation, bucket: string, keyArn: string): { put: (key: string) => AwsAuthorization[]; get: (key: string) => AwsAuthorization[] } {
  const object = (key: string): string => `arn:${at.partition}:s3:::${bucket}/${key}`;
  const kms = (command: string, action: string): AwsAuthorization => ({ command, action, resource: keyArn, context: viaService('s3', at.region), why: 'SSE-KMS with the archive key' });
  return {
    put: (key) => [{ command: 'PutObjectCommand', action: 's3:PutObject', resource: object(key) }, kms('PutObjectCommand', 'kms:GenerateDataKey')],
    get: (key) => [{ command: 'GetObjectCommand', action: 's3:GetObject', resource: object(key) }, kms('GetObjectCommand', 'kms:Decrypt')],
  };
}
