import { TfError } from '../errors';
/**
 * An atom (task or retry) was declared with options that cannot work: an unknown
 * argument named in `rebind`, a malformed `provides`, a bad name or version...
 * `atom` names the atom, `argument` the offending argument (when there is one).
 */
export declare class InvalidAtomError extends TfError {
    readonly atom: string;
    readonly argument: string | undefined;
    constructor(atom: string, message: string, argument?: string);
}
