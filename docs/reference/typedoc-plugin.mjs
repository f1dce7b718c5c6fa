// A TypeDoc plugin for the reference of the npm package tael-coord-wasm (scripts/docs): names
// its two entry points as users import them, and documents what wasm-bindgen writes into the
// .d.ts without a comment (each class's `free` and `[Symbol.dispose]`, the loader's input
// types), which no Rust doc comment can reach. The loader's `InitOutput` (the instance's raw
// exports, not API) is listed without its members.
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

// Each entry point, by the name TypeDoc gives it (its file name without the extension).
const ENTRIES = {
  node: [
    "tael-coord-wasm",
    "The package as Node loads it (`import` and `require`; types `node.d.mts` and " +
      "`node.d.cts`): every export is ready once the module has loaded; `init` and " +
      "`initSync` return at once.",
  ],
  tael_coord: [
    "tael-coord-wasm/web",
    "The ES module build that browsers and bundlers get (the `browser` condition, or the " +
      "`tael-coord-wasm/web` entry): call `await init()` once before anything else.",
  ],
};
// Methods wasm-bindgen gives every class.
const METHODS = {
  free:
    "Frees the object's WebAssembly memory now rather than when it is garbage-collected; " +
    "the object is unusable afterwards.",
  "[dispose]": "The same as `free()`, for `using` declarations.",
};
// The loader's types.
const TYPES = {
  InitInput:
    "Where `init` loads the WebAssembly module from: its URL (or a request for it), a fetch " +
    "`Response`, its bytes, or a compiled `WebAssembly.Module`.",
  SyncInitInput:
    "What `initSync` instantiates: the WebAssembly module's bytes or a compiled " +
    "`WebAssembly.Module`.",
  InitOutput:
    "The WebAssembly instance's raw exports, which are not API (their members are left out " +
    "of this reference).",
};

export async function load(app) {
  // The TypeDoc that runs this plugin, found as it was: from the directory it runs in.
  const require = createRequire(path.join(process.cwd(), "package.json"));
  const typedoc = await import(pathToFileURL(require.resolve("typedoc")).href);
  const { Comment, Converter, ReflectionKind } = typedoc;
  const text = (s) => new Comment([{ kind: "text", text: s }]);

  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    for (const module of project.getReflectionsByKind(ReflectionKind.Module)) {
      const entry = ENTRIES[module.name];
      if (!entry) throw new Error(`typedoc-plugin: no name for the entry point ${module.name}`);
      module.name = entry[0];
      module.comment ??= text(entry[1]);
    }
    for (const method of project.getReflectionsByKind(ReflectionKind.Method)) {
      const doc = METHODS[method.name];
      if (doc) for (const signature of method.signatures ?? []) signature.comment ??= text(doc);
    }
    const kinds = ReflectionKind.TypeAlias | ReflectionKind.Interface;
    for (const type of project.getReflectionsByKind(kinds)) {
      const doc = TYPES[type.name];
      if (!doc) continue;
      type.comment ??= text(doc);
      if (type.name === "InitOutput") {
        for (const member of [...(type.children ?? [])]) project.removeReflection(member);
      }
    }
  });
}
