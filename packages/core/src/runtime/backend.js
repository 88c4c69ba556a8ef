/** Keeps everything in this process; the default backend. */
export class MemoryBackend {
    #flows = new Map();
    #atoms = new Map();
    saveFlow(record) {
        this.#flows.set(record.uuid, { ...record, store: { ...record.store } });
    }
    saveAtom(flowUuid, record) {
        let atoms = this.#atoms.get(flowUuid);
        if (!atoms)
            this.#atoms.set(flowUuid, (atoms = new Map()));
        atoms.set(record.name, record);
    }
    loadFlow(flowUuid) {
        const record = this.#flows.get(flowUuid);
        return record && { ...record, store: { ...record.store } };
    }
    loadAtoms(flowUuid) {
        return [...(this.#atoms.get(flowUuid)?.values() ?? [])].map((r) => ({ ...r }));
    }
}
//# sourceMappingURL=backend.js.map