package batchrate

// RunMaxRecord is Run with another limit on a record's length, so that
// tests can reach it with small inputs. The limit is at least the batch
// buffer (BatchSize × 32 bytes): use a small BatchSize with it.
var RunMaxRecord = run
