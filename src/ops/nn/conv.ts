// Filled in by its op family; see ../../DESIGN.md (one op, one definition).
export {};
