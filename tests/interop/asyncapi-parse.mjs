// SPDX-License-Identifier: GPL-3.0-or-later
// Parses AsyncAPI documents with the official @asyncapi/parser, as the interop
// tests use it, and prints each error diagnostic as
//   FILE:LINE:COL: error: MESSAGE [RULE] (at JSON.PATH)
// Warnings and hints of the parser's style rules are not printed.
// --ignore-rule RULE (repeatable) leaves out errors of that parser rule, e.g.
// asyncapi2-message-examples.
// Exit status: 0 no errors, 1 errors in some file, 2 usage or setup problem.
// The parser is looked up from $GATEHOUSE_NODE_MODULES, then each NODE_PATH entry,
// then the usual places next to this script: an ES module's bare imports ignore
// NODE_PATH, so it is resolved explicitly.
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';

const require = createRequire(import.meta.url);

function loadParser() {
    const starts = [process.env.GATEHOUSE_NODE_MODULES,
                    ...(process.env.NODE_PATH || '').split(path.delimiter)]
        .filter(Boolean);
    const options = starts.length ? { paths: starts } : undefined;
    try {
        return require(require.resolve('@asyncapi/parser', options));
    } catch (e) {
        console.error(`asyncapi-parse: cannot load @asyncapi/parser (looked from ${starts.join(', ') || 'the script folder'}): ${e.message}`);
        process.exit(2);
    }
}

const ignoredRules = new Set();
let ignoreBindings = false;
const files = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; ++i) {
    if (args[i] === '--ignore-rule' && i + 1 < args.length)
        ignoredRules.add(args[++i]);
    else if (args[i] === '--ignore-bindings')
        ignoreBindings = true;
    else if (args[i].startsWith('--')) {
        console.error(`asyncapi-parse: unknown option ${args[i]}`);
        process.exit(2);
    } else
        files.push(args[i]);
}
if (files.length === 0) {
    console.error('usage: node asyncapi-parse.mjs [--ignore-rule RULE]... [--ignore-bindings] FILE...');
    process.exit(2);
}

const { Parser, fromFile } = loadParser();
const parser = new Parser();
let failed = false;
for (const file of files) {
    let diagnostics;
    try {
        ({ diagnostics } = await fromFile(parser, file).parse());
    } catch (e) {
        console.log(`${file}: error: ${e.message}`);
        failed = true;
        continue;
    }
    for (const d of diagnostics) {
        if (d.severity !== 0 || ignoredRules.has(d.code))
            continue;
        if (ignoreBindings && Array.isArray(d.path) && d.path.includes('bindings'))
            continue;
        const start = d.range && d.range.start ? d.range.start : { line: -1, character: -1 };
        const where = Array.isArray(d.path) && d.path.length ? ` (at ${d.path.join('.')})` : '';
        console.log(`${file}:${start.line + 1}:${start.character + 1}: error: ${d.message} [${d.code}]${where}`);
        failed = true;
    }
}
process.exit(failed ? 1 : 0);
