export * from "./app-schema";
export * from "./users";
export * from "./system";
export * from "./datasets";
export * from "./models";
export * from "./destinations";
export * from "./pipelines";
export * from "./api-tokens";
