/** The archive contract (archive-store.contract.ts) against each implementation of the port. */
import { S3Client } from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { S3ArchiveStore } from '../../functions/adapters/s3/archive.ts';
import { VirtualClock } from '../support/aws-fake.ts';
import { MemoryArchive } from '../support/memory-archive.ts';
import { s3Error, S3Fake } from '../support/s3-fake.ts';
import { archiveStoreContract } from './archive-store.contract.ts';

let memory: MemoryArchive | undefined;
archiveStoreContract('MemoryArchive (the double)', {
  make: async () => (memory = new MemoryArchive()),
  failNextPut: () => {
    if (memory) memory.failPuts = 1;
  },
});

archiveStoreContract("S3Fake's archive view (what the wire fake serves the bundles)", {
  make: async () => {
    const fake = new S3Fake(new VirtualClock('2026-11-29T02:00:00.000Z'));
    fake.createBucket('swifteats-archive', { objectLock: { mode: 'COMPLIANCE', days: 400 } });
    return fake.archive('swifteats-archive');
  },
});

let stub: AwsClientStub<S3Client> | undefined;
let s3: S3Fake | undefined;
archiveStoreContract('S3ArchiveStore (the adapter) over the S3 fake, Object Lock bucket', {
  make: async () => {
    s3 = new S3Fake(new VirtualClock('2026-11-29T02:00:00.000Z'));
    s3.createBucket('swifteats-archive', { objectLock: { mode: 'COMPLIANCE', days: 400 } });
    stub = s3.install();
    return new S3ArchiveStore(new S3Client({ region: 'eu-west-1', maxAttempts: 1 }), 'swifteats-archive');
  },
  done: async () => {
    stub?.restore();
  },
  failNextPut: () => s3?.failNext('PutObject', s3Error('InternalError', 'We encountered an internal error. Please try again.', 500)),
});
