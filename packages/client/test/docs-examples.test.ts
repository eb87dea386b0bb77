import { describe, expect, it } from 'vitest';
import { runEmbeddingExample } from '../../../docs/examples/embed-services.js';

describe('the examples in docs/', () => {
  it('embeds two services in one server and moves money through the typed clients', async () => {
    const lines: string[] = [];

    const balances = await runEmbeddingExample((line) => lines.push(line));

    expect(balances).toEqual({ deposits: '14.5', savings: '10.5' });
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/\/identity\/s\?id=[0-9a-f]{8}/);
  });
});
