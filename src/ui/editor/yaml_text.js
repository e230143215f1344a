// YAML for the flow builder's text view, bundled by esbuild at build time into
// /js/bundle/yaml_text.js (see src/ui/CMakeLists.txt), loaded only by the flow editor: a flow
// is shown and edited as the YAML `wmill` writes (or as JSON), and read back into OpenFlow.
import { parse, stringify } from 'yaml';

// An object → YAML text, keys in their order, long strings (code) as block literals.
export function toYaml(value) {
  return stringify(value, { lineWidth: 0, blockQuote: 'literal' });
}

// YAML (or JSON, which is YAML) text → the value; throws an Error that names the line.
export function fromYaml(text) {
  return parse(text, { prettyErrors: true, uniqueKeys: true });
}
