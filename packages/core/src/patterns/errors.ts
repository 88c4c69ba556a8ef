import { TfError } from '../errors';

/**
 * A flow built in a way that cannot run: an item added twice, a link between
 * items the flow does not hold, an item that is not a task or a flow, a flow
 * nested in itself... `flow` names the flow, `item` the offending item (if any).
 */
export class InvalidFlowError extends TfError {
  readonly flow: string;
  readonly item: string | undefined;

  constructor(flow: string, message: string, item?: string) {
    super('TF_INVALID_FLOW', `Flow '${flow}': ${message}`);
    this.flow = flow;
    this.item = item;
  }
}
