import { TfError } from '../errors';
/** One missing symbol and the atoms that need it. */
export interface MissingRequirement {
    symbol: string;
    requiredBy: string[];
}
/** Requirements nothing provides: every missing symbol, with the atoms that need it. */
export declare class MissingRequirementsError extends TfError {
    readonly missing: MissingRequirement[];
    constructor(missing: MissingRequirement[]);
    /** The missing symbols. */
    get symbols(): string[];
}
/** Two or more atoms share a name; `duplicates` lists every such name. */
export declare class DuplicateNameError extends TfError {
    readonly duplicates: string[];
    constructor(duplicates: string[]);
}
