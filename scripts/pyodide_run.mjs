// Run a Python program under Pyodide in Node, with this project's wheels and the WebAssembly Graphviz, offline.
//
//   node scripts/pyodide_run.mjs WHEEL... < program.py
//
// Loads Pyodide from node_modules (the npm package `pyodide`, `npm ci`), installs each wheel with
// pyodide.unpackArchive (no micropip, no network), loads @hpcc-js/wasm-graphviz once (awaited) and registers it
// as the Python module `graphviz_wasm`, which viz's drawings then call synchronously (viz/drawing.py). The
// program comes on stdin; what it prints goes to stdout. Exit status 1, with Python's traceback on stderr, when
// it raises. The tests run viz's drawings under Pyodide with it (tests/viz/test_viz_wasm_layout.py).
import { readFileSync } from "node:fs";
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { loadPyodide } from "pyodide";

const wheels = process.argv.slice(2);
const pyodide = await loadPyodide({ stdout: (line) => process.stdout.write(line + "\n") });
const sitePackages = pyodide.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
for (const wheel of wheels) {
  pyodide.unpackArchive(new Uint8Array(readFileSync(wheel)), "wheel", { extractDir: sitePackages });
}
pyodide.registerJsModule("graphviz_wasm", await Graphviz.load());
try {
  await pyodide.runPythonAsync(readFileSync(0, "utf8"));
} catch (error) {
  process.stderr.write(String(error.message || error) + "\n");
  process.exitCode = 1;
}
