/** Tasks the example workers allow (their allow-list is this module's exports). */
import { Task } from '@tf/core';

/** TaskFlow's TaskOneArgOneReturn: returns its argument. */
export class TaskOneArgOneReturn extends Task<{ x: number }, number> {
  static override taskName = 'examples.TaskOneArgOneReturn';
  static override requires = ['x'];
  override execute({ x }: { x: number }): number {
    return x;
  }
}

/** TaskFlow's TaskMultiArgOneReturn: returns the sum of its arguments. */
export class TaskMultiArgOneReturn extends Task<{ x: number; y: number; z: number }, number> {
  static override taskName = 'examples.TaskMultiArgOneReturn';
  static override requires = ['x', 'y', 'z'];
  override execute({ x, y, z }: { x: number; y: number; z: number }): number {
    return x + y + z;
  }
}

/** Like TaskFlow's wbe_event_sender: reports progress while it counts to `steps`. */
export class EventSender extends Task<{ steps: number }, string> {
  static override taskName = 'examples.EventSender';
  static override requires = ['steps'];
  override async execute({ steps }: { steps: number }): Promise<string> {
    for (let i = 1; i <= steps; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      this.updateProgress(i / steps, { step: i, pid: process.pid });
    }
    return `${this.name} counted to ${steps}`;
  }
}
