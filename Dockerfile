# tcp-footgun-exporter: one Java process per node, run as a DaemonSet with host networking.
#
# Build stage: Debian 13 (trixie), whose main archive has OpenJDK 25 (openjdk-25-jdk-headless) and
# Maven; Debian 12 (bookworm) stops at OpenJDK 17, so this is the oldest Debian that builds the
# project from Debian's own packages. It builds the jar, finds the JDK modules the jar uses with
# jdeps and jlinks a runtime of only those (java.base, java.logging, jdk.httpserver,
# jdk.unsupported today), with a CDS archive made at link time.
#
# Runtime stage: FROM scratch, holding that runtime, the jar, the shared libraries the runtime links
# against (found with ldd: glibc, zlib, libstdc++, libgcc_s) and an /etc/passwd with uid 65534. No
# shell, no package manager, no curl. It runs as 65534:65534 and writes nothing, so it works with a
# read-only root filesystem.
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
# Tests run in CI on the host (.ci/run), where they can make network namespaces; here only package.
RUN --mount=type=cache,target=/root/.m2,id=tcp-footgun-exporter-m2 \
    mvn -B -ntp -q -DskipTests -Dmaven.test.skip=true package \
 && java -jar target/tcp-footgun-exporter.jar version

# The runtime: the modules jdeps finds (none of the jar's optional dependencies are on the class
# path: --ignore-missing-deps), no Java debug attributes (Debian ships the native libraries already
# stripped; --strip-debug would want objcopy), man pages or headers, and a CDS archive of the
# JDK's default classes so startup maps it read-only instead of writing one. Only the archive for
# compressed oops is kept: the other serves heaps of 32 GiB and more (14 MiB saved).
RUN modules="$(jdeps --print-module-deps --ignore-missing-deps --multi-release 25 target/tcp-footgun-exporter.jar)" \
 && echo "modules: $modules" \
 && jlink --add-modules "$modules" --strip-java-debug-attributes --no-man-pages --no-header-files --compress=zip-6 \
      --generate-cds-archive --output /opt/runtime \
 && rm /opt/runtime/lib/server/classes_nocoops.jsa \
 && /opt/runtime/bin/java -Xshare:on -version

# The root filesystem of the runtime stage: the shared libraries the runtime's binaries and
# libraries link against (ldd resolves them through this stage's glibc, the one jlink's output was
# built for; libgcc_s among them, which glibc also loads at thread cancellation), and the nobody
# user.
RUN mkdir -p /rootfs/etc /rootfs/tmp \
 && chmod 1777 /rootfs/tmp \
 && { find /opt/runtime -type f \( -name '*.so' -o -perm -u+x \) -exec ldd {} + 2>/dev/null || true; } \
    | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }' \
    | grep -v '^/opt/runtime/' | sort -u > /tmp/libs \
 && grep -q '/libgcc_s\.so\.1$' /tmp/libs && grep -q '/libc\.so\.6$' /tmp/libs \
 && tee /dev/stderr < /tmp/libs | xargs -I{} cp --parents -L {} /rootfs \
 && echo 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' > /rootfs/etc/passwd \
 && echo 'nogroup:x:65534:' > /rootfs/etc/group \
 && mkdir -p /rootfs/opt/tcp-footgun-exporter \
 && cp target/tcp-footgun-exporter.jar /rootfs/opt/tcp-footgun-exporter/

FROM scratch
COPY --from=build /rootfs/ /
COPY --from=build /opt/runtime/ /opt/java/
LABEL dev.tcpfootgun.image=tcp-footgun-exporter \
      org.opencontainers.image.title="tcp-footgun-exporter" \
      org.opencontainers.image.description="Prometheus exporter for Linux TCP/IP footguns"
USER 65534:65534
EXPOSE 10071
# JVM flags, sized for a DaemonSet with a 160 MiB memory limit (measured: README, "Container image"):
#   -XX:+UseSerialGC             one GC thread and the least GC memory; the heap is small, pauses short
#   -XX:MaxRAMPercentage=40      heap at most 40 % of the container's memory limit (64 MiB of 160 MiB):
#                                a scrape of 56 000 sockets peaks near 50 MiB of heap, 13 MiB stay live;
#                                raise the limit, not this flag, on busier nodes
#   -XX:InitialRAMPercentage=5   start with a small heap and grow on demand
#   -XX:ReservedCodeCacheSize=32m  bound the JIT code cache (the default reserves 240 MiB)
#   -XX:MaxMetaspaceSize=32m     about 6 MiB are used; a class-loading leak fails fast instead
#   -XX:+ExitOnOutOfMemoryError  exit so the kubelet restarts it, instead of serving half-broken
#   -XX:-UsePerfData             no /tmp/hsperfdata_<user> file (the root file system is read-only)
#   -Xshare:auto                 map the jlinked CDS archive read-only (0.5 s faster start); nothing
#                                is written: no -XX:ArchiveClassesAtExit or AutoCreateSharedArchive
# Native access (java.lang.foreign, for netlink) is enabled by the jar's manifest
# (Enable-Native-Access: ALL-UNNAMED), which java -jar honours: no warning is printed.
ENTRYPOINT ["/opt/java/bin/java", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=40", "-XX:InitialRAMPercentage=5", "-XX:ReservedCodeCacheSize=32m", "-XX:MaxMetaspaceSize=32m", "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData", "-Xshare:auto", "-jar", "/opt/tcp-footgun-exporter/tcp-footgun-exporter.jar"]
CMD []
