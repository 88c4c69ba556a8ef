import { TfError } from '../errors';
/** Requirements nothing provides: every missing symbol, with the atoms that need it. */
export class MissingRequirementsError extends TfError {
    missing;
    constructor(missing) {
        const list = missing.map((m) => `'${m.symbol}' (required by ${m.requiredBy.map((n) => `'${n}'`).join(', ')})`).join('; ');
        super('TF_MISSING_REQUIREMENTS', `Unsatisfied requirements: ${list}`);
        this.missing = missing;
    }
    /** The missing symbols. */
    get symbols() {
        return this.missing.map((m) => m.symbol);
    }
}
/** Two or more atoms share a name; `duplicates` lists every such name. */
export class DuplicateNameError extends TfError {
    duplicates;
    constructor(duplicates) {
        super('TF_DUPLICATE_NAME', `Atom names must be unique in a flow; duplicated: ${duplicates.map((d) => `'${d}'`).join(', ')}`);
        this.duplicates = duplicates;
    }
}
//# sourceMappingURL=errors.js.map