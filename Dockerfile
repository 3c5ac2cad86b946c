# tcp-footgun-exporter: one Java process per node, run as a DaemonSet with host networking.
#
# Build stage: Debian 13 (trixie), whose main archive has OpenJDK 25 (openjdk-25-jdk-headless) and
# Maven; Debian 12 (bookworm) stops at OpenJDK 17, so this is the oldest Debian that builds the
# project from Debian's own packages. It builds the jar, finds the JDK modules the jar uses with
# jdeps and jlinks a runtime of only those (java.base, java.logging, jdk.management,
# jdk.unsupported today). Then it makes the JVM's AOT cache (JEP 483, 514, 515): a training run of
# the exporter's own "train" command, with the image's JVM flags, loads, links and profiles what a
# serving process does, and the JVM writes that to app.aot at exit for the image to start from.
#
# Runtime stage: FROM scratch, holding that runtime, the jar, its JVM flags and AOT cache, the shared
# libraries the runtime links against (found with ldd: glibc, zlib, libstdc++, libgcc_s) and an
# /etc/passwd with uid 65534. No shell, no package manager, no curl. It runs as 65534:65534 and
# writes nothing (the AOT cache is only mapped for reading), so it works with a read-only root
# filesystem.
#
#   podman build -t tcp-footgun-exporter .        (or docker build)
#   podman run --read-only --network host -v /proc:/host/proc:ro -v /sys:/host/sys:ro \
#     tcp-footgun-exporter --path.procfs=/host/proc --path.sysfs=/host/sys
#
# No HEALTHCHECK: the image has no HTTP client and the app has no health-check command, and
# Kubernetes ignores HEALTHCHECK anyway (the OCI image format has no field for it). The equivalent
# probe is the DaemonSet's httpGet liveness probe on /-/healthy (deploy/kubernetes/daemonset.yaml).
#
# DEBIAN names the base of the build stage; .ci/container-test makes it locally with debootstrap
# and tags it with this public name, so this file builds unchanged on a machine without a registry.
ARG DEBIAN=debian:trixie-slim

