import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../crypto/encoding.js';
import { createSeededRandomSource, setRandomSource } from '../crypto/random.js';
import { AcquireError, ErrorCode } from '../errors.js';
import {
  decodeObjectFrame,
  encodeTombstoneFrame,
  encodeValueFrame,
  OBJECT_FRAME_HEADER_BYTES,
  OBJECT_FRAME_PEEK_BYTES,
  OBJECT_FRAME_TOMBSTONE_BYTES,
  peekObjectFrame,
} from './object-frame.js';

/** Bodies as S3 stores already hold them, for this seed: the layout must never change. */
const GOLDEN_SEED = 'object frame';
const GOLDEN_VALUE_HEX =
  '41435101563a2674af584f9bee9bf52466fc84d658eb69abcc54d8bcf975aa735ebb61c8ceb27555455d983d1f88' +
  '81756760db1fcc7468652076616c7565';
const GOLDEN_TOMBSTONE_HEX = '414351015448e2e0187ee6e950b68aad2d3db60dae';

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('object frames', () => {
  it('keep the byte layout stored objects already have', async () => {
    const restore = setRandomSource(createSeededRandomSource(GOLDEN_SEED));
    try {
      const value = await encodeValueFrame(utf8Encode('the value'));
      const tombstone = encodeTombstoneFrame();

      expect(hex(value.body)).toBe(GOLDEN_VALUE_HEX);
      expect(hex(tombstone.body)).toBe(GOLDEN_TOMBSTONE_HEX);
    } finally {
      restore();
    }
    expect([OBJECT_FRAME_HEADER_BYTES, OBJECT_FRAME_TOMBSTONE_BYTES]).toEqual([53, 21]);
    expect(OBJECT_FRAME_PEEK_BYTES).toBe(OBJECT_FRAME_TOMBSTONE_BYTES);
  });

  it('give back every value they frame, under a fresh write id each time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (value) => {
        const first = await encodeValueFrame(value);
        const second = await encodeValueFrame(value);

        expect(await decodeObjectFrame(first.body, 'k')).toEqual({ kind: 'value', value });
        expect(first.body.length).toBe(OBJECT_FRAME_HEADER_BYTES + value.length);
        expect(first.writeId).not.toEqual(second.writeId);
        expect(peekObjectFrame(first.body.subarray(0, OBJECT_FRAME_PEEK_BYTES))).toEqual({
          kind: 'value',
          writeId: first.writeId,
        });
      }),
      { numRuns: 50 },
    );
  });

  it('copy the value before the caller can change it', async () => {
    const value = utf8Encode('original');
    const framing = encodeValueFrame(value);
    value.fill(0);

    const decoded = await decodeObjectFrame((await framing).body, 'k');
    expect(decoded).toEqual({ kind: 'value', value: utf8Encode('original') });
  });

  it('read a tombstone as a tombstone with its write id', async () => {
    const tombstone = encodeTombstoneFrame();

    expect(await decodeObjectFrame(tombstone.body, 'k')).toEqual({ kind: 'tombstone' });
    expect(peekObjectFrame(tombstone.body)).toEqual({
      kind: 'tombstone',
      writeId: tombstone.writeId,
    });
  });

  it('refuse tampered, truncated and foreign bodies as CORRUPT_RECORD', async () => {
    const { body } = await encodeValueFrame(utf8Encode('the value'));
    const tampered = body.slice();
    tampered[OBJECT_FRAME_HEADER_BYTES] = (tampered[OBJECT_FRAME_HEADER_BYTES] ?? 0) ^ 0x01;
    const longTombstone = new Uint8Array(OBJECT_FRAME_TOMBSTONE_BYTES + 1);
    longTombstone.set(encodeTombstoneFrame().body);
    const unknownKind = body.slice();
    unknownKind[4] = 0x58;
    const cases = [
      tampered,
      body.subarray(0, OBJECT_FRAME_HEADER_BYTES - 1),
      body.subarray(0, body.length - 1),
      utf8Encode('{"plain": "json"}'),
      new Uint8Array(0),
      longTombstone,
      unknownKind,
    ];

    for (const damaged of cases) {
      const error = await caught(decodeObjectFrame(damaged, 'records/x'));
      expect(AcquireError.is(error, ErrorCode.CORRUPT_RECORD), hex(damaged)).toBe(true);
      expect((error as AcquireError).details).toEqual({ key: 'records/x' });
    }
    expect(peekObjectFrame(unknownKind).kind).toBe('foreign');
    expect(peekObjectFrame(utf8Encode('short')).writeId).toEqual(new Uint8Array(0));
  });
});
