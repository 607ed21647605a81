#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
apt-get update
apt-get install -y python3 python3-pip
# The hashed wheels are CPython 3.10's (Ubuntu 22.04's python3): another interpreter stops here.
python3 -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else
    "setup.sh: expected Python 3.10, found " + sys.version)'
python3 -m pip install --no-cache-dir --require-hashes --only-binary=:all: -r /autograder/source/requirements.txt
# Submissions run as the grader's own unprivileged accounts, made here once (docs/security.md).
cd /autograder/source && python3 -m grader setup-sandbox
