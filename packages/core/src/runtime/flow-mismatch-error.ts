import { TfError } from '@tf/transport';

/**
 * A flow detail loaded to resume holds atoms the flow given to `load` does not have (renamed
 * or removed), or an atom of another kind: `TF_FLOW_MISMATCH`.
 */
export class FlowMismatchError extends TfError {
  readonly flowUuid: string;
  /** Atoms of the flow detail that the flow lacks. */
  readonly unknownAtoms: readonly string[];
  /** Atoms whose kind (task, retry) differs between the flow detail and the flow. */
  readonly kindChanged: readonly string[];
  /** Atoms of the flow that the flow detail lacks (the new names, when atoms were renamed). */
  readonly newAtoms: readonly string[];

  constructor(flowUuid: string, found: { unknownAtoms: string[]; kindChanged: string[]; newAtoms: string[] }) {
    const parts: string[] = [];
    if (found.unknownAtoms.length > 0) parts.push(`it holds atoms the flow does not have: ${found.unknownAtoms.join(', ')}`);
    if (found.kindChanged.length > 0) parts.push(`atoms changed kind (task/retry): ${found.kindChanged.join(', ')}`);
    if (found.newAtoms.length > 0) parts.push(`the flow's atoms it does not hold: ${found.newAtoms.join(', ')}`);
    super('TF_FLOW_MISMATCH', `Flow detail ${flowUuid} does not match the flow: ${parts.join('; ')}`);
    this.flowUuid = flowUuid;
    this.unknownAtoms = found.unknownAtoms;
    this.kindChanged = found.kindChanged;
    this.newAtoms = found.newAtoms;
  }
}
