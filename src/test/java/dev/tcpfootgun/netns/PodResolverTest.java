package dev.tcpfootgun.netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodResolverTest {

    @Test
    void podUidFromEitherCgroupDriver() {
        // cgroupfs driver, cgroup v1 (one line per hierarchy)
        assertThat(PodResolver.uidFromCgroup("12:pids:/kubepods/besteffort/pod3f2a6c1e-6b1f-4d1a-9a57-0c2f5e8b7d10/4c0ffee\n0::/\n"))
                .isEqualTo("3f2a6c1e-6b1f-4d1a-9a57-0c2f5e8b7d10");
        // systemd driver, cgroup v2: dashes become underscores in the slice name
        assertThat(PodResolver.uidFromCgroup(
                "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f2a6c1e_6b1f_4d1a_9a57_0c2f5e8b7d10.slice/cri-containerd-ab.scope\n"))
                .isEqualTo("3f2a6c1e-6b1f-4d1a-9a57-0c2f5e8b7d10");
        assertThat(PodResolver.uidFromCgroup("0::/system.slice/sshd.service\n")).isNull();
    }

    @Test
    void namesFromKubeletPodLogFolders(@TempDir Path logs) throws Exception {
        Files.createDirectories(logs.resolve("kube-system_coredns-5d78c9869d-abcde_11111111-2222-3333-4444-555555555555"));
        Files.createDirectories(logs.resolve("not-a-pod-folder"));
        var pods = new PodResolver(logs).podsByUid();
        assertThat(pods).hasSize(1);
        assertThat(pods.get("11111111-2222-3333-4444-555555555555"))
                .isEqualTo(new Pod("11111111-2222-3333-4444-555555555555", "kube-system", "coredns-5d78c9869d-abcde"));
        assertThat(new PodResolver(logs.resolve("missing")).podsByUid()).isEmpty();
    }
}
