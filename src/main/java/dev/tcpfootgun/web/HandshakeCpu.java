package dev.tcpfootgun.web;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Bounds the CPU that TLS handshakes take at once, so that a flood of new connections cannot take
 * more than half the carrier threads from the requests of connections past their handshake: a handshake computes (key
 * exchange, signature) only while it holds one of {@link #permitsFor} permits, and it holds one
 * only from the return of a read of the client's bytes to its next read or write, so a client that
 * is slow to send costs no permit. Permits go in arrival order; with at most
 * {@link HttpListener#HANDSHAKES_PER_CLIENT} handshakes per address, a client's handshake waits
 * behind at most that many of every other address.
 */
final class HandshakeCpu {
    private final Semaphore permits;

    HandshakeCpu(int permits) {
        this.permits = new Semaphore(permits, true);
    }

    /** Half the processors, at least one: the other half stays free for the requests being served. */
    static int permitsFor(int processors) {
        return Math.max(1, processors / 2);
    }

    /** Permits free now (for tests). */
    int available() {
        return permits.availablePermits();
    }

    /**
     * The raw socket as the TLS layer sees it: a read returns only once it holds a permit (or
     * fails with a timeout at {@code deadline}, a System.nanoTime()), until {@link Gated#done()}.
     */
    Gated gate(Socket raw, LongSupplier deadline) throws IOException {
        return new Gated(raw, deadline);
    }

    /** A connected socket that delegates to the raw one; JSSE layers its SSLSocket on it. */
    final class Gated extends Socket {
        private final Socket raw;
        private final LongSupplier deadline;
        private final InputStream in;
        private final OutputStream out;
        /** Touched only by the connection's own thread (the one doing the handshake). */
        private boolean holding;
        private volatile boolean done;

        private Gated(Socket raw, LongSupplier deadline) throws IOException {
            this.raw = raw;
            this.deadline = deadline;
            InputStream rawIn = raw.getInputStream();
            OutputStream rawOut = raw.getOutputStream();
            this.in = new FilterInputStream(rawIn) {
                @Override
                public int read() throws IOException {
                    letGo();
                    int b = super.read();
                    take();
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    letGo();
                    int n = super.read(b, off, len);
                    take();
                    return n;
                }
            };
            this.out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    letGo(); // a client that does not read could hold a permit on a full send buffer
                    rawOut.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    letGo();
                    rawOut.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    rawOut.flush();
                }

                @Override
                public void close() throws IOException {
                    rawOut.close();
                }
            };
        }

        /** The handshake is over (done or failed): its permit goes back and reads are no longer gated. */
        void done() {
            done = true;
            letGo();
        }

        private void letGo() {
            if (holding) {
                holding = false;
                permits.release();
            }
        }

        private void take() throws IOException {
            if (done || holding) {
                return;
            }
            try {
                if (!permits.tryAcquire(Math.max(0, deadline.getAsLong() - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    throw new SocketTimeoutException("no handshake CPU free before the head deadline");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for handshake CPU");
            }
            holding = true;
        }

        @Override
        public InputStream getInputStream() {
            return in;
        }

        @Override
        public OutputStream getOutputStream() {
            return out;
        }

        @Override
        public void close() throws IOException {
            raw.close();
        }

        @Override
        public boolean isClosed() {
            return raw.isClosed();
        }

        @Override
        public boolean isConnected() {
            return raw.isConnected();
        }

        @Override
        public boolean isBound() {
            return raw.isBound();
        }

        @Override
        public InetAddress getInetAddress() {
            return raw.getInetAddress();
        }

        @Override
        public InetAddress getLocalAddress() {
            return raw.getLocalAddress();
        }

        @Override
        public int getPort() {
            return raw.getPort();
        }

        @Override
        public int getLocalPort() {
            return raw.getLocalPort();
        }

        @Override
        public SocketAddress getRemoteSocketAddress() {
            return raw.getRemoteSocketAddress();
        }

        @Override
        public SocketAddress getLocalSocketAddress() {
            return raw.getLocalSocketAddress();
        }

        @Override
        public void shutdownInput() throws IOException {
            raw.shutdownInput();
        }

        @Override
        public void shutdownOutput() throws IOException {
            raw.shutdownOutput();
        }

        @Override
        public boolean isInputShutdown() {
            return raw.isInputShutdown();
        }

        @Override
        public boolean isOutputShutdown() {
            return raw.isOutputShutdown();
        }

        @Override
        public void setSoTimeout(int timeout) throws SocketException {
            raw.setSoTimeout(timeout);
        }

        @Override
        public int getSoTimeout() throws SocketException {
            return raw.getSoTimeout();
        }

        @Override
        public void setTcpNoDelay(boolean on) throws SocketException {
            raw.setTcpNoDelay(on);
        }

        @Override
        public boolean getTcpNoDelay() throws SocketException {
            return raw.getTcpNoDelay();
        }

        @Override
        public void setSoLinger(boolean on, int linger) throws SocketException {
            raw.setSoLinger(on, linger);
        }

        @Override
        public int getSoLinger() throws SocketException {
            return raw.getSoLinger();
        }

        @Override
        public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
            raw.setOption(name, value);
            return this;
        }

        @Override
        public <T> T getOption(SocketOption<T> name) throws IOException {
            return raw.getOption(name);
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return raw.supportedOptions();
        }

        @Override
        public String toString() {
            return raw.toString();
        }
    }
}
