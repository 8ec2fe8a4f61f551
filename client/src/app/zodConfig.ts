import { z } from 'zod';

// Imported first by main.tsx, before any module that parses at import time. No `new Function`
// probe: the Content-Security-Policy forbids eval, and zod's probe, though caught, is still
// reported as a violation. Validation runs interpreted, which is fast enough here.
z.config({ jitless: true });
