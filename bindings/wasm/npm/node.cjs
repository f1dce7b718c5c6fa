"use strict";
// The package's entry for Node's `require`: the very module `import` gets (node.mjs, loaded
// through require() of an ES module, which Node does from 20.19 and 22.12 on), so a program that
// both imports and requires the package shares one WebAssembly instance and one set of classes.
module.exports = require("./node.mjs");
