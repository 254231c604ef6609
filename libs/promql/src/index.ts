export * from "./parser/ast";
