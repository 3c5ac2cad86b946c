package dev.tcpfootgun.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.config.ListenAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** --web.max-requests over real HTTP: requests past the limit in flight get 503, 0 means no limit. */
class MaxRequestsTest {

    /** A listener whose "/" holds each request until {@code release} opens; {@code entered} counts arrivals. */
    static HttpListener listener(int maxRequests, CountDownLatch entered, CountDownLatch release) throws IOException {
        RequestGate.Route slow = r -> {
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return HttpResponse.text(200, "done\n");
        };
        return new HttpListener(List.of(new ListenAddress("127.0.0.1", 0)), new WebConfigFile(WebConfig.none()),
                new RequestGate("/metrics", Map.of("/", slow)), maxRequests);
    }

    static CompletableFuture<java.net.http.HttpResponse<String>> get(HttpClient client, int port) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(30)).build(), BodyHandlers.ofString());
    }

    @Test
    void requestsPastTheLimitGet503AndTheOthersAreServed() throws Exception {
        CountDownLatch entered = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        try (HttpListener l = listener(2, entered, release); HttpClient client = HttpClient.newHttpClient()) {
            int port = l.ports().get(0);
            var first = get(client, port);
            var second = get(client, port);
            assertThat(entered.await(20, TimeUnit.SECONDS)).as("two requests in flight").isTrue();
            var third = get(client, port).get(20, TimeUnit.SECONDS);
            assertThat(third.statusCode()).isEqualTo(503);
            assertThat(third.body()).contains("more than 2 requests in flight");
            release.countDown();
            assertThat(first.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(second.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void zeroMeansNoLimit() throws Exception {
        int n = 45; // past node_exporter's default of 40; from two addresses, under the listener's 32 per address
        CountDownLatch entered = new CountDownLatch(n);
        CountDownLatch release = new CountDownLatch(1);
        try (HttpListener l = listener(0, entered, release);
                HttpClient a = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                HttpClient b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .localAddress(InetAddress.getByAddress(new byte[] {127, 0, 2, 1})).build()) {
            int port = l.ports().get(0);
            List<CompletableFuture<java.net.http.HttpResponse<String>>> all = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                all.add(get(i % 2 == 0 ? a : b, port));
            }
            assertThat(entered.await(20, TimeUnit.SECONDS)).as("all %d requests in flight at once", n).isTrue();
            release.countDown();
            for (var f : all) {
                assertThat(f.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
        }
    }
}
