import { TfError } from '@tf/core';

/** The codes of conductor errors; branch on them with `TfError.is(e, code)`. */
export const ConductorErrorCode = {
  /** A conductor option that is missing, unknown or of the wrong kind. */
  Config: 'TF_CONDUCTOR_CONFIG',
  /** The `--flows` module could not be loaded, or exports no flow factory. */
  FlowsLoad: 'TF_CONDUCTOR_FLOWS',
  /** A flow factory threw, or returned something that is not a Flow or Task. */
  FlowFactory: 'TF_FLOW_FACTORY',
} as const;
export type ConductorErrorCode = (typeof ConductorErrorCode)[keyof typeof ConductorErrorCode];

/** Bad conductor configuration: an unknown option, no board, backend or flows, a bad maxFlows. */
export class ConductorConfigError extends TfError {
  /** The option at fault, when there is one. */
  readonly option: string | undefined;
  constructor(message: string, options?: { option?: string; cause?: unknown }) {
    super(ConductorErrorCode.Config, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.option = options?.option;
  }
}

/** A `--flows` module that could not be imported, or that exports no flow factory. */
export class FlowsLoadError extends TfError {
  readonly specifier: string;
  constructor(specifier: string, message: string, options?: { cause?: unknown }) {
    super(ConductorErrorCode.FlowsLoad, message, options);
    this.specifier = specifier;
  }
}

/** A flow factory that threw for a job's arguments, or returned no Flow or Task. */
export class FlowFactoryError extends TfError {
  readonly flowName: string;
  constructor(flowName: string, message: string, options?: { cause?: unknown }) {
    super(ConductorErrorCode.FlowFactory, message, options);
    this.flowName = flowName;
  }
}
