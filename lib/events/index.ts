export * from "./definitions";
export * from "./sender";
