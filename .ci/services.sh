#!/usr/bin/env bash
# Real services the tests talk to, started on localhost. Each block is idempotent.
set -euo pipefail
