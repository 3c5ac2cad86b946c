package dev.tcpfootgun.source;

import java.io.IOException;

/** A source that cannot work in this setting: its reading is absent, with the reason why. */
public record Unavailable<T>(String reason) implements Source<T> {
    @Override
    public T read(ParseLog log) throws IOException {
        throw new AbsentException(reason);
    }
}
