import { corruptMemoryJob, resolveJobboard } from '@tf/jobboard';
import { jobboardConformance } from '@tf/jobboard-testkit';

jobboardConformance({
  name: 'memory',
  open: (options) => resolveJobboard({ connection: 'memory://', ...options }),
  corrupt: async (board, uuid, text) => corruptMemoryJob(board, uuid, text),
});
