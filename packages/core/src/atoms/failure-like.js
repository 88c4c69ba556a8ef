export {};
//# sourceMappingURL=failure-like.js.map