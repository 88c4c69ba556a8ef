import { RETRY_BRAND, TASK_BRAND, hasBrand } from '../brand';
import { InvalidAtomError } from './errors';
function checkName(atom, what, value) {
    if (typeof value !== 'string' || value.length === 0) {
        throw new InvalidAtomError(atom, `${what} must be a non-empty string, got ${JSON.stringify(value)}`);
    }
    return value;
}
function checkNameList(atom, what, value) {
    if (value === undefined || value === null)
        return [];
    if (!Array.isArray(value))
        throw new InvalidAtomError(atom, `${what} must be an array of names`);
    for (const v of value)
        checkName(atom, `each of ${what}`, v);
    return value;
}
/** Turns a provides spec into `symbol -> key/index/null`, as TaskFlow's `save_as`. */
export function saveAsMapping(atom, provides) {
    const out = new Map();
    if (provides === undefined || provides === null)
        return out;
    if (typeof provides === 'string') {
        out.set(checkName(atom, 'provides', provides), null);
    }
    else if (Array.isArray(provides)) {
        provides.forEach((p, i) => {
            const name = checkName(atom, 'each provided name', p);
            if (out.has(name))
                throw new InvalidAtomError(atom, `provides '${name}' twice`);
            out.set(name, i);
        });
    }
    else if (typeof provides === 'object') {
        for (const [symbol, key] of Object.entries(provides)) {
            checkName(atom, 'each provided name', symbol);
            if (typeof key !== 'string' && !(typeof key === 'number' && Number.isInteger(key) && key >= 0)) {
                throw new InvalidAtomError(atom, `provides '${symbol}' from ${JSON.stringify(key)}: expected a key or an index`, symbol);
            }
            out.set(symbol, key);
        }
    }
    else {
        throw new InvalidAtomError(atom, `provides must be a name, a list of names or a map, got ${typeof provides}`);
    }
    return out;
}
const NO_INJECT = Object.freeze({});
function hasOwnKeys(o) {
    for (const k in o)
        if (Object.prototype.hasOwnProperty.call(o, k))
            return true;
    return Object.getOwnPropertySymbols(o).length > 0;
}
/** Computes an atom's binding from class defaults and constructor options (TaskFlow's `_build_arg_mapping`). */
export function computeBinding(kind, defaults, options) {
    const name = options.name ?? defaults.name;
    const label = name ?? `(unnamed ${kind})`;
    if (name !== undefined)
        checkName(label, 'name', name);
    const required = [];
    const seen = new Set();
    for (const a of [...checkNameList(label, 'requires', defaults.requires), ...checkNameList(label, 'requires', options.requires)]) {
        if (!seen.has(a)) {
            seen.add(a);
            required.push(a);
        }
    }
    const optionalArgs = [];
    for (const a of [...checkNameList(label, 'optional', defaults.optional), ...checkNameList(label, 'optional', options.optional)]) {
        if (!seen.has(a)) {
            seen.add(a);
            optionalArgs.push(a);
        }
    }
    const rebound = new Map();
    const rebind = options.rebind;
    if (rebind !== undefined && rebind !== null) {
        if (Array.isArray(rebind)) {
            const list = rebind;
            if (list.length > required.length) {
                throw new InvalidAtomError(label, `rebind lists ${list.length} names but only ${required.length} arguments are required (${required.join(', ') || 'none'})`);
            }
            list.forEach((symbol, i) => rebound.set(required[i], checkName(label, 'each rebind target', symbol)));
        }
        else if (typeof rebind === 'object') {
            for (const [arg, symbol] of Object.entries(rebind)) {
                if (!seen.has(arg)) {
                    throw new InvalidAtomError(label, `rebind names unknown argument '${arg}' (arguments: ${[...seen].join(', ') || 'none'})`, arg);
                }
                rebound.set(arg, checkName(label, `rebind target of '${arg}'`, symbol));
            }
        }
        else {
            throw new InvalidAtomError(label, 'rebind must be a map argName -> symbol or a list of symbols');
        }
    }
    const inject = options.inject ?? {};
    if (typeof inject !== 'object' || inject === null || Array.isArray(inject)) {
        throw new InvalidAtomError(label, 'inject must be a plain object');
    }
    const injected = (symbol) => Object.prototype.hasOwnProperty.call(inject, symbol);
    const argMapping = new Map();
    const requires = new Set();
    const optional = new Set();
    for (const arg of required) {
        const symbol = rebound.get(arg) ?? arg;
        argMapping.set(arg, symbol);
        if (!injected(symbol))
            requires.add(symbol);
    }
    for (const arg of optionalArgs) {
        const symbol = rebound.get(arg) ?? arg;
        argMapping.set(arg, symbol);
        if (!injected(symbol) && !requires.has(symbol))
            optional.add(symbol);
    }
    const version = options.version ?? defaults.version;
    if (!Array.isArray(version) || version.length !== 2 || !version.every((n) => Number.isInteger(n) && n >= 0)) {
        throw new InvalidAtomError(label, `version must be [major, minor], got ${JSON.stringify(version)}`);
    }
    const saveAs = saveAsMapping(label, options.provides !== undefined ? options.provides : defaults.provides);
    return {
        name,
        kind,
        version: Object.freeze([version[0], version[1]]),
        requires,
        optional,
        argMapping,
        optionalArgs: new Set(optionalArgs),
        // Atoms without inject (most) share one frozen empty object.
        inject: hasOwnKeys(inject) ? Object.freeze({ ...inject }) : NO_INJECT,
        provides: new Set(saveAs.keys()),
        saveAs,
    };
}
/**
 * The common base of {@link Task} and {@link Retry}: a named unit with a binding.
 * Do not extend it directly.
 */
export class Atom {
    /** @internal */
    _name;
    version;
    requires;
    optional;
    argMapping;
    optionalArgs;
    inject;
    provides;
    saveAs;
    constructor(kind, defaults, options) {
        const b = computeBinding(kind, defaults, options ?? {});
        this._name = b.name;
        this.version = b.version;
        this.requires = b.requires;
        this.optional = b.optional;
        this.argMapping = b.argMapping;
        this.optionalArgs = b.optionalArgs;
        this.inject = b.inject;
        this.provides = b.provides;
        this.saveAs = b.saveAs;
    }
    /** The atom's name (unique within a compiled flow). */
    get name() {
        return this._name ?? this.constructor.name;
    }
    toString() {
        return `${this.kind} '${this.name}'`;
    }
}
/** True for a task instance (from any copy of `@tf/core`). */
export function isTask(value) {
    return typeof value === 'object' && hasBrand(value, TASK_BRAND);
}
/** True for a Task class (a constructor whose instances are tasks). */
export function isTaskClass(value) {
    return typeof value === 'function' && hasBrand(value, TASK_BRAND);
}
/** True for a retry controller instance. */
export function isRetry(value) {
    return typeof value === 'object' && hasBrand(value, RETRY_BRAND);
}
/** True for a Retry class. */
export function isRetryClass(value) {
    return typeof value === 'function' && hasBrand(value, RETRY_BRAND);
}
/** True for a task or retry instance. */
export function isAtom(value) {
    return isTask(value) || isRetry(value);
}
//# sourceMappingURL=atom.js.map