#!/usr/bin/env node
// Committed shim so npm can link the bin before the first build; the real entry is compiled TypeScript.
import '../dist/bin/strongroom.js';
