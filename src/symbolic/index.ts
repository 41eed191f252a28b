export { type LayerHistory, Node, type NodeOwner } from "./node.js";
export { isTracing, traceScope } from "./tracing.js";
