/** The areas of a mutation run, by name: the globs of the files each mutates. */
export declare const areas: Readonly<Record<string, readonly string[]>>;
