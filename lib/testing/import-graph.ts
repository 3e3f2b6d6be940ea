import fs from "node:fs";
import path from "node:path";

/**
 * A small static import scanner for the architecture tests: which modules a source file imports
 * (static imports, re-exports, side-effect imports and dynamic `import()`), resolved to files in
 * this repository. Only what TypeScript can resolve through `@/…` and relative paths counts;
 * packages are ignored.
 */

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface ImportEdge {
  /** Repository-relative path of the imported file (posix separators). */
  target: string;
  specifier: string;
  /** `import type` / `export type`: erased at runtime. */
  typeOnly: boolean;
  dynamic: boolean;
}

const SOURCE = /\.(ts|tsx)$/;
const TEST = /\.test\.tsx?$/;

const toPosix = (p: string) => p.split(path.sep).join("/");

/** Every non-test source file under a repository folder, repository-relative. */
export function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (SOURCE.test(entry.name) && !TEST.test(entry.name) && !entry.name.endsWith(".d.ts"))
        out.push(toPosix(path.relative(ROOT, full)));
    }
  };
  walk(path.join(ROOT, folder));
  return out.sort();
}

// `import x from "m"`, `import type {…} from "m"`, `export {…} from "m"`, `export * from "m"`, `import "m"`.
const STATIC = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?(?:[\w*\s{},$]*?\s+from\s+)?["']([^"']+)["']/g;
// `import("m")`, also inside expressions (`await import("m")`).
const DYNAMIC = /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;

/** The specifiers a piece of source text imports, with their kind. */
export function importSpecifiers(source: string): Array<{ specifier: string; typeOnly: boolean; dynamic: boolean }> {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  const found: Array<{ specifier: string; typeOnly: boolean; dynamic: boolean }> = [];
  for (const m of text.matchAll(STATIC)) found.push({ specifier: m[3]!, typeOnly: Boolean(m[2]), dynamic: false });
  for (const m of text.matchAll(DYNAMIC)) found.push({ specifier: m[1]!, typeOnly: false, dynamic: true });
  return found;
}

function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  let base: string;
  if (specifier.startsWith("@/")) base = path.join(ROOT, specifier.slice(2));
  else if (specifier.startsWith(".")) base = path.resolve(ROOT, path.dirname(fromFile), specifier);
  else return undefined;
  const candidates = [
    base,
    ...[".ts", ".tsx"].map((ext) => base + ext),
    ...["index.ts", "index.tsx"].map((f) => path.join(base, f)),
  ];
  // `./x.js` written for ESM resolution maps to x.ts.
  if (/\.js$/.test(base)) candidates.push(base.replace(/\.js$/, ".ts"));
  const hit = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
  return hit ? toPosix(path.relative(ROOT, hit)) : undefined;
}

export function importsOf(file: string): ImportEdge[] {
  const source = fs.readFileSync(path.join(ROOT, file), "utf8");
  return importSpecifiers(source).flatMap(({ specifier, typeOnly, dynamic }) => {
    const target = resolveSpecifier(file, specifier);
    return target ? [{ target, specifier, typeOnly, dynamic }] : [];
  });
}

/** `lib/providers/oura.ts` → `lib/providers`; files directly in lib/ are their own node. */
export function libFolderOf(file: string): string | undefined {
  const parts = file.split("/");
  if (parts[0] !== "lib" || parts.length < 2) return undefined;
  return parts.length === 2 ? file : `lib/${parts[1]}`;
}

/** Cycles in a directed graph (Tarjan's strongly connected components of more than one node). */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return found;
}
