import { TfError } from '../errors';
/**
 * An atom (task or retry) was declared with options that cannot work: an unknown
 * argument named in `rebind`, a malformed `provides`, a bad name or version...
 * `atom` names the atom, `argument` the offending argument (when there is one).
 */
export class InvalidAtomError extends TfError {
    atom;
    argument;
    constructor(atom, message, argument) {
        super('TF_INVALID_ATOM', `Atom '${atom}': ${message}`);
        this.atom = atom;
        this.argument = argument;
    }
}
//# sourceMappingURL=errors.js.map