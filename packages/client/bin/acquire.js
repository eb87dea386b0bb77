#!/usr/bin/env node
// The `acquire` executable. It lives outside dist/ so that installing the workspace can link it
// before anything is built.
import '../dist/cli.js';
