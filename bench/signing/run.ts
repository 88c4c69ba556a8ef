/**
 * The cost of signing: sign (`signMessage`) and verify (`verifyMessage`) one message, in
 * microseconds of CPU time, for the messages tf sends (a heartbeat with no body, a REQUEST, a SUCCESS
 * with a 4 KiB and a 64 KiB result), with the headers a worker's responses carry.
 *
 *   pnpm bench:signing
 */
import { signingKeys, signMessage, verifyMessage, type SignedEnvelope } from '@tf/core';

const keys = signingKeys(`base64:${Buffer.alloc(32, 1).toString('base64')}`);
const request = JSON.stringify({
  task_cls: 'tasks.Resize',
  task_name: 'resize-42',
  task_version: [1, 0],
  action: 'execute',
  arguments: { url: 'https://example.invalid/image-42.png', width: 640, height: 480 },
});
const result = (bytes: number) => JSON.stringify({ state: 'SUCCESS', data: { result: 'x'.repeat(bytes) } });
const cases: [string, string][] = [
  ['heartbeat (empty body)', '{}'],
  [`REQUEST (${request.length} B)`, request],
  ['SUCCESS (4 KiB)', result(4096)],
  ['SUCCESS (64 KiB)', result(65_536)],
];
const envelope: SignedEnvelope = {
  exchange: 'tf',
  topic: '3f1c2a9e-5a1e-4b55-9a5e-0d9d1f0c7b21',
  properties: {
    type: 'RESPONSE',
    correlationId: '0b7c1d7e-6f0a-4c0e-8a55-6a1b2c3d4e5f',
    headers: { 'x-tf-worker': '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d', 'x-tf-heartbeat-ms': 1000, 'x-tf-attempt': 1 },
  },
};

function perOp(iterations: number, op: () => void): number {
  for (let i = 0; i < Math.min(iterations, 2_000); i++) op(); // warm-up
  // CPU time, not wall time: on a shared machine the wall clock also counts other jobs' turns.
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) op();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / iterations;
}

console.log(`Node ${process.version}; µs of CPU per message, median of 5 runs`);
console.log('| message | sign | verify | sign + verify |');
console.log('|---|---|---|---|');
for (const [name, body] of cases) {
  const iterations = body.length > 10_000 ? 5_000 : 50_000;
  const signs: number[] = [];
  const verifies: number[] = [];
  for (let run = 0; run < 5; run++) {
    let headers = envelope.properties.headers!;
    signs.push(perOp(iterations, () => (headers = signMessage(keys, envelope, body))));
    const received = { ...envelope, properties: { ...envelope.properties, headers } };
    verifies.push(
      perOp(iterations, () => {
        if (!verifyMessage(keys, received, body).ok) throw new Error('did not verify');
      }),
    );
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[2]!;
  const [s, v] = [median(signs), median(verifies)];
  console.log(`| ${name} | ${s.toFixed(1)} | ${v.toFixed(1)} | ${(s + v).toFixed(1)} |`);
}
