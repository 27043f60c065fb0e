// Types for the parts of @sabaki/sgf (plain CommonJS, no bundled types) that tengen uses.
declare module '@sabaki/sgf' {
  export interface SgfNode {
    id: number | string;
    data: Record<string, string[]>;
    parentId: number | string | null;
    children: SgfNode[];
  }
  export function parse(contents: string, options?: Record<string, unknown>): SgfNode[];
  export function stringify(nodes: SgfNode | SgfNode[], options?: { linebreak?: string; indent?: string }): string;
  export function escapeString(input: string): string;
  const sgf: { parse: typeof parse; stringify: typeof stringify; escapeString: typeof escapeString };
  export default sgf;
}
