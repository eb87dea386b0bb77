/**
 * The whole conformance suite, racing cases included, against a real S3-compatible server that
 * honours conditional writes (MinIO, AWS S3). It runs only when these are set:
 * `ACQUIRE_TEST_S3_ENDPOINT`, `ACQUIRE_TEST_S3_BUCKET` (created when missing), `AWS_ACCESS_KEY_ID`
 * and `AWS_SECRET_ACCESS_KEY`; optionally `AWS_SESSION_TOKEN`, `ACQUIRE_TEST_S3_REGION` and
 * `ACQUIRE_TEST_S3_PATH_STYLE=false` for virtual-hosted buckets. Each test uses a fresh prefix and
 * removes what it wrote.
 */

import { runObjectStoreConformance } from '@acquire/core/testing';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshPrefix, rawListing } from '../test/store-fixtures.js';
import { createS3Store, type S3Store } from './s3-store.js';
import { S3_REGION_DEFAULT } from './s3-store-options.js';

/** Objects removed at once when cleaning up after a test. */
const CLEANUP_PARALLELISM = 16;

const environment = {
  endpoint: process.env.ACQUIRE_TEST_S3_ENDPOINT,
  bucket: process.env.ACQUIRE_TEST_S3_BUCKET,
  region: process.env.ACQUIRE_TEST_S3_REGION,
  pathStyle: process.env.ACQUIRE_TEST_S3_PATH_STYLE !== 'false',
  accessKeyId: process.env.AWS_ACCESS_KEY_ID,
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
  sessionToken: process.env.AWS_SESSION_TOKEN,
};

const configured =
  environment.endpoint !== undefined &&
  environment.bucket !== undefined &&
  environment.accessKeyId !== undefined &&
  environment.secretAccessKey !== undefined;

const credentials = {
  accessKeyId: environment.accessKeyId ?? '',
  secretAccessKey: environment.secretAccessKey ?? '',
  sessionToken: environment.sessionToken,
};

/** A client of its own, for cleaning up around the stores. */
const cleanupClient = new S3Client({
  endpoint: environment.endpoint,
  region: environment.region ?? S3_REGION_DEFAULT,
  forcePathStyle: environment.pathStyle,
  credentials,
});

function endpointStore(): S3Store {
  return createS3Store({
    bucket: environment.bucket ?? '',
    prefix: freshPrefix('acquire-conformance'),
    endpoint: environment.endpoint,
    region: environment.region,
    forcePathStyle: environment.pathStyle,
    credentials,
  });
}

async function removePrefix(store: S3Store): Promise<void> {
  const objects = await rawListing(cleanupClient, store.bucket, `${store.prefix}/`);
  let next = 0;
  const remover = async () => {
    while (next < objects.length) {
      const key = objects[next++]?.key;
      await cleanupClient.send(new DeleteObjectCommand({ Bucket: store.bucket, Key: key }));
    }
  };
  await Promise.all(Array.from({ length: CLEANUP_PARALLELISM }, remover));
}

describe.skipIf(!configured)(
  's3 store on ACQUIRE_TEST_S3_ENDPOINT (skipped unless it is set)',
  () => {
    beforeAll(async () => {
      const bucket = { Bucket: environment.bucket };
      const exists = await cleanupClient.send(new HeadBucketCommand(bucket)).then(
        () => true,
        () => false,
      );
      if (!exists) {
        await cleanupClient.send(new CreateBucketCommand(bucket));
      }
    });

    it('finds that the server honours conditional writes', async () => {
      const store = endpointStore();
      const support = await store.checkCapabilities();

      expect(support.conditionalWrites).toBe(true);
      expect(store.capabilities.atomicConditionalWrites).toBe(true);
    });

    runObjectStoreConformance({
      name: `s3 on ${environment.endpoint}`,
      create: endpointStore,
      destroy: (store) => removePrefix(store as S3Store),
    });
  },
);