FROM ${DEBIAN} AS build
# lets .ci/container-test prune this project's build leftovers and no one else's
LABEL dev.tcpfootgun.image=tcp-footgun-exporter
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-25-jdk-headless maven \
 && rm -rf /var/lib/apt/lists/*
# maven's dependency on default-jre-headless also brings OpenJDK 21; the build uses 25 explicitly.
RUN ln -s "$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")" /opt/jdk \
 && /opt/jdk/bin/java -version 2>&1 | head -n1 | grep -q '"25[."]'
ENV JAVA_HOME=/opt/jdk PATH=/opt/jdk/bin:$PATH

WORKDIR /src
COPY pom.xml ./
COPY .mvn/ .mvn/
COPY src/main/ src/main/
# MAVEN_OPTS reaches the build's Maven: a proxy, or a trust store for a build machine behind a
# TLS-intercepting proxy, mounted at build time (.ci/container-test does that with the host's Java
# trust store). Empty by default; it stays in this stage and is not part of the image.
ARG MAVEN_OPTS=
# The sources come without .git, so the revision and branch that --version and footgun_build_info
# show are these (.ci/container-test passes the work tree's), or "unknown".
ARG GIT_REVISION=
ARG GIT_BRANCH=
# Tests run in CI on the host (.ci/run), where they can make network namespaces; here only package.
RUN --mount=type=cache,target=/root/.m2,id=tcp-footgun-exporter-m2 \
    GIT_REVISION="$GIT_REVISION" GIT_BRANCH="$GIT_BRANCH" mvn -B -ntp -q -DskipTests -Dmaven.test.skip=true package \
 && java -jar target/tcp-footgun-exporter.jar version

# The runtime: the modules jdeps finds (none of the jar's optional dependencies are on the class
# path: --ignore-missing-deps), no Java debug attributes (Debian ships the native libraries already
# stripped; --strip-debug would want objcopy), man pages or headers. No CDS archive of the JDK's
# default classes (--generate-cds-archive): started with -XX:AOTCache the JVM maps that cache
# instead, and never the default archive, even when the cache is unusable (14 MiB saved). It is
# linked at /opt/java, the path it has in the image, so that the training run below and the image
# run the same java at the same place.
RUN modules="$(jdeps --print-module-deps --ignore-missing-deps --multi-release 25 target/tcp-footgun-exporter.jar)" \
 && echo "modules: $modules" \
 && jlink --add-modules "$modules" --strip-java-debug-attributes --no-man-pages --no-header-files --compress=zip-6 \
      --output /opt/java

# The AOT cache. The training run is the exporter's "train" command (README, "Container image"):
# it serves on 127.0.0.1 at a free port, scrapes itself 80 times as Prometheus does (OpenMetrics and
# text 0.0.4, gzip), gets /, /findings.json and /-/healthy, runs doctor once and exits 0; sources
# this build container cannot read only report success 0. The JVM uses a cache only with the java
# build that made it, a compatible class path and some of the same JVM settings (compressed object
# pointers, for one), so the training runs the jlinked java with the jar at its image path and
# exactly the image's flags: the same jvm.options file, with -XX:AOTCacheOutput where the
# ENTRYPOINT has -XX:AOTCache. At exit the JVM writes the cache with a
# second, short JVM; its "[warning][aot] Skipping ..." lines name classes a cache cannot hold (JFR
# events) and are expected. Then the image's own command line must load the cache and print nothing
# but the version, with -XX:AOTMode=on (an unusable cache is an error, not a silent slow start) and
# -XX:MaxRAM=128m (the DaemonSet's memory limit; this build has none): a build host with more than
# about 80 GB of memory gives the training JVM a heap too large for compressed object pointers, and
# a cache made so is refused at the DaemonSet's heap size. Build there with a memory limit
# (podman build --memory 4g).
RUN mkdir -p /opt/tcp-footgun-exporter \
 && cp target/tcp-footgun-exporter.jar src/main/jvm/jvm.options /opt/tcp-footgun-exporter/ \
 && /opt/java/bin/java @/opt/tcp-footgun-exporter/jvm.options -XX:AOTCacheOutput=/opt/tcp-footgun-exporter/app.aot \
      -jar /opt/tcp-footgun-exporter/tcp-footgun-exporter.jar train \
 && chmod 0644 /opt/tcp-footgun-exporter/* \
 && ls -l /opt/tcp-footgun-exporter \
 && /opt/java/bin/java @/opt/tcp-footgun-exporter/jvm.options -XX:AOTCache=/opt/tcp-footgun-exporter/app.aot \
      -XX:AOTMode=on -XX:MaxRAM=128m -jar /opt/tcp-footgun-exporter/tcp-footgun-exporter.jar version >/tmp/version 2>&1 \
 && cat /tmp/version && grep -q '^tcp-footgun-exporter, version ' /tmp/version && test "$(wc -l </tmp/version)" = 5

# The root filesystem of the runtime stage: the shared libraries the runtime's binaries and
# libraries link against (ldd resolves them through this stage's glibc, the one jlink's output was
# built for; libgcc_s among them, which glibc also loads at thread cancellation), and the nobody
# user.
RUN mkdir -p /rootfs/etc /rootfs/tmp \
 && chmod 1777 /rootfs/tmp \
 && { find /opt/java -type f \( -name '*.so' -o -perm -u+x \) -exec ldd {} + 2>/dev/null || true; } \
    | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }' \
    | grep -v '^/opt/java/' | sort -u > /tmp/libs \
 && grep -q '/libgcc_s\.so\.1$' /tmp/libs && grep -q '/libc\.so\.6$' /tmp/libs \
 && tee /dev/stderr < /tmp/libs | xargs -I{} cp --parents -L {} /rootfs \
 && echo 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' > /rootfs/etc/passwd \
 && echo 'nogroup:x:65534:' > /rootfs/etc/group

FROM scratch
COPY --from=build /rootfs/ /
COPY --from=build /opt/java/ /opt/java/
# the jar, jvm.options and app.aot, at the paths the training run had
COPY --from=build /opt/tcp-footgun-exporter/ /opt/tcp-footgun-exporter/
LABEL dev.tcpfootgun.image=tcp-footgun-exporter \
      org.opencontainers.image.title="tcp-footgun-exporter" \
      org.opencontainers.image.description="Prometheus exporter for Linux TCP/IP footguns"
USER 65534:65534
EXPOSE 10071
# The JVM flags are in one place, /opt/tcp-footgun-exporter/jvm.options (from src/main/jvm/, each
# flag with its reason), read as a java @argfile here and by the training run above, so the AOT cache
# always matches them. -XX:AOTCache maps the cache made by that run, read-only: classes come already
# loaded and linked, and methods with the profiles of 80 scrapes, so the first scrape is answered
# sooner. Nothing is written: no -XX:AOTCacheOutput or -XX:ArchiveClassesAtExit here.
# Native access (java.lang.foreign, for netlink) is enabled by the jar's manifest
# (Enable-Native-Access: ALL-UNNAMED), which java -jar honours: no warning is printed.
ENTRYPOINT ["/opt/java/bin/java", "@/opt/tcp-footgun-exporter/jvm.options", "-XX:AOTCache=/opt/tcp-footgun-exporter/app.aot", "-jar", "/opt/tcp-footgun-exporter/tcp-footgun-exporter.jar"]
CMD []
