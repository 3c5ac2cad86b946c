#!/bin/sh
# Writes OUT/dev/tcpfootgun/git-revision.properties: the git revision and branch of the work tree
# at DIR (linked worktrees and shallow clones included, as git itself reads them), GIT_REVISION and
# GIT_BRANCH from the environment when set, and "unknown" where neither says (no git, no .git: the
# container build). Run by Maven (pom.xml, exec-maven-plugin) before the resources are copied.
#   sh src/main/build/git-revision.sh OUT DIR
out="$1/dev/tcpfootgun"
mkdir -p "$out"
rev=${GIT_REVISION:-$(git -C "$2" rev-parse HEAD 2>/dev/null)}
branch=${GIT_BRANCH:-$(git -C "$2" rev-parse --abbrev-ref HEAD 2>/dev/null)}
printf 'revision=%s\nbranch=%s\n' "${rev:-unknown}" "${branch:-unknown}" > "$out/git-revision.properties"
