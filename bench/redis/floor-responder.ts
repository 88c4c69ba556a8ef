/**
 * The floor's other side, in its own process: a bare ioredis loop that takes a request and
 * pushes a reply, nothing else.
 *   node --import tsx bench/redis/floor-responder.ts <url> <requestKey> <replyKey> [lists|streams]
 * lists: BRPOP the request list, LPUSH the reply list.
 * streams: XREADGROUP BLOCK the request stream, XADD the reply, then XACK + XDEL the request.
 */
import { Redis } from 'ioredis';

const [url, requestKey, replyKey, mode = 'lists'] = process.argv.slice(2) as [string, string, string, string?];
const blocking = new Redis(url);
const commands = new Redis(url);
await Promise.all([blocking.ping(), commands.ping()]);
if (mode === 'streams') await commands.xgroup('CREATE', requestKey, 'g', '0', 'MKSTREAM').catch(() => undefined);
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  blocking.disconnect();
  commands.disconnect();
  process.exit(0);
});
if (mode === 'streams') {
  for (;;) {
    const read = (await blocking.xreadgroup('GROUP', 'g', 'responder', 'COUNT', 1, 'BLOCK', 0, 'STREAMS', requestKey, '>')) as
      | [string, [string, string[]][]][]
      | null;
    const entry = read?.[0]?.[1][0];
    if (!entry) continue;
    await commands.xadd(replyKey, '*', 'body', entry[1][1] ?? '');
    await commands.pipeline().xack(requestKey, 'g', entry[0]).xdel(requestKey, entry[0]).exec();
  }
} else {
  for (;;) {
    const popped = await blocking.brpop(requestKey, 0);
    if (!popped) continue;
    await commands.lpush(replyKey, popped[1]);
  }
}
