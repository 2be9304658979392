import { setDefaultTimeout } from 'bun:test';

// Tests that start real servers await their readiness instead of sleeping; on a loaded 2-core machine that can take
// longer than bun's 5 s default, so the bound is generous and lives here, not in per-test timeouts.
setDefaultTimeout(600_000);
